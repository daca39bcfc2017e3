"""A company's diagnostic through the API: made from a template and keeping its version,
drafts saved as one types, finished once every level is answered, its plan of actions with
suggested practices; bad input refused with a 4xx that writes nothing."""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pytest
from starlette.applications import Starlette

from tests.conftest import MakeClient, World
from tests.support.collectives import seq
from tests.support.diagnostics import API, SCALES, TEMPLATE, answer, company_member, ok, start


async def test_a_diagnostic_is_filled_in_as_one_types_then_finished(
    world: World, make_client: MakeClient
) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await start(world, julien.id)
    assert diagnostic["status"] == "draft" and diagnostic["version"] == 1
    assert diagnostic["template"] == {
        "id": TEMPLATE,
        "name": "Diagnostic 360° TPE/PME",
        "version": 1,
    }
    assert diagnostic["company"] == "Menuiserie Roux"
    assert [m["id"] for m in diagnostic["company_members"]] == [julien.id]
    url = f"{API}/diagnostics/{diagnostic['id']}"
    # Two saves of a draft, one answer each: both kept, the version moves on.
    first = await ok(
        await world.animator.patch(url, json={"version": 1, "answers": {SCALES[0]: 2}})
    )
    second = await ok(
        await world.animator.patch(url, json={"version": 2, "answers": {"marketing.site": True}})
    )
    assert second["answers"] == {SCALES[0]: 2, "marketing.site": True}
    assert second["version"] == 3 and first["version"] == 2
    scores = {s["theme_id"]: s["score"] for s in second["scores"]}
    assert scores["commercial"] == 33.3 and scores["export"] is None
    # A stale save (another screen saved meanwhile) is refused with the current one.
    stale = await world.animator.patch(url, json={"version": 2, "answers": {SCALES[1]: 4}})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["version"] == 3
    # Finishing with a level unanswered: refused, naming what is missing.
    early = await world.animator.patch(url, json={"version": 3, "status": "done"})
    assert early.status_code == 422 and f"answers.{SCALES[1]}" in early.json()["error"]["fields"]
    done = await answer(world, second, [3])
    assert done["status"] == "done" and done["completed_at"] is not None
    assert not done["collective_median_shown"], "one company: no median"
    # The member reads it; they do not answer it.
    seen = await ok(await julien.get(url))
    assert seen["answers"] == done["answers"]
    refused = await julien.patch(url, json={"version": done["version"], "answers": {SCALES[0]: 4}})
    assert refused.status_code == 403


async def test_bad_input_writes_nothing(world: World, make_client: MakeClient) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    other = await make_client("victor")
    home = f"{API}/collectives/{world.collective_id}/diagnostics"
    before = await seq(world)
    for body, field in (
        ({"template_id": "inconnu", "member_id": julien.id}, "template_id"),
        ({"template_id": TEMPLATE, "member_id": other.id}, "member_id"),
        ({"template_id": TEMPLATE, "member_id": world.observer.id}, "member_id"),
        (
            {"template_id": TEMPLATE, "member_id": julien.id, "company_user_ids": [other.id]},
            "company_user_ids.0",
        ),
    ):
        response = await world.animator.post(home, json=body)
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["fields"], response.text
    assert (
        await world.member.post(home, json={"template_id": TEMPLATE, "member_id": julien.id})
    ).status_code == 403
    assert await seq(world) == before
    diagnostic = await start(world, julien.id)
    url = f"{API}/diagnostics/{diagnostic['id']}"
    for answers in ({SCALES[0]: 7}, {"inconnue": 1}, {"marketing.site": "oui"}):
        response = await world.animator.patch(url, json={"version": 1, "answers": answers})
        assert response.status_code == 422, response.text
    assert (await ok(await world.animator.get(url)))["version"] == 1, "nothing written"


