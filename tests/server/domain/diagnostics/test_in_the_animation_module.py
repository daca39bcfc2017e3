"""The individual phase reaches the animation module: the health panel's indicators (tagged P,
E, K) and the funder report's « Phase individuelle » (aggregates: no company named)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.conftest import MakeClient, World
from tests.support.collectives import url
from tests.support.diagnostics import API, answer, company_member, ok, start


async def test_the_panel_and_the_report_count_the_individual_phase(
    world: World, make_client: MakeClient
) -> None:
    companies = []
    for i in range(5):
        member = await company_member(world, make_client, f"artisan{i}", f"Atelier {i}")
        companies.append((member, await answer(world, await start(world, member.id), [1 + i % 4])))
    await start(world, world.member.id)  # a sixth, still a draft
    member, diagnostic = companies[0]
    actions = f"{API}/diagnostics/{diagnostic['id']}/actions"
    soon = (date.today() + timedelta(days=20)).isoformat()
    done = await ok(
        await member.post(actions, json={"title": "Refaire le site", "theme_id": "numerique"}), 201
    )
    await ok(
        await member.patch(f"{API}/actions/{done['id']}", json={"version": 1, "status": "done"})
    )
    await ok(await member.post(actions, json={"title": "Salon export", "due_on": soon}), 201)
    step = await ok(
        await world.animator.post(
            url(world, "/needs/commercial/step"), json={"template_id": "tpe-pme-360"}
        ),
        201,
    )
    assert step["card_id"]

    panel = await ok(await world.animator.get(url(world, "/engagement")))
    readings: dict[str, dict[str, Any]] = {
        r["key"]: {**r, "cause": g["cause"]} for g in panel["health"] for r in g["indicators"]
    }
    assert readings["diagnostics_done"]["value"] == round(5 / 6, 3)
    assert readings["diagnostics_done"]["cause"] == "pedagogy"
    assert readings["action_plan_progress"]["value"] == 0.5
    assert readings["actions_overdue"]["value"] == 0.0
    assert readings["practices_from_actions"]["cause"] == "knowledge"

    for viewer in (world.animator, world.observer):
        report = await ok(await viewer.get(url(world, "/report"), params={"format": "json"}))
        assert report["individual"] == {
            "diagnostics_started": 6,
            "diagnostics_done": 5,
            "diagnostics_done_in_period": 5,
            "companies_diagnosed": 5,
            "actions_planned": 2,
            "actions_done": 1,
            "actions_overdue": 0,
            "actions_with_practices": 0,
            "themes_addressed_collectively": 1,
        }
        page = await viewer.get(url(world, "/report"), params={"format": "html"})
        assert "Phase individuelle" in page.text and "Refaire le site" not in page.text
        sheet = await viewer.get(url(world, "/report"), params={"format": "csv"})
        assert "Entreprises diagnostiquées,5" in sheet.text.replace(";", ",")
