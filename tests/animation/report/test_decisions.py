"""The report's decisions read from the database: the votes closed within the period, with
their frozen results (through the API: the data needs votes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from animation.participation import PARIS
from tests.conftest import World
from tests.support.collectives import url

API = "/api/v1"


async def _vote(world: World, title: str, card_ids: list[int]) -> dict[str, Any]:
    opened = await world.animator.post(
        url(world, "/votes"),
        json={"title": title, "method": "dot", "card_ids": card_ids, "budget": 2},
    )
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


async def test_closed_votes_of_the_period_are_listed_with_turnout_and_winners(
    world: World,
) -> None:
    second = await world.member.post(
        f"{API}/boards/{world.board_id}/cards", json={"title": "Louer une caméra thermique"}
    )
    assert second.status_code == 201, second.text
    cards = [world.card["id"], second.json()["id"]]
    closed = await _vote(world, "Le chantier du printemps", cards)
    still_open = await _vote(world, "Encore ouvert", cards)
    thermique = str(closed["options"][1]["id"])
    for voter in (world.animator, world.member):
        cast = await voter.request(
            "PUT", f"{API}/votes/{closed['id']}/ballot", json={"dots": {thermique: 2}}
        )
        assert cast.status_code == 200, cast.text
    assert (await world.animator.post(f"{API}/votes/{closed['id']}/close")).status_code == 200

    for viewer in (world.animator, world.observer):
        report = await viewer.get(url(world, "/report"), params={"format": "json"})
        assert report.status_code == 200, report.text
        (decision,) = report.json()["decisions"]
        assert decision["title"] == "Le chantier du printemps"
        assert (decision["method"], decision["voters"]) == ("dot", 2)
        assert decision["winners"] == ["Louer une caméra thermique"]
        assert decision["closed_on"] == datetime.now(PARIS).date().isoformat()  # Paris dates
        assert report.json()["summary"]["decisions"] == 1
    assert still_open["title"] not in report.text

    # A period that ends before the close does not list it.
    today = datetime.now(PARIS).date()
    before = {"from": (today - timedelta(days=60)).isoformat()}
    before["to"] = (today - timedelta(days=2)).isoformat()
    earlier = await world.animator.get(url(world, "/report"), params={"format": "json", **before})
    assert earlier.status_code == 200, earlier.text
    assert earlier.json()["decisions"] == []
