"""Votes through the API on both databases: every method from opening to the decision, one
ballot per voter, and bad input refused with a 4xx that writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.conftest import ApiClient, World
from tests.support.collectives import seq
from tests.support.votes import (
    API,
    events_since,
    open_vote,
    option_ids,
    put_ballot,
    stored_ballots,
)


async def _second_card(world: World) -> dict[str, Any]:
    response = await world.animator.post(
        f"{API}/boards/{world.board_id}/cards", json={"title": "Louer une caméra thermique"}
    )
    assert response.status_code == 201, response.text
    card: dict[str, Any] = response.json()
    return card


def _ballots(method: str, a: int, b: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two ballots, both preferring option ``a`` to ``b``."""
    ballots: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "dot": ({"dots": {str(a): 2, str(b): 1}}, {"dots": {str(a): 3}}),
        "approval": ({"approve": [a, b]}, {"approve": [a]}),
        "score": ({"scores": {str(a): 5, str(b): 2}}, {"scores": {str(a): 4, str(b): 3}}),
        "majority": (
            {"grades": {str(a): "tres_bien", str(b): "passable"}},
            {"grades": {str(a): "bien", str(b): "insuffisant"}},
        ),
    }
    return ballots[method]


@pytest.mark.parametrize("method", ["dot", "approval", "score", "majority"])
async def test_every_method_runs_from_opening_to_the_decision(
    app: Starlette, world: World, method: str
) -> None:
    other = await _second_card(world)
    vote = await open_vote(
        world.animator, world, method=method, card_ids=[world.card["id"], other["id"]],
        board_id=world.board_id,
    )  # fmt: skip
    assert vote["status"] == "open" and vote["turnout"] == 0
    a, b = option_ids(vote)
    assert [o["card_id"] for o in vote["options"]] == [world.card["id"], other["id"]]
    assert vote["options"][0]["label"] == world.card["title"]
    first, second = _ballots(method, a, b)
    assert (await put_ballot(world.member, vote["id"], first)).status_code == 200
    assert (await put_ballot(world.animator, vote["id"], second)).status_code == 200

    live = (await world.observer.get(f"{API}/votes/{vote['id']}")).json()
    assert live["turnout"] == 2 and live["results"]["winner"] == [a]
    rows = {o["id"]: o for o in live["results"]["options"]}
    if method == "dot":
        assert (rows[a]["count"], rows[b]["count"]) == (5, 1)
    elif method == "approval":
        assert (rows[a]["count"], rows[b]["count"]) == (2, 1)
    elif method == "score":
        assert (rows[a]["mean"], rows[b]["mean"]) == (4.5, 2.5)
    else:
        assert rows[a]["median_grade"] in {"tres_bien", "bien"}
        assert rows[b]["median_grade"] in {"passable", "insuffisant"}
        assert rows[a]["profile"]["tres_bien"] == rows[a]["profile"]["bien"] == 1

    closed = await world.animator.post(f"{API}/votes/{vote['id']}/close")
    assert closed.status_code == 200, closed.text
    answer = closed.json()
    assert answer["results"]["winner"] == [a] and answer["vote"]["status"] == "closed"
    card = (await world.member.get(f"{API}/cards/{answer['decision']['card_id']}")).json()
    assert card["kind"] == "decision" and card["board_id"] == world.board_id
    assert card["column_id"] == world.columns[0]
    assert "Quelle piste expérimenter ?" in card["body"]
    assert f"(/cards/{world.card['id']})" in card["body"] and "2 votant·es" in card["body"]
    # The frozen result is what everyone reads from now on.
    again = (await world.member.get(f"{API}/votes/{vote['id']}")).json()
    assert again["results"] == answer["results"] and again["decision_card_id"] == card["id"]


async def test_consent_adopts_a_proposal_without_objection_and_not_with_one(
    world: World,
) -> None:
    for objection, adopted in ((False, True), (True, False)):
        vote = await open_vote(world.animator, world, method="consent", options=["Charte"])
        [proposal] = option_ids(vote)
        await put_ballot(world.animator, vote["id"], {"consent": "agree"})
        second = {"consent": "object", "reason": "Trop tôt"}
        if not objection:
            second = {"consent": "reserve"}
        assert (await put_ballot(world.member, vote["id"], second)).status_code == 200
        closed = (await world.animator.post(f"{API}/votes/{vote['id']}/close")).json()
        assert closed["results"]["winner"] == ([proposal] if adopted else [])
        card = (await world.animator.get(f"{API}/cards/{closed['decision']['card_id']}")).json()
        assert ("Proposition adoptée" in card["body"]) is adopted
        assert ("1 objection" in card["body"]) is objection


