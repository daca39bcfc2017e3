"""Running a live workshop through the API: the method's columns and inbox, the server's
timer, steps, freeze, controlled intake, focus, joining, the end and its summary, the
meeting's attendance; and bad input, refused with a 4xx that writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from starlette.applications import Starlette

from tests.conftest import World
from tests.support.collectives import seq
from tests.support.votes import events_since, open_vote, option_ids, put_ballot
from tests.support.workshops import API, act, ok, post_card, start


async def test_starting_a_method_adds_its_columns_an_inbox_and_a_meeting(world: World) -> None:
    since = await seq(world)
    workshop = await start(world.animator, world.board_id, template="speedboat")
    board = await ok(await world.member.get(f"{API}/boards/{world.board_id}"))
    names = [c["name"] for c in board["columns"]]
    assert (
        names[0] == "Boîte d'arrivée" and workshop["inbox_column_id"] == board["columns"][0]["id"]
    )
    assert names[-4:] == ["Vents", "Ancres", "Récifs", "Île"]
    assert [c["position"] for c in board["columns"]] == list(range(len(names)))
    assert workshop["status"] == "running" and workshop["step_index"] == 0
    assert workshop["timer"] == {
        "state": "idle",
        "duration_s": 300,
        "remaining_s": 300,
        "ends_at": None,
    }
    meetings = await ok(await world.member.get(f"{API}/collectives/{world.collective_id}/meetings"))
    [meeting] = meetings["meetings"]
    assert meeting["id"] == workshop["meeting_id"] and meeting["kind"] == "workshop"
    kinds = [e["kind"] for e in await events_since(world.member, world, since)]
    assert kinds.count("column.created") == 5
    assert kinds[-1] == "workshop.started" and "meeting.created" in kinds
    again = await world.animator.post(
        f"{API}/boards/{world.board_id}/workshops", json={"template": "swot"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "workshop_running"
    running = await ok(await world.observer.get(f"{API}/boards/{world.board_id}/workshop"))
    assert running["workshop"]["id"] == workshop["id"]


async def test_the_timer_is_the_server_s_and_survives_a_reload(world: World) -> None:
    workshop = await start(world.animator, world.board_id)
    wid = workshop["id"]
    started = await ok(await act(world.animator, wid, "timer", action="start"))
    timer = started["timer"]
    assert timer["state"] == "running" and timer["duration_s"] == 600
    ends = datetime.fromisoformat(timer["ends_at"])
    now = datetime.fromisoformat(started["server_now"])
    assert timedelta(seconds=598) <= ends - now <= timedelta(seconds=600)
    # A reload (a fresh GET) by anyone gives the same end: every screen counts to it.
    seen = await ok(await world.observer.get(f"{API}/workshops/{wid}"))
    assert seen["timer"]["ends_at"] == timer["ends_at"]
    plus = await ok(await act(world.animator, wid, "timer", action="add_minute"))
    assert datetime.fromisoformat(plus["timer"]["ends_at"]) == ends + timedelta(seconds=60)
    assert plus["timer"]["duration_s"] == 660
    paused = await ok(await act(world.animator, wid, "timer", action="pause"))
    assert paused["timer"]["state"] == "paused" and paused["timer"]["ends_at"] is None
    assert 655 <= paused["timer"]["remaining_s"] <= 660
    left = paused["timer"]["remaining_s"]
    again = await ok(await world.member.get(f"{API}/workshops/{wid}"))
    assert again["timer"]["remaining_s"] == left, "a paused timer does not run"
    resumed = await ok(await act(world.animator, wid, "timer", action="start"))
    remaining = datetime.fromisoformat(resumed["timer"]["ends_at"]) - datetime.fromisoformat(
        resumed["server_now"]
    )
    assert timedelta(seconds=left - 2) <= remaining <= timedelta(seconds=left)
    reset = await ok(await act(world.animator, wid, "timer", action="reset"))
    assert reset["timer"] == {
        "state": "idle",
        "duration_s": 600,
        "remaining_s": 600,
        "ends_at": None,
    }
    step = await ok(await act(world.animator, wid, "step", index=2))
    assert step["step_index"] == 2 and step["step"]["title"] == "Vote par gommettes"
    assert step["timer"]["state"] == "running" and step["timer"]["duration_s"] == 300


async def test_participants_are_held_by_the_step_the_freeze_and_the_inbox(world: World) -> None:
    workshop = await start(world.animator, world.board_id, template="1-2-4-all")
    wid, board = workshop["id"], world.board_id
    # « Seul »: no cards from participants; the animator still posts.
    refused = await post_card(world.member, board, "Trop tôt")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "workshop_step"
    await ok(await post_card(world.animator, board, "Consigne"), 201)
    # « À quatre »: intake; whatever column is asked, the card lands in the inbox.
    await ok(await act(world.animator, wid, "step", index=2))
    asked = world.columns[-1]
    card = await ok(await post_card(world.member, board, "Idée du groupe", column_id=asked), 201)
    assert card["column_id"] == workshop["inbox_column_id"]
    moved = await world.member.patch(
        f"{API}/cards/{card['id']}", json={"version": card["version"], "column_id": asked}
    )
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "workshop_intake"
    placed = await ok(
        await world.animator.patch(
            f"{API}/cards/{card['id']}", json={"version": card["version"], "column_id": asked}
        )
    )
    assert placed["column_id"] == asked
    # Freeze: every contribution of a participant waits; the animator's does not.
    before = await seq(world)
    await ok(await act(world.animator, wid, "freeze", frozen=True))
    after_freeze = await seq(world)
    tries = [
        await post_card(world.member, board, "Pendant le gel"),
        await world.member.post(f"{API}/cards/{world.card['id']}/comments", json={"body": "Ah"}),
        await world.member.post(
            f"{API}/cards/{world.card['id']}/reactions", json={"kind": "useful"}
        ),
        await world.member.patch(
            f"{API}/cards/{placed['id']}", json={"version": placed["version"], "title": "Autre"}
        ),
    ]
    assert [t.status_code for t in tries] == [409] * 4
    assert {t.json()["error"]["code"] for t in tries} == {"workshop_frozen"}
    assert await seq(world) == after_freeze == before + 1, "refusals write nothing"
    await ok(await post_card(world.animator, board, "L'animateur écrit"), 201)
    await ok(await act(world.animator, wid, "freeze", frozen=False))
    await ok(
        await world.member.post(
            f"{API}/cards/{world.card['id']}/reactions", json={"kind": "useful"}
        ),
        201,
    )


async def test_a_ballot_waits_for_the_thaw_on_a_frozen_board(world: World) -> None:
    workshop = await start(world.animator, world.board_id)
    vote = await open_vote(world.animator, world, method="dot", board_id=world.board_id)
    await ok(await act(world.animator, workshop["id"], "freeze", frozen=True))
    ballot = {"dots": {str(option_ids(vote)[0]): 1}}
    refused = await put_ballot(world.member, vote["id"], ballot)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "workshop_frozen"
    await ok(await act(world.animator, workshop["id"], "freeze", frozen=False))
    await ok(await put_ballot(world.member, vote["id"], ballot))


async def test_focus_join_end_and_attendance(app: Starlette, world: World) -> None:
    workshop = await start(world.animator, world.board_id, template="swot", reveal_authors=True)
    wid = workshop["id"]
    focused = await ok(await act(world.animator, wid, "focus", card_id=world.card["id"]))
    assert focused["focus_card_id"] == world.card["id"]
    assert (await act(world.observer, wid, "join")).status_code == 403
    joined = await ok(await act(world.member, wid, "join"))
    assert joined["participant_count"] == 1
    assert [p["id"] for p in joined["participants"]] == [world.member.id]
    since = await seq(world)
    again = await ok(await act(world.member, wid, "join"))
    assert again["participant_count"] == 1 and await seq(world) == since, "joining is once"
    await ok(await act(world.animator, wid, "join"))
    seen = await ok(await world.observer.get(f"{API}/workshops/{wid}"))
    assert seen["participant_count"] == 2 and seen["participants"] is None
    card = await ok(await post_card(world.member, world.board_id, "Atout : le réseau"), 201)
    vote = await open_vote(
        world.animator,
        world,
        method="dot",
        card_ids=[card["id"], world.card["id"]],
        board_id=world.board_id,
    )
    await ok(await put_ballot(world.member, vote["id"], {"dots": {str(option_ids(vote)[0]): 3}}))
    closed = await ok(await world.animator.post(f"{API}/votes/{vote['id']}/close"))
    ended = await ok(await act(world.animator, wid, "end"))
    assert ended["status"] == "ended" and ended["focus_card_id"] is None
    assert ended["timer"]["state"] == "idle" and not ended["frozen"]
    assert ended["summary"] == {
        "cards": 1,  # the member's (the decision card is listed as a decision)
        "votes": 1,
        "decisions": [
            {
                "card_id": closed["decision"]["card_id"],
                "title": ended["summary"]["decisions"][0]["title"],
                "vote_id": vote["id"],
            }
        ],
        "participants": 2,
    }
    for action, body in (("timer", {"action": "start"}), ("freeze", {"frozen": True}), ("end", {})):
        late = await act(world.animator, wid, action, **body)
        assert late.status_code == 409 and late.json()["error"]["code"] == "workshop_ended"
    assert (await ok(await world.member.get(f"{API}/boards/{world.board_id}/workshop")))[
        "workshop"
    ] is None
    meeting = await ok(
        await world.animator.request(
            "PUT", f"{API}/workshops/{wid}/attendance", json={"user_ids": [world.member.id]}
        )
    )
    assert meeting["attendee_count"] == 1 and meeting["id"] == workshop["meeting_id"]
    stranger = await world.animator.request(
        "PUT", f"{API}/workshops/{wid}/attendance", json={"user_ids": [world.outsider.id]}
    )
    assert stranger.status_code == 422
    # A new workshop may start on the board once the first ended.
    await start(world.animator, world.board_id, template="lean-coffee")


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("workshops", {"template": "inconnu"}, 422, "template"),
        ("workshops", {"template": "custom-999999"}, 422, "template"),
        ("workshops", {"template": "swot", "meeting_id": 999999}, 422, "meeting_id"),
        ("workshops", {"template": "swot", "colour": "rouge"}, 422, None),
        ("workshops", {"template": "swot", "title": ""}, 422, None),
    ],
)
async def test_bad_starts_are_refused_and_write_nothing(
    world: World, path: str, body: dict[str, object], status: int, field: str | None
) -> None:
    before = await seq(world)
    response = await world.animator.post(f"{API}/boards/{world.board_id}/{path}", json=body)
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["error"]["fields"]
    assert await seq(world) == before


async def test_bad_controls_are_refused_and_write_nothing(world: World) -> None:
    workshop = await start(world.animator, world.board_id)
    wid = workshop["id"]
    before = await seq(world)
    for action, body in (
        ("timer", {"action": "rewind"}),
        ("step", {"index": 3}),
        ("step", {"index": -1}),
        ("focus", {"card_id": 999999}),
        ("freeze", {"frozen": "yes"}),
    ):
        response = await act(world.animator, wid, action, **body)
        assert response.status_code == 422, (action, response.text)
    other_board = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/boards", json={"name": "Autre"}
        ),
        201,
    )
    elsewhere = await post_card(world.animator, other_board["id"], "Ailleurs")
    focus = await act(world.animator, wid, "focus", card_id=elsewhere.json()["id"])
    assert focus.status_code == 422, "a card of another board"
    assert await seq(world) == before + 2  # the other board and its card
    assert (await act(world.member, wid, "timer", action="start")).status_code == 403
    assert (await act(world.outsider, wid, "timer", action="start")).status_code == 404
    assert (await world.outsider.get(f"{API}/workshops/{wid}")).status_code == 404


async def test_templates_shipped_and_saved(world: World) -> None:
    listed = await ok(
        await world.member.get(f"{API}/collectives/{world.collective_id}/workshop-templates")
    )
    keys = [t["key"] for t in listed["templates"]]
    assert keys == ["brainstorming", "speedboat", "swot", "1-2-4-all", "lean-coffee"]
    saved = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/workshop-templates",
            json={
                "name": "Retour d'expérience",
                "columns": ["Ce qui a marché", "À améliorer"],
                "steps": [
                    {"title": "Écrire", "minutes": 8, "anonymous": True},
                    {"title": "Choisir", "minutes": 4, "cards": False, "vote": True},
                ],
            },
        ),
        201,
    )
    assert saved["key"] == f"custom-{saved['id']}" and not saved["shipped"]
    workshop = await start(world.animator, world.board_id, template=saved["key"])
    assert [s["title"] for s in workshop["steps"]] == ["Écrire", "Choisir"]
    assert workshop["inbox_column_id"] is None
    bad = await world.animator.post(
        f"{API}/collectives/{world.collective_id}/workshop-templates",
        json={"name": "Vide", "steps": []},
    )
    assert bad.status_code == 422
    too_long = await world.animator.post(
        f"{API}/collectives/{world.collective_id}/workshop-templates",
        json={"name": "Long", "steps": [{"title": "Un", "minutes": 241}]},
    )
    assert too_long.status_code == 422
    await ok(await world.animator.request("DELETE", f"{API}/workshop-templates/{saved['id']}"), 204)
    # The running workshop keeps its copy of the steps.
    assert (
        len((await ok(await world.member.get(f"{API}/workshops/{workshop['id']}")))["steps"]) == 2
    )
    assert (
        await world.outsider.request("DELETE", f"{API}/workshop-templates/{saved['id']}")
    ).status_code == 404


async def test_the_inbox_of_a_running_workshop_is_not_deleted(world: World) -> None:
    workshop = await start(world.animator, world.board_id, template="speedboat")
    inbox = workshop["inbox_column_id"]
    refused = await world.animator.request("DELETE", f"{API}/columns/{inbox}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "workshop_running"
    await ok(await act(world.animator, workshop["id"], "end"))
    assert (await world.animator.request("DELETE", f"{API}/columns/{inbox}")).status_code == 204


async def test_the_minutes_name_a_saved_method_and_a_decision_closed_after_the_end(
    world: World,
) -> None:
    saved = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/workshop-templates",
            json={"name": "Tour de table", "steps": [{"title": "Chacun parle", "minutes": 5}]},
        ),
        201,
    )
    workshop = await start(world.animator, world.board_id, template=saved["key"])
    vote = await open_vote(world.animator, world, method="dot", board_id=world.board_id)
    await ok(await put_ballot(world.member, vote["id"], {"dots": {str(option_ids(vote)[0]): 1}}))
    await ok(await act(world.animator, workshop["id"], "end"))
    closed = await ok(await world.animator.post(f"{API}/votes/{vote['id']}/close"))
    minutes = await world.member.get(
        f"{API}/workshops/{workshop['id']}/minutes", params={"format": "markdown"}
    )
    assert "**Méthode :** Tour de table" in minutes.text
    assert f"/cards/{closed['decision']['card_id']}" in minutes.text.split("## Décisions")[1]
