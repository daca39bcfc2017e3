"""Reminders before an action's due date: once per action and date, to its owner (else the
diagnosed member), never for an action done, overdue or of someone who left."""

from __future__ import annotations

from datetime import timedelta

from server.core.models import utcnow
from server.core.timezone import paris_day
from server.domain.diagnostics.reminders import remind_due_actions
from tests.conftest import MakeClient, World
from tests.support.diagnostics import API, company_member, ok, start
from tests.support.platform import essaim_of


def days(n: int) -> str:
    """``n`` days from today in Paris (the day due dates are read in)."""
    return (paris_day(utcnow()) + timedelta(days=n)).isoformat()


async def test_one_reminder_per_action_and_due_date(world: World, make_client: MakeClient) -> None:
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await start(world, julien.id)
    actions = f"{API}/diagnostics/{diagnostic['id']}/actions"
    soon = await ok(
        await julien.post(actions, json={"title": "Appeler la CCI", "due_on": days(1)}), 201
    )
    await ok(await julien.post(actions, json={"title": "Plus tard", "due_on": days(30)}), 201)
    done = await ok(await julien.post(actions, json={"title": "Déjà fait", "due_on": days(2)}), 201)
    await ok(
        await julien.patch(f"{API}/actions/{done['id']}", json={"version": 1, "status": "done"})
    )
    owned = await ok(
        await julien.post(
            actions,
            json={"title": "Pour l'animatrice", "due_on": days(0), "owner_id": world.animator.id},
        ),
        201,
    )
    essaim = essaim_of(world)
    assert await remind_due_actions(essaim) == 2
    assert await remind_due_actions(essaim) == 0, "once per action and due date"
    mine = await ok(await julien.get(f"{API}/me/notifications"))
    [reminder] = [n for n in mine["notifications"] if n["kind"] == "action_due"]
    assert reminder["title"] == "Action à échéance demain : Appeler la CCI"
    assert reminder["data"]["url"] == f"/d/{diagnostic['id']}"
    anna = await ok(await world.animator.get(f"{API}/me/notifications"))
    assert [n["title"] for n in anna["notifications"] if n["kind"] == "action_due"] == [
        "Action à échéance aujourd'hui : Pour l'animatrice"
    ]
    others = await ok(await world.member.get(f"{API}/me/notifications"))
    assert not [n for n in others["notifications"] if n["kind"] == "action_due"]
    # A new due date gets its own reminder.
    await ok(
        await julien.patch(f"{API}/actions/{soon['id']}", json={"version": 1, "due_on": days(2)})
    )
    assert await remind_due_actions(essaim) == 1
    # Someone who left the collective is not reminded.
    await ok(
        await julien.patch(f"{API}/actions/{soon['id']}", json={"version": 2, "due_on": days(3)})
    )
    left = await julien.request(
        "DELETE", f"{API}/collectives/{world.collective_id}/members/{julien.id}"
    )
    assert left.status_code in (200, 204), left.text
    assert await remind_due_actions(essaim) == 0
    assert owned["id"]