async def test_replacing_a_ballot_counts_the_voter_once(app: Starlette, world: World) -> None:
    vote = await open_vote(world.animator, world, method="dot", budget=3)
    a, b, _ = option_ids(vote)
    for ballot in ({str(a): 3}, {str(b): 2}, {str(a): 1, str(b): 1}):
        response = await put_ballot(world.member, vote["id"], {"dots": ballot})
        assert response.status_code == 200, response.text
    mine = (await world.member.get(f"{API}/votes/{vote['id']}/ballot")).json()
    assert mine["ballot"] == {"dots": {str(a): 1, str(b): 1}}
    assert len(await stored_ballots(app, vote["id"])) == 1
    results = (await world.animator.get(f"{API}/votes/{vote['id']}")).json()["results"]
    assert results["turnout"] == 1
    assert {o["id"]: o["count"] for o in results["options"]}[a] == 1


BAD_BALLOTS = [
    ("dot", {"budget": 3}, {"dots": {"{a}": 2, "{b}": 2}}, 422, "over budget"),
    ("dot", {"budget": 5, "max_per_option": 2}, {"dots": {"{a}": 3}}, 422, "over max"),
    ("dot", {}, {"dots": {"999999": 1}}, 422, "unknown option"),
    ("dot", {}, {"dots": {"{a}": -1}}, 422, "negative"),
    ("dot", {}, {"approve": ["{a}"]}, 422, "another method's ballot"),
    ("approval", {}, {"approve": [999999]}, 422, "unknown option"),
    ("majority", {}, {"grades": {"{a}": "génial"}}, 422, "grade off the scale"),
    ("score", {}, {"scores": {"{a}": 6}}, 422, "score off the scale"),
    ("consent", {}, {"consent": "peut-être"}, 422, "no such answer"),
]


def _fill(ballot: Any, ids: list[int]) -> Any:
    names = {"{a}": ids[0], "{b}": ids[1] if len(ids) > 1 else ids[0]}
    if isinstance(ballot, dict):
        return {str(names.get(k, k)): _fill(v, ids) for k, v in ballot.items()}
    if isinstance(ballot, list):
        return [names.get(v, v) for v in ballot]
    return ballot


@pytest.mark.parametrize(
    ("method", "rules", "ballot", "status", "why"), BAD_BALLOTS, ids=[c[-1] for c in BAD_BALLOTS]
)
async def test_a_bad_ballot_is_refused_and_writes_nothing(
    app: Starlette,
    world: World,
    method: str,
    rules: dict[str, Any],
    ballot: dict[str, Any],
    status: int,
    why: str,
) -> None:
    options = ["Charte"] if method == "consent" else ["A", "B"]
    vote = await open_vote(world.animator, world, method=method, options=options, **rules)
    before = await seq(world)
    response = await put_ballot(world.member, vote["id"], _fill(ballot, option_ids(vote)))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert await stored_ballots(app, vote["id"]) == []
    assert await seq(world) == before


async def test_who_may_vote_observers_never_outsiders_see_nothing(
    app: Starlette, world: World
) -> None:
    vote = await open_vote(world.animator, world, method="approval")
    ballot = {"approve": option_ids(vote)[:1]}
    before = await seq(world)
    observer = await put_ballot(world.observer, vote["id"], ballot)
    assert observer.status_code == 403, observer.text
    outsider = await put_ballot(world.outsider, vote["id"], ballot)
    assert outsider.status_code == 404, outsider.text
    assert (await world.outsider.get(f"{API}/votes/{vote['id']}")).status_code == 404
    assert (await world.outsider.get(f"{API}/votes/{vote['id']}/ballot")).status_code == 404
    assert await stored_ballots(app, vote["id"]) == [] and await seq(world) == before
    # Observers see the vote and its live results, and have no ballot of their own.
    seen = await world.observer.get(f"{API}/votes/{vote['id']}")
    assert seen.status_code == 200 and seen.json()["results"]["turnout"] == 0
    own = (await world.observer.get(f"{API}/votes/{vote['id']}/ballot")).json()
    assert own["ballot"] is None


