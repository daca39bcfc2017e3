"""Cards over HTTP: create, read, edit with versions, move, delete, comments, reactions."""

from __future__ import annotations

from tests.conftest import World


async def test_created_card_appears_on_its_board_in_the_first_column(world: World) -> None:
    board = (await world.member.get(f"/api/v1/boards/{world.board_id}")).json()
    first = board["columns"][0]
    assert [c["id"] for c in first["cards"]] == [world.card["id"]]
    assert first["name"] == "Émergence"
    assert [c["name"] for c in board["columns"]] == [
        "Émergence",
        "En maturation",
        "Expérimentée",
        "Capitalisée",
    ]
    assert board["seq"] >= 1


async def test_stale_version_gets_409_with_the_current_card(world: World) -> None:
    url = f"/api/v1/cards/{world.card['id']}"
    first = await world.member.patch(url, json={"version": 1, "title": "Achats groupés"})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    stale = await world.animator.patch(url, json={"version": 1, "title": "Autre titre"})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"]["title"] == "Achats groupés"
    assert error["current"]["version"] == 2
    assert (await world.member.get(url)).json()["title"] == "Achats groupés"
