"""Capitalising: a practice sheet's structure, its history (who changed what, the diff,
restoring an old version), the review once it reaches « Capitalisée » and the animator's
validation, and the guide — PDF, ODT, JSON, CSV — holding every validated practice and
decision and nothing hidden, unvalidated or of another collective."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load
from pypdf import PdfReader

from tests.conftest import MakeClient, World, join

API = "/api/v1"
SHEET = {
    "context": "Quatre boulangeries du Diois achètent chacune leur farine.",
    "steps": ["Recenser les besoins", "Choisir un meunier", "Commander chaque mois"],
    "results": "12 % d'économie sur la farine.",
    "costs": "Deux réunions, une demi-journée par mois.",
    "vigilance": "Bien répartir les livraisons.",
    "contacts": "Moulin de Die",
}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def practices_board(world: World) -> dict[str, Any]:
    board: dict[str, Any] = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/boards",
            json={"name": "Pratiques", "kind": "practices"},
        ),
        201,
    )
    return board


async def test_a_practice_sheet_and_its_history(world: World) -> None:
    board = await practices_board(world)
    made = await ok(
        await world.member.post(
            f"{API}/boards/{board['id']}/cards",
            json={"kind": "practice", "title": "Achat groupé de farine", "practice": SHEET},
        ),
        201,
    )
    assert made["practice"] == SHEET
    # An idea has no sheet.
    refused = await world.member.post(
        f"{API}/boards/{board['id']}/cards",
        json={"kind": "idea", "title": "Une idée", "practice": {"context": "x"}},
    )
    assert refused.status_code == 422
    bad = await world.member.post(
        f"{API}/boards/{board['id']}/cards",
        json={"kind": "practice", "title": "Trop", "practice": {"steps": ["a"] * 31}},
    )
    assert bad.status_code == 422
    # Anna edits the results; Marc the title: two more versions.
    sheet = {**SHEET, "results": "15 % d'économie sur la farine."}
    edited = await ok(
        await world.animator.patch(
            f"{API}/cards/{made['id']}", json={"version": made["version"], "practice": sheet}
        )
    )
    renamed = await ok(
        await world.member.patch(
            f"{API}/cards/{made['id']}",
            json={"version": edited["version"], "title": "Achat groupé de farine bio"},
        )
    )
    history = await ok(await world.member.get(f"{API}/cards/{made['id']}/versions"))
    versions = history["versions"]
    assert [v["by"]["display_name"] for v in versions] == ["marc", "anna", "marc"]
    assert versions[0]["current"] and versions[0]["changes"] == ["title"]
    assert versions[1]["changes"] == ["practice.results"]
    assert "-12 % d'économie sur la farine." in versions[1]["diff"]
    assert "+15 % d'économie sur la farine." in versions[1]["diff"]
    assert versions[2]["changes"] == ["created"]
    # Restoring the first version is a new version; others may not.
    first = versions[2]["version"]
    url = f"{API}/cards/{made['id']}/versions/{first}/restore"
    assert (await world.observer.post(url)).status_code == 403
    assert (await world.outsider.post(url)).status_code == 404
    restored = await ok(await world.member.post(url))
    assert restored["title"] == "Achat groupé de farine" and restored["practice"] == SHEET
    assert restored["version"] > renamed["version"]
    again = await ok(await world.member.get(f"{API}/cards/{made['id']}/versions"))
    assert len(again["versions"]) == 4
    missing = await world.member.post(f"{API}/cards/{made['id']}/versions/999/restore")
    assert missing.status_code == 404


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def odt_text(data: bytes) -> str:
    document = load(io.BytesIO(data))
    parts = [teletype.extractText(e) for e in document.getElementsByType(odf_text.H)]
    parts += [teletype.extractText(e) for e in document.getElementsByType(odf_text.P)]
    return "\n".join(parts)


async def test_review_validation_and_the_guide(world: World, make_client: MakeClient) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    board = await practices_board(world)
    capitalised_column = board["columns"][-1]["id"]  # « Validée » on a practices board

    async def practice(title: str, tags: list[str], **extra: Any) -> dict[str, Any]:
        made: dict[str, Any] = await ok(
            await world.member.post(
                f"{API}/boards/{board['id']}/cards",
                json={"kind": "practice", "title": title, "tags": tags, **extra},
            ),
            201,
        )
        return made

    kept = await practice("Achat groupé de farine", ["achats"], practice=SHEET)
    second = await practice("Un camion pour les tournées", ["logistique"])
    hidden = await practice("Pratique cachée", ["achats"])
    waiting = await practice("Pratique en attente", ["achats"])
    # Léa tried the first one and said how it went.
    await ok(await lea.post(f"{API}/cards/{kept['id']}/reactions", json={"kind": "tried_it"}), 201)
    await ok(
        await lea.post(f"{API}/cards/{kept['id']}/comments", json={"body": "Ça marche chez nous."}),
        201,
    )
    # Moved to « Validée »: put up for review, the animators told.
    fresh = await ok(await world.member.get(f"{API}/cards/{kept['id']}"))
    await ok(
        await world.member.patch(
            f"{API}/cards/{kept['id']}",
            json={"version": fresh["version"], "column_id": capitalised_column},
        )
    )
    pending = await ok(
        await world.animator.get(f"{API}/collectives/{world.collective_id}/guide/pending")
    )
    assert [c["id"] for c in pending["cards"]] == [kept["id"]]
    told = (await ok(await world.animator.get(f"{API}/notifications")))["notifications"]
    assert any(n["kind"] == "review" and n["data"]["card_id"] == kept["id"] for n in told)
    assert (
        await world.member.get(f"{API}/collectives/{world.collective_id}/guide/pending")
    ).status_code == 403
    # Validation: animators only; an idea cannot enter.
    url = f"{API}/cards/{kept['id']}/capitalise"
    assert (await world.member.post(url, json={"capitalised": True})).status_code == 403
    assert (await world.outsider.post(url, json={"capitalised": True})).status_code == 404
    assert (await world.animator.post(url, json={"capitalised": "oui"})).status_code == 422
    idea = world.card["id"]
    refused = await world.animator.post(
        f"{API}/cards/{idea}/capitalise", json={"capitalised": True}
    )
    assert refused.status_code == 422
    done = await ok(await world.animator.post(url, json={"capitalised": True}))
    assert done["capitalised_at"] is not None
    for card in (second, hidden):
        await ok(
            await world.animator.post(
                f"{API}/cards/{card['id']}/capitalise", json={"capitalised": True}
            )
        )
    fresh = await ok(await world.animator.get(f"{API}/cards/{hidden['id']}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{hidden['id']}",
            json={"version": fresh["version"], "moderation": "hidden"},
        )
    )
    mine = (await ok(await world.member.get(f"{API}/notifications")))["notifications"]
    assert any(n["kind"] == "capitalised" for n in mine)

    base = f"{API}/collectives/{world.collective_id}/guide"
    wanted = [kept["title"], second["title"]]
    absent = [hidden["title"], waiting["title"]]
    pdf = await world.observer.get(base + ".pdf")  # funders read the guide too
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for title in wanted + ["Sommaire", "Rénovation Drôme", "Recenser les besoins", "Essayé par"]:
        assert title in text, title
    assert all(title not in text for title in absent)
    odt = await world.member.get(base + ".odt")
    assert odt.status_code == 200
    assert odt.headers["content-type"] == "application/vnd.oasis.opendocument.text"
    text = odt_text(odt.content)
    for title in wanted + ["Sommaire", "Choisir un meunier", "Ça marche chez nous."]:
        assert title in text, title
    assert all(title not in text for title in absent)
    data = await ok(await world.member.get(base + ".json"))
    assert data["licence"] == "CC BY-SA 4.0"
    assert sorted(p["title"] for p in data["practices"]) == sorted(wanted)
    [sheet] = [p for p in data["practices"] if p["id"] == kept["id"]]
    assert sheet["steps"] == SHEET["steps"] and sheet["tried_by"][0]["who"] == "lea"
    rows = list(csv.DictReader(io.StringIO((await world.member.get(base + ".csv")).text)))
    assert sorted(r["title"] for r in rows) == sorted(wanted)
    # The licence is the collective's choice.
    await ok(
        await world.animator.patch(
            f"{API}/collectives/{world.collective_id}", json={"licence": "CC-BY-4.0"}
        )
    )
    assert (await ok(await world.member.get(base + ".json")))["licence"] == "CC BY 4.0"
    bad = await world.animator.patch(
        f"{API}/collectives/{world.collective_id}", json={"licence": "WTFPL"}
    )
    assert bad.status_code == 422
    # Another collective's members, anonymous callers: nothing.
    for ext in ("pdf", "odt", "json", "csv"):
        assert (await world.outsider.get(f"{base}.{ext}")).status_code == 404
    # Taken out again: gone from the guide.
    await ok(await world.animator.post(url, json={"capitalised": False}))
    data = await ok(await world.member.get(base + ".json"))
    assert [p["title"] for p in data["practices"]] == [second["title"]]


@pytest.mark.parametrize("ext", ["pdf", "odt", "json", "csv"])
async def test_an_empty_guide_still_opens(world: World, ext: str) -> None:
    answer = await world.member.get(f"{API}/collectives/{world.collective_id}/guide.{ext}")
    assert answer.status_code == 200 and answer.content
