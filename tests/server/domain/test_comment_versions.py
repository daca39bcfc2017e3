"""Comment edits are optimistic like card edits: an editor sends back the ``updated_at`` it
started from, and a comment changed meanwhile answers 409 with the current comment."""

from __future__ import annotations

from tests.conftest import World

API = "/api/v1"


async def test_a_stale_comment_edit_is_refused_with_the_current_comment(world: World) -> None:
    card = world.card["id"]
    posted = await world.member.post(f"{API}/cards/{card}/comments", json={"body": "Premier jet"})
    comment = posted.json()
    url = f"{API}/comments/{comment['id']}"
    # The author edits from the version they loaded: accepted, and updated_at moves on.
    first = await world.member.patch(
        url, json={"body": "Deuxième jet", "updated_at": comment["updated_at"]}
    )
    assert first.status_code == 200, first.text
    assert first.json()["updated_at"] > comment["updated_at"]
    # An animator editing from the first version does not overwrite it.
    stale = await world.animator.patch(
        url, json={"body": "Correction", "updated_at": comment["updated_at"]}
    )
    assert stale.status_code == 409, stale.text
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"]["body"] == "Deuxième jet"
    assert error["current"]["updated_at"] == first.json()["updated_at"]
    stored = (await world.member.get(f"{API}/cards/{card}")).json()["comments"]
    assert [c["body"] for c in stored] == ["Deuxième jet"]
    # From the current version it goes through.
    fresh = await world.animator.patch(
        url, json={"body": "Correction", "updated_at": error["current"]["updated_at"]}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["body"] == "Correction"


async def test_a_comment_version_must_carry_its_time_zone(world: World) -> None:
    posted = await world.member.post(
        f"{API}/cards/{world.card['id']}/comments", json={"body": "Bonjour"}
    )
    url = f"{API}/comments/{posted.json()['id']}"
    naive = await world.member.patch(url, json={"body": "x", "updated_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422, naive.text
    assert "updated_at" in naive.json()["error"]["fields"]
    stored = (await world.member.get(f"{API}/cards/{world.card['id']}")).json()["comments"]
    assert [c["body"] for c in stored] == ["Bonjour"]
