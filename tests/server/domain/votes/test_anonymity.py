"""Nobody reads another person's ballot: not through the vote, the list, the event log or
the live results; an anonymous vote's ``ballot.cast`` names nobody and counts nothing."""

from __future__ import annotations

from starlette.applications import Starlette

from server.events.kinds import EventKind
from tests.conftest import World
from tests.support.collectives import seq
from tests.support.votes import API, events_since, open_vote, option_ids, put_ballot


async def test_an_anonymous_ballot_is_readable_by_nobody_but_its_voter(
    app: Starlette, world: World
) -> None:
    vote = await open_vote(world.animator, world, method="dot", anonymous=True, results="live")
    assert vote["results"] is None and vote["anonymous"] is True
    a, b, _ = option_ids(vote)
    since = await seq(world)
    ballot = {"dots": {str(a): 2, str(b): 1}}
    assert (await put_ballot(world.member, vote["id"], ballot)).status_code == 200

    # Results are forced to at_close: the animator sees the turnout, no counts, no ballots.
    seen = await world.animator.get(f"{API}/votes/{vote['id']}")
    assert seen.json()["results"] is None and seen.json()["turnout"] == 1
    assert set(seen.json()) == set(EventKind.vote_opened.payload) | {"results"}
    listed = await world.animator.get(f"{API}/collectives/{world.collective_id}/votes")
    assert listed.json()["votes"] == [seen.json()]
    assert '"dots"' not in seen.text
    # The event log: a ballot.cast with no actor and no counts, for animators and members.
    for viewer in (world.animator, world.member, world.observer):
        cast = [e for e in await events_since(viewer, world, since) if e["kind"] == "ballot.cast"]
        assert [(e["actor"], e["data"]) for e in cast] == [
            (None, {"vote_id": vote["id"], "turnout": 1, "results": None})
        ]
    # An animator asking for "their" ballot gets their own: none.
    theirs = await world.animator.get(f"{API}/votes/{vote['id']}/ballot")
    assert theirs.json()["ballot"] is None
    mine = await world.member.get(f"{API}/votes/{vote['id']}/ballot")
    assert mine.json()["ballot"] == ballot
    # After the close, the tally only: still no ballot, no voter.
    closed = await world.animator.post(f"{API}/votes/{vote['id']}/close")
    assert closed.status_code == 200, closed.text
    assert '"dots"' not in closed.text
    events = await events_since(world.animator, world, since)
    assert '"dots"' not in str(events)


async def test_at_close_results_are_hidden_from_animators_too_until_the_close(
    world: World,
) -> None:
    vote = await open_vote(world.animator, world, method="approval", results="at_close")
    since = await seq(world)
    ballot = {"approve": option_ids(vote)[:1]}
    assert (await put_ballot(world.member, vote["id"], ballot)).status_code == 200
    for viewer in (world.animator, world.member, world.observer):
        assert (await viewer.get(f"{API}/votes/{vote['id']}")).json()["results"] is None
    [cast] = [e for e in await events_since(world.animator, world, since)]
    # Not anonymous: the event says who voted, never what.
    assert cast["actor"] == world.member.id and cast["data"]["results"] is None
    await world.animator.post(f"{API}/votes/{vote['id']}/close")
    results = (await world.observer.get(f"{API}/votes/{vote['id']}")).json()["results"]
    assert results["turnout"] == 1 and results["winner"] == option_ids(vote)[:1]


async def test_live_results_travel_with_each_ballot(world: World) -> None:
    vote = await open_vote(world.animator, world, method="dot")
    a, _, _ = option_ids(vote)
    since = await seq(world)
    assert (await put_ballot(world.member, vote["id"], {"dots": {str(a): 3}})).status_code == 200
    [cast] = await events_since(world.observer, world, since)
    assert cast["kind"] == "ballot.cast" and cast["actor"] == world.member.id
    assert cast["data"]["turnout"] == 1
    counts = {o["id"]: o["count"] for o in cast["data"]["results"]["options"]}
    assert counts[a] == 3
    assert "dots" not in cast["data"]
