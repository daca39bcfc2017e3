"""Notifications of comments: the card's author (« a répondu à votre question » for a
question), the others who commented, never the commenter, an observer or someone who left;
one unread notification per card and person, grouped as comments come; read by ids or all,
only one's own; bad bodies refused."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, MakeClient, World, join

API = "/api/v1"


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def comments_for(client: ApiClient) -> list[dict[str, Any]]:
    found = await ok(await client.get(f"{API}/notifications"))
    return [n for n in found["notifications"] if n["kind"] in ("comment", "answer")]


async def comment(client: ApiClient, card_id: int, body: str) -> dict[str, Any]:
    made: dict[str, Any] = await ok(
        await client.post(f"{API}/cards/{card_id}/comments", json={"body": body}), 201
    )
    return made


async def test_a_comment_reaches_the_author_and_the_earlier_commenters(
    world: World, make_client: MakeClient
) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    question = await ok(
        await world.member.post(
            f"{API}/boards/{world.board_id}/cards",
            json={"title": "Qui connaît un bon couvreur ?", "kind": "question"},
        ),
        201,
    )
    first = await comment(world.animator, question["id"], "Chapuis Toitures, à Die.")
    [answer] = await comments_for(world.member)
    assert answer["kind"] == "answer"
    assert answer["title"] == "anna a répondu à votre question « Qui connaît un bon couvreur ? »"
    assert answer["data"]["url"] == f"/cards/{question['id']}#comment-{first['id']}"
    assert await comments_for(world.animator) == [], "never the commenter"
    assert await comments_for(world.observer) == []
    # Léa comments too: Marc's unread notification groups both, Anna hears of Léa's.
    await comment(lea, question["id"], "Et Giraud pour la charpente.")
    [grouped] = await comments_for(world.member)
    assert grouped["id"] == answer["id"] and grouped["data"]["count"] == 2
    assert grouped["title"] == "2 nouveaux commentaires sur « Qui connaît un bon couvreur ? »"
    [also] = await comments_for(world.animator)
    assert also["title"] == "lea a aussi commenté « Qui connaît un bon couvreur ? »"
    assert await comments_for(world.outsider) == []
    # Once read, the next comment is a new notification.
    marked = await ok(await world.member.post(f"{API}/notifications/read", json={"all": True}))
    assert marked == {"unread": 0}
    await comment(world.animator, question["id"], "Ils ont un site.")
    fresh = [n for n in await comments_for(world.member) if n["read_at"] is None]
    assert len(fresh) == 1 and fresh[0]["id"] != answer["id"]
    # Someone who left hears nothing more.
    await ok(
        await lea.request("DELETE", f"{API}/collectives/{world.collective_id}/members/{lea.id}"),
        204,
    )
    before = len(await comments_for(lea))
    await comment(world.member, question["id"], "Merci à tous.")
    assert len(await comments_for(lea)) == before


async def test_reading_by_ids_marks_only_one_s_own(world: World, make_client: MakeClient) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    await comment(world.animator, world.card["id"], "Bonne idée.")
    mine = await comments_for(world.member)
    theirs = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/nudges", json={"user_id": lea.id}
        ),
        201,
    )
    answered = await ok(
        await world.member.post(
            f"{API}/notifications/read",
            json={"ids": [mine[0]["id"], theirs["notification_id"]]},
        )
    )
    assert answered["unread"] == 0
    hers = await ok(await lea.get(f"{API}/notifications"))
    assert hers["unread"] == 1, "someone else's id is ignored"
    bodies: list[dict[str, Any]] = [
        {},
        {"ids": []},
        {"ids": [1], "all": True},
        {"all": False},
        {"ids": ["x"]},
    ]
    for body in bodies:
        refused = await world.member.post(f"{API}/notifications/read", json=body)
        assert refused.status_code == 422, body
    anonymous = await world.outsider.get(f"{API}/notifications")
    assert anonymous.status_code == 200 and anonymous.json()["notifications"] == []
