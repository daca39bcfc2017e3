"""One's calendar feed: off until turned on, a secret URL that validates as iCalendar and opens
the collective's meetings (timed or all-day), phases and one's own actions' due dates; a new
secret revokes the old one; a forged, revoked or erased one is 404; nothing of a collective
one is not in, and no one else's action."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar

from tests.conftest import PASSWORD, ApiClient, MakeClient, World
from tests.support.collectives import url
from tests.support.diagnostics import API, company_member, ok, start


async def feed_of(client: ApiClient) -> str:
    turned: dict[str, str] = await ok(await client.post(f"{API}/me/calendar"))
    return turned["calendar_url"]


async def fetch(client: ApiClient, address: str) -> Calendar:
    response = await client.get(urlsplit(address).path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, dict[str, Any]]:
    return {
        str(e["summary"]): {k: e.get(k) for k in ("dtstart", "dtend", "location", "uid", "url")}
        for e in calendar.walk("VEVENT")
    }


async def test_the_feed_lists_meetings_phases_and_one_s_own_actions(
    world: World, make_client: MakeClient
) -> None:
    me = await ok(await world.member.get(f"{API}/me"))
    assert me["calendar_url"] is None, "off until one turns it on"
    soon = date.today() + timedelta(days=10)
    start_at = datetime.combine(soon, datetime.min.time(), UTC).replace(hour=16)
    await ok(
        await world.animator.post(
            url(world, "/meetings"),
            json={
                "title": "Atelier thermographie",
                "kind": "workshop",
                "held_on": soon.isoformat(),
                "starts_at": start_at.isoformat(),
                "ends_at": (start_at + timedelta(hours=3)).isoformat(),
                "location": "CMA, Valence",
            },
        ),
        201,
    )
    await ok(
        await world.animator.post(
            url(world, "/meetings"),
            json={"title": "Bilan de printemps", "held_on": soon.isoformat()},
        ),
        201,
    )
    await ok(
        await world.animator.post(
            url(world, "/phases"),
            json={
                "name": "Diagnostics",
                "kind": "individual",
                "starts_on": soon.isoformat(),
                "ends_on": (soon + timedelta(days=30)).isoformat(),
            },
        ),
        201,
    )
    julien = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await start(world, julien.id)
    actions = f"{API}/diagnostics/{diagnostic['id']}/actions"
    due = (date.today() + timedelta(days=5)).isoformat()
    await ok(await julien.post(actions, json={"title": "Appeler la CCI", "due_on": due}), 201)
    await ok(
        await julien.post(
            actions,
            json={"title": "Pour l'animatrice", "due_on": due, "owner_id": world.animator.id},
        ),
        201,
    )
    # Another collective's meeting never appears.
    other = await ok(
        await world.outsider.post(f"{API}/collectives", json={"name": "Ailleurs"}), 201
    )
    await ok(
        await world.outsider.post(
            f"{API}/collectives/{other['id']}/meetings",
            json={"title": "Réunion d'ailleurs", "held_on": soon.isoformat()},
        ),
        201,
    )

    address = await feed_of(julien)
    assert address.startswith("http://") and address.endswith(".ics")
    assert (await ok(await julien.get(f"{API}/me")))["calendar_url"] == address
    seen = events(await fetch(julien, address))
    workshop = seen["Atelier thermographie (Rénovation Drôme)"]
    assert workshop["dtstart"].dt == start_at and workshop["location"] == "CMA, Valence"
    assert workshop["dtend"].dt == start_at + timedelta(hours=3)
    all_day = seen["Bilan de printemps (Rénovation Drôme)"]
    assert all_day["dtstart"].dt == soon and all_day["dtend"].dt == soon + timedelta(days=1)
    phase = seen["Diagnostics (Rénovation Drôme)"]
    assert phase["dtend"].dt == soon + timedelta(days=31), "DTEND is exclusive"
    assert seen["Échéance : Appeler la CCI"]["dtstart"].dt == date.fromisoformat(due)
    assert "Échéance : Pour l'animatrice" not in seen, "another person's action"
    assert not [s for s in seen if "ailleurs" in s.lower()]
    uids = [str(e["uid"]) for e in seen.values()]
    assert len(set(uids)) == len(uids)
    anna = events(await fetch(world.animator, await feed_of(world.animator)))
    assert "Échéance : Pour l'animatrice" in anna and "Échéance : Appeler la CCI" not in anna


async def test_a_new_secret_revokes_the_old_one_and_forged_ones_are_404(
    world: World, make_client: MakeClient
) -> None:
    first = await feed_of(world.member)
    second = await feed_of(world.member)
    assert first != second
    anonymous = await make_client()
    assert (await anonymous.get(urlsplit(first).path)).status_code == 404
    assert (await anonymous.get(urlsplit(second).path)).status_code == 200, "no session needed"
    assert (await anonymous.get("/calendar/forged.ics")).status_code == 404
    assert (await anonymous.get("/calendar/" + "x" * 200 + ".ics")).status_code == 404
    await ok(await world.member.request("DELETE", f"{API}/me/calendar"), 204)
    assert (await anonymous.get(urlsplit(second).path)).status_code == 404
    assert (await ok(await world.member.get(f"{API}/me")))["calendar_url"] is None
    third = await feed_of(world.member)
    gone = await world.member.request("DELETE", f"{API}/me", json={"password": PASSWORD})
    assert gone.status_code in (200, 204), gone.text
    assert (await anonymous.get(urlsplit(third).path)).status_code == 404, "erasure ends the feed"


async def test_meeting_times_are_checked(world: World) -> None:
    day = date.today() + timedelta(days=3)
    starts = datetime.combine(day, datetime.min.time(), UTC).replace(hour=9)
    for body, field in (
        ({"ends_at": starts.isoformat()}, "starts_at"),
        ({"starts_at": (starts + timedelta(days=2)).isoformat()}, "starts_at"),
        ({"starts_at": starts.isoformat(), "ends_at": starts.isoformat()}, "ends_at"),
    ):
        response = await world.animator.post(
            url(world, "/meetings"), json={"title": "Réunion", "held_on": day.isoformat(), **body}
        )
        assert response.status_code == 422 and field in response.json()["error"]["fields"]
    meeting = await ok(
        await world.animator.post(
            url(world, "/meetings"),
            json={"title": "Réunion", "held_on": day.isoformat(), "starts_at": starts.isoformat()},
        ),
        201,
    )
    assert meeting["starts_at"] == starts.isoformat() and meeting["location"] == ""
    moved = await ok(
        await world.animator.patch(
            f"{API}/meetings/{meeting['id']}",
            json={"held_on": (day + timedelta(days=1)).isoformat()},
        )
    )
    assert moved["starts_at"] is None, "a new day without new times is an all-day meeting"
