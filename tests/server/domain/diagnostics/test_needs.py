"""The collective's needs: nothing below five companies, then each theme's median over the
companies that answered it (five or more), the weak ones first; a company counts once; the
radar shows the median from five companies; a need becomes a step in one click."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, MakeClient, World
from tests.support.diagnostics import API, answer, company_member, ok, start

# Five companies' levels (cycled over the 11 scale questions of the template).
LEVELS = [[1], [2], [1], [4], [2], [3]]


async def diagnosed(world: World, make_client: MakeClient, count: int) -> list[ApiClient]:
    members = []
    for i in range(count):
        member = await company_member(world, make_client, f"artisan{i}", f"Entreprise {i}")
        await answer(world, await start(world, member.id), LEVELS[i])
        members.append(member)
    return members


async def needs(client: ApiClient, world: World) -> dict[str, Any]:
    found: dict[str, Any] = await ok(
        await client.get(f"{API}/collectives/{world.collective_id}/needs")
    )
    return found


async def test_below_five_companies_nothing_but_the_count(
    world: World, make_client: MakeClient
) -> None:
    members = await diagnosed(world, make_client, 4)
    for viewer in (world.animator, world.member, world.observer):
        seen = await needs(viewer, world)
        assert seen["diagnosed"] == 4 and seen["minimum"] == 5
        assert seen["available"] is False and seen["themes"] == []
    # A company diagnosed twice still counts once (its latest finished diagnostic).
    again = await start(world, members[0].id)
    await answer(world, again, [4])
    assert (await needs(world.animator, world))["diagnosed"] == 4
    # Its radar shows no median, and neither does its view.
    radar = await world.animator.get(f"{API}/diagnostics/{again['id']}/radar.svg")
    assert radar.status_code == 200 and "Médiane du collectif" not in radar.text
    step = await world.animator.post(
        f"{API}/collectives/{world.collective_id}/needs/export/step",
        json={"template_id": "tpe-pme-360"},
    )
    assert step.status_code == 409 and step.json()["error"]["code"] == "not_enough_diagnostics"


async def test_from_five_companies_the_medians_and_the_weak_themes(
    world: World, make_client: MakeClient
) -> None:
    members = await diagnosed(world, make_client, 5)
    # A draft never counts.
    draft = await start(world, world.member.id)
    await answer(world, draft, [4], done=False)
    seen = await needs(world.observer, world)
    assert seen["available"] is True and seen["diagnosed"] == 5
    themes = {t["theme_id"]: t for t in seen["themes"]}
    # Levels 1, 2, 1, 4, 2 of 4 → maturities 0, 33.3, 0, 100, 33.3: median 33.3, 4 weak.
    assert themes["commercial"]["median"] == 33.3
    assert themes["commercial"]["companies"] == 5 and themes["commercial"]["weak"] == 4
    assert seen["themes"][0]["weak"] >= seen["themes"][-1]["weak"], "the weakest first"
    assert "answers" not in str(seen) and "artisan" not in str(seen), "aggregates only"
    # The company's radar now has the collective's median, dashed, and its view the figures.
    mine = await ok(await members[0].get(f"{API}/collectives/{world.collective_id}/diagnostics"))
    [diagnostic] = mine["diagnostics"]
    assert diagnostic["collective_median_shown"] is True
    assert {s["theme_id"]: s["median"] for s in diagnostic["scores"]}["commercial"] == 33.3
    radar = await members[0].get(f"{API}/diagnostics/{diagnostic['id']}/radar.svg")
    assert radar.headers["content-type"].startswith("image/svg+xml")
    assert 'stroke-dasharray="7 5"' in radar.text and "Médiane du collectif" in radar.text
    assert "Commercial : 0 % (médiane du collectif 33 %)" in radar.text


async def test_a_need_becomes_a_meeting_and_a_board_in_one_click(
    world: World, make_client: MakeClient
) -> None:
    await diagnosed(world, make_client, 5)
    url = f"{API}/collectives/{world.collective_id}/needs/commercial/step"
    refused = await world.member.post(url, json={"template_id": "tpe-pme-360"})
    assert refused.status_code == 403
    step = await ok(
        await world.animator.post(
            url, json={"template_id": "tpe-pme-360", "held_on": "2027-01-15"}
        ),
        201,
    )
    assert step["title"] == "Atelier commercial : 4 entreprises concernées"
    board = await ok(await world.member.get(f"{API}/boards/{step['board_id']}"))
    [card] = [c for column in board["columns"] for c in column["cards"]]
    assert (
        card["title"] == "Comment progresser ensemble en commercial ?"
        and card["kind"] == "question"
    )
    meetings = await ok(await world.member.get(f"{API}/collectives/{world.collective_id}/meetings"))
    assert {m["id"] for m in meetings["meetings"]} == {step["meeting_id"]}
    # A workshop can start on that board, linked to that meeting.
    workshop = await ok(
        await world.animator.post(
            f"{API}/boards/{step['board_id']}/workshops",
            json={"template": "brainstorming", "meeting_id": step["meeting_id"]},
        ),
        201,
    )
    assert workshop["meeting_id"] == step["meeting_id"]
    phase = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/needs/export/step",
            json={"template_id": "tpe-pme-360", "kind": "phase", "starts_on": "2027-02-01"},
        ),
        201,
    )
    assert "phase_id" in phase and "meeting_id" not in phase
    unknown = await world.animator.post(
        f"{API}/collectives/{world.collective_id}/needs/astronomie/step",
        json={"template_id": "tpe-pme-360"},
    )
    assert unknown.status_code == 422
