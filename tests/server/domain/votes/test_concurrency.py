"""Concurrent ballots: the ballot write locks the collective through the write path, so a
burst of ballots leaves one row per voter, each within the budget, and counts that are exactly
the sum of the stored ballots (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.applications import Starlette

from tests.conftest import MakeClient, World, join
from tests.support.votes import API, open_vote, option_ids, put_ballot, stored_ballots


async def test_concurrent_ballots_of_one_voter_leave_one_ballot_within_budget(
    app: Starlette, world: World
) -> None:
    vote = await open_vote(world.animator, world, method="dot", budget=3, max_per_option=3)
    ids = option_ids(vote)
    # Ten different ballots, all within the budget, and two over it.
    ballots: list[dict[str, Any]] = [
        {"dots": {str(ids[i % 3]): 1 + i % 3, str(ids[(i + 1) % 3]): 0}} for i in range(10)
    ]
    ballots += [{"dots": {str(ids[0]): 3, str(ids[1]): 1}}, {"dots": {str(ids[2]): 4}}]
    answers = await asyncio.gather(*(put_ballot(world.member, vote["id"], b) for b in ballots))
    assert [a.status_code for a in answers] == [200] * 10 + [422, 422]
    [stored] = await stored_ballots(app, vote["id"])
    assert stored.data in [a.json()["ballot"] for a in answers[:10]]
    assert sum(stored.data["dots"].values()) <= 3
    results = (await world.animator.get(f"{API}/votes/{vote['id']}")).json()["results"]
    assert results["turnout"] == 1
    assert {str(o["id"]): o["count"] for o in results["options"] if o["count"]} == stored.data[
        "dots"
    ]


async def test_counts_are_exactly_the_sum_of_the_stored_ballots(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    voters = [world.member, world.animator]
    for number in range(6):
        voter = await make_client(f"votant{number}")
        await join(world.animator, voter, world.collective_id, "member")
        voters.append(voter)
    vote = await open_vote(world.animator, world, method="dot", budget=3)
    ids = option_ids(vote)

    async def vote_twice(index: int) -> None:
        client = voters[index]
        first = {"dots": {str(ids[index % 3]): 3}}
        second = {"dots": {str(ids[(index + 1) % 3]): 2, str(ids[index % 3]): 1}}
        for ballot in (first, second) if index % 2 else (second, first):
            response = await put_ballot(client, vote["id"], ballot)
            assert response.status_code == 200, response.text

    await asyncio.gather(*(vote_twice(i) for i in range(len(voters))))
    stored = await stored_ballots(app, vote["id"])
    assert sorted(b.voter_id for b in stored) == sorted(v.id for v in voters)
    expected: Counter[str] = Counter()
    for ballot in stored:
        assert sum(ballot.data["dots"].values()) <= 3
        expected.update(ballot.data["dots"])
    closed = (await world.animator.post(f"{API}/votes/{vote['id']}/close")).json()
    counts = {str(o["id"]): o["count"] for o in closed["results"]["options"]}
    assert closed["results"]["turnout"] == len(voters)
    assert {k: v for k, v in counts.items() if v} == dict(expected)
