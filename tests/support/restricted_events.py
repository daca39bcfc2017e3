"""A collective's history holding one event of every restricted kind, for the tests that check
what members and observers get of them over ``GET /events`` and ``/ws``."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import MakeClient, World, join

API = "/api/v1"
# What those who may not see an event keep of its data: the ids that keep them in sync.
REDACTED_KEYS = {"id", "card_id", "redacted"}


async def make_restricted_events(world: World, make_client: MakeClient) -> set[str]:
    """Write one event of every restricted kind (and hide the world's card); the kinds."""
    cid, card = world.collective_id, world.card
    collective = f"{API}/collectives/{cid}"

    async def ok(response: Any) -> dict[str, Any]:
        assert response.status_code in {200, 201}, response.text
        return response.json() if response.content else {}

    # The member flags the card; the animator hides it by resolving the flag.
    flag = await ok(
        await world.member.post(f"{API}/cards/{card['id']}/flags", json={"reason": "spam"})
    )
    await ok(
        await world.animator.post(f"{API}/flags/{flag['id']}/resolve", json={"outcome": "hidden"})
    )
    # Animators still work on the hidden card: everything about it is restricted.
    hidden = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{card['id']}", json={"version": hidden["version"], "body": "Caché"}
        )
    )
    comment = await ok(
        await world.animator.post(f"{API}/cards/{card['id']}/comments", json={"body": "Note"})
    )
    await ok(await world.animator.patch(f"{API}/comments/{comment['id']}", json={"body": "Notée"}))
    await ok(
        await world.animator.post(f"{API}/cards/{card['id']}/reactions", json={"kind": "useful"})
    )
    await ok(
        await world.animator.post(
            f"{API}/cards/{card['id']}/attachments",
            files={"file": ("notes.txt", b"Bonjour\n", "text/plain")},
        )
    )
    # The animation module's events.
    await ok(await world.animator.post(f"{collective}/nudges", json={"user_id": world.member.id}))
    await ok(
        await world.animator.request(
            "PUT", f"{collective}/nudge-template", json={"template": "Bonjour {prenom}"}
        )
    )
    await ok(
        await world.animator.request(
            "PUT", f"{collective}/alert-thresholds", json={"post_unanswered_hours": 72}
        )
    )
    newcomer = await make_client("lea")
    await join(world.animator, newcomer, cid, "member")
    await ok(await world.animator.post(f"{collective}/welcomes", json={"user_id": newcomer.id}))
    return {
        "flag.created",
        "flag.resolved",
        "card.updated",
        "comment.created",
        "comment.updated",
        "reaction.added",
        "attachment.added",
        "nudge.sent",
        "nudge.template_updated",
        "alerts.thresholds_updated",
        "welcome.sent",
    }


def assert_nothing_identifying(events: list[dict[str, Any]], kinds: set[str], who: str) -> None:
    """Every event of ``kinds`` (all of them present) is redacted down to ids: no actor, no
    name, no content."""
    seen = {e["kind"] for e in events if e["kind"] in kinds}
    assert seen == kinds, f"{who} did not get {sorted(kinds - seen)}"
    names = ("anna", "marc", "olga", "lea", "Caché", "Note", "notes.txt", "Bonjour")
    for event in events:
        if event["kind"] not in kinds and not event["data"].get("redacted"):
            continue
        assert event["data"].get("redacted") is True, (who, event)
        assert event["actor"] is None, (who, event)
        assert set(event["data"]) <= REDACTED_KEYS, (who, event)
        text = json.dumps(event, ensure_ascii=False)
        assert not [n for n in names if n in text], (who, event)


def assert_complete(events: list[dict[str, Any]], kinds: set[str]) -> None:
    """Animators get every event of ``kinds`` whole: who did it and what."""
    restricted = [e for e in events if e["kind"] in kinds]
    assert {e["kind"] for e in restricted} == kinds
    for event in restricted:
        assert isinstance(event["actor"], int), event
        assert not event["data"].get("redacted"), event
