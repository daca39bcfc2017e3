"""Moderation over HTTP: pinning cards, locking boards, the flag review queue, the audit log."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, World

API = "/api/v1"


async def _events(client: ApiClient, cid: int) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/collectives/{cid}/events?since=0&limit=500")
    assert response.status_code == 200, response.text
    return list(response.json()["events"])


async def _seq(world: World) -> int:
    return int((await world.animator.get(f"{API}/collectives/{world.collective_id}")).json()["seq"])


# ---------------------------------------------------------------- pin


async def test_animator_pins_a_card_which_is_listed_first_in_its_column(world: World) -> None:
    other = await world.member.post(f"{API}/boards/{world.board_id}/cards", json={"title": "Deux"})
    assert other.status_code == 201
    second = other.json()
    pinned = await world.animator.patch(
        f"{API}/cards/{second['id']}", json={"version": second["version"], "pinned": True}
    )
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["pinned"] is True
    assert pinned.json()["version"] == second["version"] + 1
    board = (await world.member.get(f"{API}/boards/{world.board_id}")).json()
    cards = board["columns"][0]["cards"]
    assert [c["id"] for c in cards] == [second["id"], world.card["id"]]
    assert [c["pinned"] for c in cards] == [True, False]
    assert [c["position"] for c in cards] == [1, 0], "pinning does not change positions"
    kinds = [e["kind"] for e in await _events(world.member, world.collective_id)]
    assert kinds[-1] == "card.pinned"
    unpinned = await world.animator.patch(
        f"{API}/cards/{second['id']}", json={"version": second["version"] + 1, "pinned": False}
    )
    assert unpinned.json()["pinned"] is False
    assert (await _events(world.member, world.collective_id))[-1]["kind"] == "card.unpinned"


async def test_members_cannot_pin_even_their_own_card(world: World) -> None:
    before = await _seq(world)
    url = f"{API}/cards/{world.card['id']}"
    refused = await world.member.patch(url, json={"version": 1, "pinned": True})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden"
    bad = await world.animator.patch(url, json={"version": 1, "pinned": None})
    assert bad.status_code == 422 and "pinned" in bad.json()["error"]["fields"]
    bad = await world.animator.patch(url, json={"version": 1, "pinned": "yes"})
    assert bad.status_code == 422 and "pinned" in bad.json()["error"]["fields"]
    assert await _seq(world) == before
    assert (await world.member.get(url)).json()["pinned"] is False


# ---------------------------------------------------------------- lock


async def test_a_locked_board_refuses_members_changes_but_not_animators(world: World) -> None:
    board_url = f"{API}/boards/{world.board_id}"
    locked = await world.animator.patch(board_url, json={"locked": True})
    assert locked.status_code == 200, locked.text
    assert locked.json()["locked"] is True
    assert (await world.member.get(board_url)).json()["locked"] is True
    card_url = f"{API}/cards/{world.card['id']}"
    before = await _seq(world)
    attempts = [
        await world.member.post(f"{board_url}/cards", json={"title": "Encore une"}),
        await world.member.patch(card_url, json={"version": 1, "title": "Changé"}),
        await world.member.patch(card_url, json={"version": 1, "column_id": world.columns[1]}),
        await world.member.post(f"{card_url}/comments", json={"body": "Je réponds"}),
        await world.member.post(
            f"{card_url}/attachments", files={"file": ("notes.txt", b"Mes notes", "text/plain")}
        ),
    ]
    for response in attempts:
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "board_locked"
    assert await _seq(world) == before, "a refused change wrote nothing"
    card = (await world.member.get(card_url)).json()
    assert card["title"] == world.card["title"] and card["version"] == 1
    # Reactions stay open; animators still write.
    react = await world.member.post(f"{card_url}/reactions", json={"kind": "useful"})
    assert react.status_code == 201, react.text
    by_animator = await world.animator.post(f"{board_url}/cards", json={"title": "Synthèse"})
    assert by_animator.status_code == 201, by_animator.text
    comment = await world.animator.post(f"{card_url}/comments", json={"body": "Clos"})
    assert comment.status_code == 201
    # Unlocked, members write again.
    assert (await world.animator.patch(board_url, json={"locked": False})).json()["locked"] is False
    again = await world.member.post(f"{board_url}/cards", json={"title": "Encore une"})
    assert again.status_code == 201, again.text


async def test_only_animators_lock_boards(world: World) -> None:
    url = f"{API}/boards/{world.board_id}"
    assert (await world.member.patch(url, json={"locked": True})).status_code == 403
    assert (await world.observer.patch(url, json={"locked": True})).status_code == 403
    assert (await world.outsider.patch(url, json={"locked": True})).status_code == 404
    bad = await world.animator.patch(url, json={"locked": None})
    assert bad.status_code == 422 and "locked" in bad.json()["error"]["fields"]
    assert (await world.member.get(url)).json()["locked"] is False


# ---------------------------------------------------------------- flags


async def test_member_flags_a_card_once_and_animator_sees_the_queue(world: World) -> None:
    url = f"{API}/cards/{world.card['id']}/flags"
    flagged = await world.member.post(url, json={"reason": "spam", "note": "Publicité"})
    assert flagged.status_code == 201, flagged.text
    flag = flagged.json()
    assert flag["status"] == "open" and flag["reason"] == "spam" and flag["note"] == "Publicité"
    assert "reporter" not in flag and "flag_count" not in flag
    again = await world.member.post(url, json={"reason": "other", "note": None})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_flagged"
    by_animator = await world.animator.post(url, json={"reason": "off_topic"})
    assert by_animator.status_code == 201

    queue = await world.animator.get(f"{API}/collectives/{world.collective_id}/flags")
    assert queue.status_code == 200, queue.text
    flags = queue.json()["flags"]
    assert len(flags) == 2
    mine = next(f for f in flags if f["id"] == flag["id"])
    assert mine["reporter"] == {"id": world.member.id, "display_name": "marc"}
    assert mine["target_type"] == "card" and mine["target_id"] == world.card["id"]
    assert mine["card"]["title"] == world.card["title"]
    assert mine["card"]["board_id"] == world.board_id and mine["card"]["board_name"] == "Idées"
    assert mine["comment"] is None
    assert mine["flag_count"] == 2 and mine["open_flag_count"] == 2
    resolved = await world.animator.get(
        f"{API}/collectives/{world.collective_id}/flags?status=resolved"
    )
    assert resolved.json()["flags"] == []


async def test_flag_events_do_not_reveal_the_reporter_to_members(world: World) -> None:
    url = f"{API}/cards/{world.card['id']}/flags"
    assert (await world.member.post(url, json={"reason": "personal_data"})).status_code == 201
    seen_by_member = (await _events(world.member, world.collective_id))[-1]
    assert seen_by_member["kind"] == "flag.created"
    assert seen_by_member["data"].get("redacted") is True
    assert seen_by_member["card"] is None and seen_by_member["board"] is None
    assert "marc" not in str(seen_by_member)
    seen_by_observer = (await _events(world.observer, world.collective_id))[-1]
    assert seen_by_observer["data"].get("redacted") is True
    seen_by_animator = (await _events(world.animator, world.collective_id))[-1]
    assert seen_by_animator["data"]["reporter"]["id"] == world.member.id


async def test_who_may_flag_and_read_the_queue(world: World) -> None:
    url = f"{API}/cards/{world.card['id']}/flags"
    queue = f"{API}/collectives/{world.collective_id}/flags"
    assert (await world.observer.post(url, json={"reason": "spam"})).status_code == 403
    assert (await world.outsider.post(url, json={"reason": "spam"})).status_code == 404
    assert (await world.member.get(queue)).status_code == 403
    assert (await world.observer.get(queue)).status_code == 403
    assert (await world.outsider.get(queue)).status_code == 404
    before = await _seq(world)
    for body, field in (
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "spam", "note": 5}, "note"),
        ({"reason": "spam", "note": "x" * 2001}, "note"),
        ({"reason": "spam", "extra": 1}, "extra"),
    ):
        response = await world.member.post(url, json=body)
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["fields"]
    bad_status = await world.animator.get(queue + "?status=closed")
    assert bad_status.status_code == 422 and "status" in bad_status.json()["error"]["fields"]
    assert await _seq(world) == before
    assert (await world.animator.get(queue)).json()["flags"] == []


async def test_resolving_as_hidden_hides_the_card_for_members(world: World) -> None:
    card_url = f"{API}/cards/{world.card['id']}"
    flag = (await world.member.post(f"{card_url}/flags", json={"reason": "offensive"})).json()
    resolve = f"{API}/flags/{flag['id']}/resolve"
    assert (await world.member.post(resolve, json={"outcome": "hidden"})).status_code == 403
    assert (await world.outsider.post(resolve, json={"outcome": "hidden"})).status_code == 404
    bad = await world.animator.post(resolve, json={"outcome": "deleted"})
    assert bad.status_code == 422 and "outcome" in bad.json()["error"]["fields"]
    done = await world.animator.post(resolve, json={"outcome": "hidden"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved" and done.json()["outcome"] == "hidden"
    assert done.json()["card"]["moderation"] == "hidden"
    assert (await world.member.get(card_url)).status_code == 404
    assert (await world.animator.get(card_url)).json()["moderation"] == "hidden"
    kinds = [e["kind"] for e in await _events(world.member, world.collective_id)]
    assert kinds[-2:] == ["card.hidden", "flag.resolved"]
    twice = await world.animator.post(resolve, json={"outcome": "dismissed"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "flag_resolved"
    resolved = await world.animator.get(
        f"{API}/collectives/{world.collective_id}/flags?status=resolved"
    )
    assert [f["id"] for f in resolved.json()["flags"]] == [flag["id"]]
    assert resolved.json()["flags"][0]["resolved_by"]["id"] == world.animator.id


async def test_flagged_comment_is_hidden_and_all_its_flags_resolved_together(
    world: World,
) -> None:
    card_url = f"{API}/cards/{world.card['id']}"
    comment = (
        await world.animator.post(
            f"{card_url}/comments", json={"body": "Mon numéro : 06 12 34 56 78"}
        )
    ).json()
    first = (
        await world.member.post(
            f"{API}/comments/{comment['id']}/flags", json={"reason": "personal_data"}
        )
    ).json()
    third = world.outsider  # joins as a member to flag too
    from tests.conftest import join

    await join(world.animator, third, world.collective_id, "member")
    second = await third.post(f"{API}/comments/{comment['id']}/flags", json={"reason": "other"})
    assert second.status_code == 201
    queue = (await world.animator.get(f"{API}/collectives/{world.collective_id}/flags")).json()
    entry = next(f for f in queue["flags"] if f["id"] == first["id"])
    assert entry["comment"]["excerpt"].startswith("Mon numéro")
    assert entry["card"]["id"] == world.card["id"] and entry["open_flag_count"] == 2
    done = await world.animator.post(
        f"{API}/flags/{first['id']}/resolve", json={"outcome": "hidden"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["resolved_flag_ids"] == sorted([first["id"], second.json()["id"]])
    member_view = (await world.member.get(card_url)).json()
    assert [c["id"] for c in member_view["comments"]] == []
    queue = (await world.animator.get(f"{API}/collectives/{world.collective_id}/flags")).json()
    assert queue["flags"] == []


async def test_dismissing_leaves_the_content_visible(world: World) -> None:
    card_url = f"{API}/cards/{world.card['id']}"
    flag = (await world.member.post(f"{card_url}/flags", json={"reason": "spam"})).json()
    done = await world.animator.post(
        f"{API}/flags/{flag['id']}/resolve", json={"outcome": "dismissed"}
    )
    assert done.status_code == 200 and done.json()["outcome"] == "dismissed"
    assert (await world.member.get(card_url)).json()["moderation"] == "published"
    # Once resolved, the member may flag the same card again.
    assert (
        await world.member.post(f"{card_url}/flags", json={"reason": "spam"})
    ).status_code == 201


# ---------------------------------------------------------------- audit log


async def test_every_moderation_action_is_in_the_audit_log(world: World) -> None:
    cid, card_url = world.collective_id, f"{API}/cards/{world.card['id']}"
    a = world.animator
    await a.patch(card_url, json={"version": 1, "pinned": True})
    await a.patch(card_url, json={"version": 2, "moderation": "hidden"})
    await a.patch(card_url, json={"version": 3, "moderation": "published"})
    comment = (await world.member.post(f"{card_url}/comments", json={"body": "Hors sujet"})).json()
    await a.patch(f"{API}/comments/{comment['id']}", json={"moderation": "hidden"})
    await a.patch(f"{API}/boards/{world.board_id}", json={"locked": True})
    await a.patch(f"{API}/boards/{world.board_id}", json={"locked": False})
    flag = (await world.member.post(f"{card_url}/flags", json={"reason": "spam"})).json()
    await a.post(f"{API}/flags/{flag['id']}/resolve", json={"outcome": "dismissed"})
    await a.patch(f"{API}/collectives/{cid}/members/{world.observer.id}", json={"role": "member"})
    await a.delete(f"{API}/collectives/{cid}/members/{world.observer.id}")

    page = await a.get(f"{API}/collectives/{cid}/audit")
    assert page.status_code == 200, page.text
    entries = page.json()["entries"]
    assert page.json()["next"] is None
    assert [e["action"] for e in reversed(entries)] == [
        "card.pinned",
        "card.hidden",
        "card.restored",
        "comment.hidden",
        "board.locked",
        "board.unlocked",
        "flag.resolved",
        "member.role_changed",
        "member.removed",
    ]
    latest = entries[0]
    assert latest["actor"] == {"id": a.id, "display_name": "anna"}
    assert latest["target_type"] == "member" and latest["target_id"] == world.observer.id
    assert latest["detail"]["display_name"] == "olga"
    role = entries[1]
    assert role["detail"]["from"] == "observer" and role["detail"]["to"] == "member"
    assert entries[2]["detail"]["outcome"] == "dismissed"
    assert {"id", "at", "actor", "action", "target_type", "target_id", "detail"} == set(latest)

    first = await a.get(f"{API}/collectives/{cid}/audit?limit=4")
    assert [e["id"] for e in first.json()["entries"]] == [e["id"] for e in entries[:4]]
    following = await a.get(f"{API}/collectives/{cid}/audit?limit=4&before={first.json()['next']}")
    assert [e["id"] for e in following.json()["entries"]] == [e["id"] for e in entries[4:8]]


async def test_only_animators_read_the_audit_log(world: World) -> None:
    url = f"{API}/collectives/{world.collective_id}/audit"
    assert (await world.member.get(url)).status_code == 403
    assert (await world.observer.get(url)).status_code == 403
    assert (await world.outsider.get(url)).status_code == 404
    for query, field in (("limit=0", "limit"), ("limit=x", "limit"), ("before=-1", "before")):
        response = await world.animator.get(f"{url}?{query}")
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["fields"]


async def test_a_refused_moderation_action_writes_no_audit_entry(world: World) -> None:
    url = f"{API}/collectives/{world.collective_id}/audit"
    card_url = f"{API}/cards/{world.card['id']}"
    assert (
        await world.member.patch(card_url, json={"version": 1, "moderation": "hidden"})
    ).status_code == 403
    stale = await world.animator.patch(card_url, json={"version": 9, "pinned": True})
    assert stale.status_code == 409
    assert (await world.animator.get(url)).json()["entries"] == []