async def test_a_template_edited_later_never_changes_diagnostics_made(
    world: World, make_client: MakeClient
) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    built = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/diagnostic-templates",
            json={
                "name": "Diagnostic express",
                "themes": [
                    {
                        "id": "export",
                        "title": "Export",
                        "questions": [
                            {
                                "id": "export.ventes",
                                "text": "Vendez-vous hors de France ?",
                                "kind": "scale4",
                                "levels": ["Jamais", "Parfois", "Souvent", "Toujours"],
                            }
                        ],
                    }
                ],
            },
        ),
        201,
    )
    assert built["id"].startswith("custom-") and built["version"] == 1
    diagnostic = await start(world, julien.id, template_id=built["id"])
    edited = await ok(
        await world.animator.patch(
            f"{API}/diagnostic-templates/{built['id']}",
            json={
                "themes": [
                    {
                        "id": "rh",
                        "title": "Ressources humaines",
                        "questions": [{"id": "rh.effectif", "text": "Effectif", "kind": "number"}],
                    }
                ]
            },
        )
    )
    assert edited["version"] == 2
    kept = await ok(await world.animator.get(f"{API}/diagnostics/{diagnostic['id']}"))
    assert kept["template"]["version"] == 1 and kept["themes"][0]["id"] == "export"
    # Answers follow the diagnostic's own copy: the old question still takes its answer.
    saved = await world.animator.patch(
        f"{API}/diagnostics/{diagnostic['id']}",
        json={"version": 1, "answers": {"export.ventes": 2}},
    )
    assert saved.status_code == 200, saved.text
    shipped = await world.animator.patch(
        f"{API}/diagnostic-templates/{TEMPLATE}", json={"name": "X"}
    )
    assert shipped.status_code == 403
    for themes in (
        [
            {
                "id": "a",
                "title": "A",
                "questions": [{"id": "q", "text": "Q", "kind": "scale5", "levels": ["1", "2"]}],
            }
        ],
        [{"id": "A B", "title": "A", "questions": [{"id": "q", "text": "Q", "kind": "text"}]}],
        [
            {"id": "a", "title": "A", "questions": [{"id": "q", "text": "Q", "kind": "text"}]},
            {"id": "b", "title": "B", "questions": [{"id": "q", "text": "Q", "kind": "text"}]},
        ],
    ):
        bad = await world.animator.post(
            f"{API}/collectives/{world.collective_id}/diagnostic-templates",
            json={"name": "Mal formé", "themes": themes},
        )
        assert bad.status_code == 422, themes


async def test_the_action_plan(app: Starlette, world: World, make_client: MakeClient) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    practice = await ok(
        await world.animator.post(
            f"{API}/boards/{world.board_id}/cards",
            json={
                "title": "Prospection export : salon Batimat",
                "kind": "practice",
                "body": "Stand partagé",
            },
        ),
        201,
    )
    await app.state.search.indexer.drain()
    diagnostic = await start(world, julien.id)
    actions = f"{API}/diagnostics/{diagnostic['id']}/actions"
    due = (date.today() + timedelta(days=30)).isoformat()
    created = await ok(
        await julien.post(
            actions,
            json={
                "title": "Préparer un salon export",
                "theme_id": "export",
                "owner_id": julien.id,
                "due_on": due,
            },
        ),
        201,
    )
    assert created["status"] == "todo" and created["theme_title"] == "Export"
    assert [s["card_id"] for s in created["suggestions"]] == [practice["id"]]
    moved = await ok(
        await world.animator.patch(
            f"{API}/actions/{created['id']}",
            json={"version": 1, "status": "doing", "card_ids": [practice["id"]]},
        )
    )
    assert moved["status"] == "doing" and moved["card_ids"] == [practice["id"]]
    suggested = await ok(await julien.get(f"{API}/actions/{created['id']}/suggestions"))
    assert suggested["suggestions"] == [], "a card already linked is not suggested again"
    listed = await ok(await julien.get(actions))
    assert [a["id"] for a in listed["actions"]] == [created["id"]]
    before = await seq(world)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for body, field in (
        ({"title": "Trop tard", "due_on": yesterday}, "due_on"),
        ({"title": "Hors sujet", "theme_id": "astronomie"}, "theme_id"),
        ({"title": "Quelqu'un d'autre", "owner_id": world.member.id}, "owner_id"),
        ({"title": "Une fiche inconnue", "card_ids": [999999]}, "card_ids"),
    ):
        response = await julien.post(actions, json=body)
        assert response.status_code == 422 and field in response.json()["error"]["fields"], (
            response.text
        )
    stale = await julien.patch(
        f"{API}/actions/{created['id']}", json={"version": 1, "status": "done"}
    )
    assert stale.status_code == 409
    bad_status = await julien.patch(
        f"{API}/actions/{created['id']}", json={"version": 2, "status": "fini"}
    )
    assert bad_status.status_code == 422
    assert await seq(world) == before


async def test_the_company_takes_its_diagnostic_away_as_pdf_html_and_json(
    world: World, make_client: MakeClient
) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await answer(world, await start(world, julien.id), [2, 3])
    base = f"{API}/diagnostics/{diagnostic['id']}/export"
    pdf = await julien.get(base)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5_000
    page = await julien.get(base, params={"format": "html"})
    assert "<svg" in page.text and "<script" not in page.text
    assert "Diagnostic — Menuiserie Roux" in page.text and "2 / 4 — " in page.text
    exported = await ok(await julien.get(base, params={"format": "json"}))
    assert exported["answers"] == diagnostic["answers"]
    bad = await julien.get(base, params={"format": "docx"})
    assert bad.status_code == 422


async def test_without_pango_the_pdf_is_a_clear_503_and_html_still_works(
    world: World, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await start(world, julien.id)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if its libraries were missing
    base = f"{API}/diagnostics/{diagnostic['id']}/export"
    refused = await julien.get(base)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "pdf_unavailable"
    assert (await julien.get(base, params={"format": "html"})).status_code == 200
