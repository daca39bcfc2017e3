"""Closing a vote: the frozen tally, the decision card (searchable, on the vote's board or the
« Décisions » board), moving the winning cards on, and the votes closed by their time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from starlette.applications import Starlette

from server.core.models import Vote, utcnow
from server.core.platform import Essaim
from server.domain.votes.closing import DueVoteCloser, close_due_votes
from tests.conftest import World
from tests.support.collectives import seq
from tests.support.votes import (
    API,
    events_since,
    open_vote,
    option_ids,
    put_ballot,
    stored_ballots,
    stored_vote,
)


async def test_a_standalone_decision_goes_to_the_decisions_board_and_is_searchable(
    app: Starlette, world: World
) -> None:
    vote = await open_vote(
        world.animator, world, method="approval", title="Quel isolant biosourcé retenir ?",
        options=["Chanvre", "Ouate de cellulose"],
    )  # fmt: skip
    chanvre, _ = option_ids(vote)
    await put_ballot(world.member, vote["id"], {"approve": [chanvre]})
    since = await seq(world)
    closed = (await world.animator.post(f"{API}/votes/{vote['id']}/close")).json()
    card_id = closed["decision"]["card_id"]
    events = await events_since(world.member, world, since)
    kinds = [e["kind"] for e in events]
    assert kinds == ["board.created", "card.created", "vote.closed", "decision.created"]
    board = events[0]["data"]
    assert board["name"] == "Décisions"
    decided = events[-1]
    assert decided["data"] == {
        "vote_id": vote["id"], "card_id": card_id, "board_id": board["id"],
        "title": "Décision : Quel isolant biosourcé retenir ?",
    }  # fmt: skip
    card = (await world.member.get(f"{API}/cards/{card_id}")).json()
    assert card["kind"] == "decision" and card["board_id"] == board["id"]
    assert "Retenue : Chanvre" in card["body"] and "vote par approbation" in card["body"]
    # A second standalone decision joins the same board.
    other = await open_vote(world.animator, world, method="dot", options=["A", "B"])
    again = (await world.animator.post(f"{API}/votes/{other['id']}/close")).json()
    second = (await world.member.get(f"{API}/cards/{again['decision']['card_id']}")).json()
    assert second["board_id"] == board["id"] and "Aucune option retenue" in second["body"]
    # The search finds the decision by a word of its question.
    await app.state.search.indexer.drain()
    found = await world.member.get(f"{API}/search", params={"q": "biosourcé"})
    assert found.status_code == 200, found.text
    assert card_id in [h.get("card_id", h.get("id")) for h in found.json()["hits"]]


async def test_advance_moves_the_winning_cards_one_column_on(world: World) -> None:
    other = await world.animator.post(
        f"{API}/boards/{world.board_id}/cards", json={"title": "Caméra thermique"}
    )
    card_ids = [world.card["id"], other.json()["id"]]
    vote = await open_vote(world.animator, world, method="dot", card_ids=card_ids)
    winner, _ = option_ids(vote)
    await put_ballot(world.member, vote["id"], {"dots": {str(winner): 3}})
    before = await seq(world)
    early = await world.animator.post(f"{API}/votes/{vote['id']}/advance")
    assert early.status_code == 409 and early.json()["error"]["code"] == "vote_not_closed"
    assert await seq(world) == before
    closed = (await world.animator.post(f"{API}/votes/{vote['id']}/close")).json()
    # Without a board, the decision went to « Décisions »; the cards stay where they are.
    assert closed["vote"]["board_id"] is None
    refused = await world.member.post(f"{API}/votes/{vote['id']}/advance")
    assert refused.status_code == 403
    since = await seq(world)
    moved = await world.animator.post(f"{API}/votes/{vote['id']}/advance")
    assert moved.status_code == 200, moved.text
    assert [c["id"] for c in moved.json()["moved"]] == [world.card["id"]]
    card = (await world.member.get(f"{API}/cards/{world.card['id']}")).json()
    assert card["column_id"] == world.columns[1]  # « Émergence » -> « En maturation »
    loser = (await world.member.get(f"{API}/cards/{card_ids[1]}")).json()
    assert loser["column_id"] == world.columns[0]
    [event] = await events_since(world.member, world, since)
    assert event["kind"] == "card.moved" and event["data"]["from_column_id"] == world.columns[0]


async def _pass_closing_time(app: Starlette, vote_id: int) -> None:
    essaim: Essaim = app.state.essaim
    async with essaim.db.write() as session:
        await session.execute(
            update(Vote).where(Vote.id == vote_id).values(closes_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()


async def test_a_vote_past_its_closing_time_is_closed_before_and_by_the_closer(
    app: Starlette, world: World
) -> None:
    await app.state.vote_closer.stop()  # this test runs the closer itself
    closes_at = (utcnow() + timedelta(hours=1)).isoformat()
    vote = await open_vote(world.animator, world, method="dot", closes_at=closes_at)
    a, _, _ = option_ids(vote)
    assert (await put_ballot(world.member, vote["id"], {"dots": {str(a): 2}})).status_code == 200
    essaim: Essaim = app.state.essaim
    await _pass_closing_time(app, vote["id"])
    before = await seq(world)
    late = await put_ballot(world.animator, vote["id"], {"dots": {str(a): 1}})
    assert late.status_code == 409 and late.json()["error"]["code"] == "vote_closed"
    assert len(await stored_ballots(app, vote["id"])) == 1 and await seq(world) == before
    seen = (await world.observer.get(f"{API}/votes/{vote['id']}")).json()
    assert seen["status"] == "closed" and seen["results"]["winner"] == [a]

    assert await close_due_votes(essaim) == 1
    assert await close_due_votes(essaim) == 0
    stored = await stored_vote(app, vote["id"])
    assert stored.closed_at is not None and stored.decision_card_id is not None
    assert stored.result == seen["results"]
    events = await events_since(world.animator, world, before)
    closed = [e for e in events if e["kind"] in {"vote.closed", "decision.created"}]
    assert [e["actor"] for e in closed] == [None, None]
    card = (await world.member.get(f"{API}/cards/{stored.decision_card_id}")).json()
    assert card["author"]["id"] == world.animator.id  # the opener signs it
    again = await world.animator.post(f"{API}/votes/{vote['id']}/close")
    assert again.status_code == 409


async def test_the_running_app_closes_due_votes_by_itself(app: Starlette, world: World) -> None:
    await app.state.vote_closer.stop()
    closes_at = (utcnow() + timedelta(hours=1)).isoformat()
    vote = await open_vote(world.animator, world, method="approval", closes_at=closes_at)
    await _pass_closing_time(app, vote["id"])
    closer = DueVoteCloser(app.state.essaim, interval=0.05)
    await closer.start()
    try:
        for _ in range(100):
            if (await stored_vote(app, vote["id"])).decision_card_id is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        await closer.stop()
    assert (await stored_vote(app, vote["id"])).decision_card_id is not None
