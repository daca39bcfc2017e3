"""What a review found, kept fixed: odd template keys and huge numbers are 4xx, not 500; an
observer's report shows no individual figures below five companies; a reminder goes only to
someone who may see the plan; a no-op edit keeps a template's version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.domain.diagnostics.reminders import remind_due_actions
from tests.conftest import MakeClient, World
from tests.support.collectives import url
from tests.support.diagnostics import API, SCALES, answer, company_member, ok, start
from tests.support.platform import essaim_of


@pytest.mark.parametrize("key", ["custom-²", "custom-99999999999999999999", "custom-3000000000"])
async def test_odd_template_keys_are_refused_not_crashed_on(world: World, key: str) -> None:
    assert (await world.member.get(f"{API}/diagnostic-templates/{key}")).status_code == 404
    patched = await world.animator.patch(f"{API}/diagnostic-templates/{key}", json={"name": "X"})
    assert patched.status_code == 404
    made = await world.animator.post(
        url(world, "/diagnostics"), json={"template_id": key, "member_id": world.member.id}
    )
    assert made.status_code == 422
    started = await world.animator.post(
        f"{API}/boards/{world.board_id}/workshops", json={"template": key}
    )
    assert started.status_code == 422


async def test_a_huge_number_is_refused(world: World) -> None:
    diagnostic = await start(world, world.member.id)
    response = await world.animator.patch(
        f"{API}/diagnostics/{diagnostic['id']}",
        json={"version": 1, "answers": {"commercial.clients": 10**400}},
    )
    assert response.status_code == 422, response.text


async def test_observers_see_no_individual_figures_below_five_companies(
    world: World, make_client: MakeClient
) -> None:
    member = await company_member(world, make_client, "julien", "Menuiserie Roux")
    await answer(world, await start(world, member.id), [2])
    seen = await ok(await world.observer.get(url(world, "/report"), params={"format": "json"}))
    assert seen["individual"] is None
    mine = await ok(await world.animator.get(url(world, "/report"), params={"format": "json"}))
    assert mine["individual"]["companies_diagnosed"] == 1
    page = await world.observer.get(url(world, "/report"), params={"format": "html"})
    assert "Phase individuelle" not in page.text


async def test_a_reminder_goes_to_someone_who_may_see_the_plan(
    world: World, make_client: MakeClient
) -> None:
    zoe = await company_member(world, make_client, "zoe", "Granulés & Cie")
    paul = await company_member(world, make_client, "paul", "Granulés & Cie")
    diagnostic = await start(world, zoe.id, company_user_ids=[paul.id])
    due = (date.today() + timedelta(days=2)).isoformat()
    await ok(
        await zoe.post(
            f"{API}/diagnostics/{diagnostic['id']}/actions",
            json={"title": "Plan secret", "owner_id": paul.id, "due_on": due},
        ),
        201,
    )
    # Paul is taken out of the company: the reminder goes to Zoé, not to him.
    await ok(
        await world.animator.patch(
            f"{API}/diagnostics/{diagnostic['id']}", json={"version": 1, "company_user_ids": []}
        )
    )
    assert await remind_due_actions(essaim_of(world)) == 1
    for client, expected in ((zoe, 1), (paul, 0)):
        listed = await ok(await client.get(f"{API}/me/notifications"))
        assert len([n for n in listed["notifications"] if n["kind"] == "action_due"]) == expected


async def test_a_no_op_edit_keeps_the_template_s_version(world: World) -> None:
    body = {
        "name": "Express",
        "themes": [
            {
                "id": "rh",
                "title": "RH",
                "questions": [{"id": "rh.n", "text": "N", "kind": "number"}],
            }
        ],
    }
    made = await ok(await world.animator.post(url(world, "/diagnostic-templates"), json=body), 201)
    same = await ok(
        await world.animator.patch(
            f"{API}/diagnostic-templates/{made['id']}", json={"name": "Express"}
        )
    )
    assert same["version"] == 1
    assert SCALES
