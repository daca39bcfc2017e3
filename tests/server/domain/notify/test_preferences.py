"""Preferences: defaults (mentions and answers at once, reactions in the digest), set per
collective or for all, respected by every way a notification travels (never: not even in the
application; app: no email; daily/weekly: the digest; immediate: its own email), quiet hours
that hold the email until they end, the one-click unsubscribe; bad input refused whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.domain.notify.dispatch import dispatch
from server.domain.notify.prefs import quiet_until
from tests.conftest import ApiClient, World
from tests.support.platform import essaim_of

API = "/api/v1"
PREFS = f"{API}/me/notification-preferences"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def mine(view: dict[str, Any], collective_id: int) -> dict[str, str]:
    [entry] = [c for c in view["collectives"] if c["collective_id"] == collective_id]
    found: dict[str, str] = entry["preferences"]
    return found


async def comment(client: ApiClient, card_id: int, body: str) -> None:
    await ok(await client.post(f"{API}/cards/{card_id}/comments", json={"body": body}), 201)


async def test_defaults_and_what_each_role_is_offered(world: World) -> None:
    member = await ok(await world.member.get(PREFS))
    assert member["deliveries"] == ["immediate", "daily", "weekly", "app", "never"]
    prefs = mine(member, world.collective_id)
    assert prefs["mention"] == "immediate" and prefs["answer"] == "immediate"
    assert prefs["reaction"] == "daily"
    assert "flag" not in prefs and "invitation" not in prefs, "animators' kinds"
    animator = mine(await ok(await world.animator.get(PREFS)), world.collective_id)
    assert animator["flag"] == "immediate" and animator["invitation"] == "daily"
    nudge = next(k for k in member["kinds"] if k["name"] == "nudge")
    assert "never" not in nudge["choices"], "an animator's message always stays in the app"
    assert member["quiet_hours"] is None
    anonymous = await world.outsider.http.get(PREFS, headers={"Cookie": ""})
    outsider = await ok(await world.outsider.get(PREFS))
    assert all(c["collective_id"] != world.collective_id for c in outsider["collectives"])
    assert anonymous.status_code in (401, 200)


async def test_bad_preferences_are_refused_whole(world: World) -> None:
    cid = world.collective_id
    bodies: list[tuple[Any, int]] = [
        ({"collectives": [{"collective_id": cid, "preferences": {"comment": "sometimes"}}]}, 422),
        ({"collectives": [{"collective_id": cid, "preferences": {"gossip": "never"}}]}, 422),
        ({"collectives": [{"collective_id": cid, "preferences": {"flag": "never"}}]}, 422),
        ({"collectives": [{"collective_id": cid, "preferences": {"nudge": "never"}}]}, 422),
        ({"all": {"comment": "app", "nudge": "never"}}, 422),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, 422),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, 422),
        ({"quiet_hours": {"start": "22:00"}}, 422),
        ({"surprise": True}, 422),
        ({"collectives": [{"collective_id": 999_999, "preferences": {"comment": "app"}}]}, 404),
        ([], 422),
    ]
    before = await ok(await world.member.get(PREFS))
    for body, status in bodies:
        answer = await world.member.request("PUT", PREFS, json=body)
        assert answer.status_code == status, (body, answer.text)
    # A valid change next to a wrong one: nothing of it is stored.
    mixed = {
        "collectives": [
            {"collective_id": cid, "preferences": {"comment": "app"}},
            {"collective_id": cid, "preferences": {"comment": "often"}},
        ]
    }
    assert (await world.member.request("PUT", PREFS, json=mixed)).status_code == 422
    assert await ok(await world.member.get(PREFS)) == before
    other = await world.outsider.request(
        "PUT", PREFS, json={"collectives": [{"collective_id": cid, "preferences": {}}]}
    )
    assert other.status_code == 404, "another collective's preferences are not theirs"


async def test_never_app_and_immediate_are_respected(world: World) -> None:
    essaim = essaim_of(world)
    cid, card = world.collective_id, world.card["id"]
    changed = await ok(
        await world.member.request(
            "PUT",
            PREFS,
            json={"collectives": [{"collective_id": cid, "preferences": {"comment": "never"}}]},
        )
    )
    assert mine(changed, cid)["comment"] == "never"
    await comment(world.animator, card, "Premier avis.")
    listed = await ok(await world.member.get(f"{API}/notifications"))
    assert [n for n in listed["notifications"] if n["kind"] == "comment"] == []
    assert [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"] == []
    # App only: in the bell, never emailed.
    await ok(await world.member.request("PUT", PREFS, json={"all": {"comment": "app"}}))
    await comment(world.animator, card, "Deuxième avis.")
    listed = await ok(await world.member.get(f"{API}/notifications"))
    assert [n["kind"] for n in listed["notifications"]].count("comment") == 1
    assert [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"] == []
    # Back to immediate: the next comment is emailed.
    await ok(await world.member.request("PUT", PREFS, json={"all": {"comment": "immediate"}}))
    await ok(await world.member.post(f"{API}/notifications/read", json={"all": True}))
    await comment(world.animator, card, "Troisième avis.")
    [email] = [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"]
    assert "Troisième avis." in email.text
    stored = mine(await ok(await world.member.get(PREFS)), cid)
    assert stored["comment"] == "immediate"


async def test_what_was_read_in_the_app_is_not_emailed(world: World) -> None:
    essaim = essaim_of(world)
    await comment(world.animator, world.card["id"], "Vu ?")
    await ok(await world.member.post(f"{API}/notifications/read", json={"all": True}))
    assert [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"] == []


async def test_reactions_go_in_the_daily_digest(world: World) -> None:
    essaim = essaim_of(world)
    await ok(
        await world.animator.post(
            f"{API}/cards/{world.card['id']}/reactions", json={"kind": "useful"}
        ),
        201,
    )
    [note] = [
        n
        for n in (await ok(await world.member.get(f"{API}/notifications")))["notifications"]
        if n["kind"] == "reaction"
    ]
    assert (
        note["title"]
        == "Une personne a trouvé votre fiche « Mutualiser les achats d'isolant » utile"
    )
    # 07:00 in Paris: before the digest hour, nothing.
    early = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)
    assert [e for e in (await dispatch(essaim, early)).sent if e.to == "marc@example.fr"] == []
    at_nine = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    [digest] = [e for e in (await dispatch(essaim, at_nine)).sent if e.to == "marc@example.fr"]
    assert digest.subject == "Essaim : votre résumé du jour"
    assert "utile" in digest.text and "« Rénovation Drôme »" in digest.text
    # One digest a day.
    await ok(
        await world.animator.post(
            f"{API}/cards/{world.card['id']}/reactions", json={"kind": "tried_it"}
        ),
        201,
    )
    again = at_nine + timedelta(hours=2)
    assert [e for e in (await dispatch(essaim, again)).sent if e.to == "marc@example.fr"] == []


async def test_quiet_hours_hold_the_email_until_they_end(world: World) -> None:
    essaim = essaim_of(world)
    await ok(
        await world.member.request(
            "PUT", PREFS, json={"quiet_hours": {"start": "20:00", "end": "07:30"}}
        )
    )
    await comment(world.animator, world.card["id"], "Tard le soir.")
    night = datetime(2026, 12, 8, 22, 0, tzinfo=UTC)  # 23:00 in Paris
    held = await dispatch(essaim, night)
    assert [e for e in held.sent if e.to == "marc@example.fr"] == [] and held.deferred == 1
    morning = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    assert [e.to for e in (await dispatch(essaim, morning)).sent] == ["marc@example.fr"]
    cleared = await ok(await world.member.request("PUT", PREFS, json={"quiet_hours": None}))
    assert cleared["quiet_hours"] is None


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = {"start": "22:00", "end": "07:00"}
    paris_23h = datetime(2026, 12, 8, 22, 0, tzinfo=UTC)
    assert quiet_until(night, paris_23h) == datetime(2026, 12, 9, 6, 0, tzinfo=UTC)
    assert quiet_until(night, datetime(2026, 12, 8, 12, 0, tzinfo=UTC)) is None
    lunch = {"start": "12:00", "end": "14:00"}
    assert quiet_until(lunch, datetime(2026, 12, 8, 11, 30, tzinfo=UTC)) is not None
    assert quiet_until(lunch, datetime(2026, 12, 8, 13, 30, tzinfo=UTC)) is None
    assert quiet_until(None, paris_23h) is None


async def test_one_click_unsubscribe_stops_that_kind_there(world: World) -> None:
    essaim = essaim_of(world)
    await comment(world.animator, world.card["id"], "Un avis.")
    [email] = [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"]
    link = (email.header("List-Unsubscribe") or "").strip("<>")
    path = link.removeprefix("https://essaim.example")
    page = await world.outsider.http.get(path)
    assert page.status_code == 200 and "commentaires" in page.text
    assert (
        mine(await ok(await world.member.get(PREFS)), world.collective_id)["comment"] == "immediate"
    )
    # The mail client's one-click POST (RFC 8058), without cookie or CSRF token.
    done = await world.outsider.http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    prefs = mine(await ok(await world.member.get(PREFS)), world.collective_id)
    assert prefs["comment"] == "app" and prefs["mention"] == "immediate"
    forged = await world.outsider.http.post(path[:-3] + "abc")
    assert forged.status_code == 400
    assert (await world.outsider.http.get("/notifications/unsubscribe")).status_code == 400