async def test_a_closed_vote_takes_no_ballot(app: Starlette, world: World) -> None:
    vote = await open_vote(world.animator, world, method="approval")
    ballot = {"approve": option_ids(vote)[:1]}
    assert (await put_ballot(world.member, vote["id"], ballot)).status_code == 200
    assert (await world.animator.post(f"{API}/votes/{vote['id']}/close")).status_code == 200
    before = await seq(world)
    refused = await put_ballot(world.animator, vote["id"], ballot)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "vote_closed"
    again = await world.animator.post(f"{API}/votes/{vote['id']}/close")
    assert again.status_code == 409 and again.json()["error"]["code"] == "vote_closed"
    assert len(await stored_ballots(app, vote["id"])) == 1 and await seq(world) == before


async def _open_refused(client: ApiClient, world: World, body: dict[str, Any]) -> Any:
    before = await seq(world)
    body = {"title": "Quoi ?", "method": "dot", **body}
    response = await client.post(f"{API}/collectives/{world.collective_id}/votes", json=body)
    assert await seq(world) == before
    listed = await world.animator.get(f"{API}/collectives/{world.collective_id}/votes")
    assert listed.json()["votes"] == []
    return response


async def test_opening_a_vote_checks_the_role_and_the_options(world: World) -> None:
    labels = {"options": ["A", "B"]}
    assert (await _open_refused(world.member, world, labels)).status_code == 403
    assert (await _open_refused(world.observer, world, labels)).status_code == 403
    assert (await _open_refused(world.outsider, world, labels)).status_code == 404
    cases: list[tuple[dict[str, Any], str]] = [
        ({"options": ["A"]}, "options"),
        ({"method": "consent", "options": ["A", "B"]}, "options"),
        ({"card_ids": [world.card["id"], 999_999]}, "card_ids"),
        ({"card_ids": [world.card["id"]], "options": ["A"]}, "options"),
        ({}, "options"),
        ({"options": ["A", ""]}, "options.1"),
        ({"options": ["A", "B"], "board_id": 999_999}, "board_id"),
        ({"options": ["A", "B"], "closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"options": ["A", "B"], "method": "score", "max_per_option": 2}, "max_per_option"),
        ({"options": ["A", "B"], "method": "vote à main levée"}, "method"),
    ]
    for body, field in cases:
        response = await _open_refused(world.animator, world, body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["error"]["fields"], (body, response.text)
    unknown = await _open_refused(world.animator, world, {"card_ids": [world.card["id"], 999_999]})
    assert "999999" in unknown.json()["error"]["fields"]["card_ids"]


async def test_a_card_of_another_collective_is_no_option(world: World) -> None:
    others = (await world.outsider.get(f"{API}/collectives")).json()
    other_id = others[0]["id"] if isinstance(others, list) else others["collectives"][0]["id"]
    board = await world.outsider.post(
        f"{API}/collectives/{other_id}/boards", json={"name": "Ailleurs", "kind": "ideas"}
    )
    card = await world.outsider.post(
        f"{API}/boards/{board.json()['id']}/cards", json={"title": "Secret d'ailleurs"}
    )
    response = await _open_refused(
        world.animator, world, {"card_ids": [world.card["id"], card.json()["id"]]}
    )
    assert response.status_code == 422
    assert str(card.json()["id"]) in response.json()["error"]["fields"]["card_ids"]
    assert "Secret" not in response.text


async def test_members_open_votes_when_the_collective_allows_it(world: World) -> None:
    home = f"{API}/collectives/{world.collective_id}"
    refused = await world.member.patch(home, json={"members_open_votes": True})
    assert refused.status_code == 403
    allowed = await world.animator.patch(home, json={"members_open_votes": True})
    assert allowed.status_code == 200 and allowed.json()["members_open_votes"] is True
    vote = await open_vote(world.member, world, method="dot")
    assert vote["created_by"]["id"] == world.member.id
    refused = await world.observer.post(
        f"{home}/votes", json={"title": "Et moi ?", "method": "dot", "options": ["A", "B"]}
    )
    assert refused.status_code == 403
    # Closing stays the animators'.
    assert (await world.member.post(f"{API}/votes/{vote['id']}/close")).status_code == 403


async def test_votes_are_listed_newest_first(world: World) -> None:
    first = await open_vote(world.animator, world, method="dot", title="Première")
    second = await open_vote(world.animator, world, method="approval", title="Seconde")
    listed = await world.observer.get(f"{API}/collectives/{world.collective_id}/votes")
    assert [v["id"] for v in listed.json()["votes"]] == [second["id"], first["id"]]
    kinds = [e["kind"] for e in await events_since(world.observer, world, 0)]
    assert kinds.count("vote.opened") == 2
