"""The animator's actions over HTTP, on SQLite and PostgreSQL: the nudge template, nudges
(stored, notified in-app, emailed, restricted event), prompts (a real card through the card
service), welcomes, the caller's notifications; permissions and bad input write nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from server.core.mail import Mailer
from server.core.models import Notification, Nudge, clock_at
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.collectives import seq, url
from tests.support.platform import essaim_of


def mailer(world: World) -> Mailer:
    return essaim_of(world).mailer


async def count(world: World, model: Any) -> int:
    async with essaim_of(world).db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def put(client: ApiClient, path: str, body: Any) -> Any:
    return await client.request("PUT", path, json=body)


# ---------------------------------------------------------------- the template


async def test_the_nudge_template_has_a_french_default_and_can_be_edited(world: World) -> None:
    response = await world.animator.get(url(world, "/nudge-template"))
    assert response.status_code == 200
    body = response.json()
    assert body["template"] == body["default"]
    assert body["template"].startswith("Bonjour {prenom}")
    assert "{collectif}" in body["template"]
    assert body["placeholders"] == ["prenom", "nom", "collectif", "animateur"]
    edited = await put(
        world.animator,
        url(world, "/nudge-template"),
        {"template": "Coucou {prenom}, {collectif} t'attend ! {{sourire}}"},
    )
    assert edited.status_code == 200, edited.text
    assert (await world.animator.get(url(world, "/nudge-template"))).json()["template"] == (
        "Coucou {prenom}, {collectif} t'attend ! {{sourire}}"
    )
    back = await put(world.animator, url(world, "/nudge-template"), {"template": None})
    assert back.json()["template"] == back.json()["default"]


async def test_bad_templates_are_refused(world: World) -> None:
    before = await seq(world)
    for template in (
        "Bonjour {nom_de_famille}",
        "Bonjour {",
        "{prenom!r}",
        "{prenom:>5}",
        "{}",
        "",
    ):
        response = await put(world.animator, url(world, "/nudge-template"), {"template": template})
        assert response.status_code == 422, (template, response.text)
        assert "template" in response.json()["error"]["fields"]
    for body in ({}, {"template": 3}, {"template": "x" * 5001}):
        response = await put(world.animator, url(world, "/nudge-template"), body)
        assert response.status_code == 422, body
    assert await seq(world) == before


async def test_only_animators_touch_the_template(world: World) -> None:
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        assert (await client.get(url(world, "/nudge-template"))).status_code == status
        response = await put(client, url(world, "/nudge-template"), {"template": "Salut {prenom}"})
        assert response.status_code == status


# ---------------------------------------------------------------- nudges


async def test_a_nudge_is_stored_notified_emailed_and_restricted(world: World) -> None:
    sent_before = len(mailer(world).sent)
    response = await world.animator.post(
        url(world, "/nudges"), json={"user_id": world.member.id, "alert_id": "member_silent:x:1"}
    )
    assert response.status_code == 201, response.text
    nudge = response.json()
    assert nudge["user"] == {"id": world.member.id, "display_name": "marc"}
    assert nudge["sender"]["display_name"] == "anna"
    assert nudge["alert_id"] == "member_silent:x:1"
    assert nudge["message"].startswith("Bonjour marc,")
    assert "« Rénovation Drôme »" in nudge["message"] and nudge["message"].endswith("anna")

    emails = mailer(world).sent[sent_before:]
    assert [e.to for e in emails] == ["marc@example.fr"]
    assert "anna" in emails[0].subject and nudge["message"] in emails[0].text

    inbox = await world.member.get("/api/v1/me/notifications")
    assert inbox.status_code == 200
    assert inbox.json()["unread"] == 1
    (note,) = inbox.json()["notifications"]
    assert (note["kind"], note["body"], note["read_at"]) == ("nudge", nudge["message"], None)
    assert note["collective_id"] == world.collective_id
    assert note["data"]["nudge_id"] == nudge["id"]

    events = f"/api/v1/collectives/{world.collective_id}/events?since=0"
    seen = (await world.animator.get(events)).json()["events"][-1]
    assert seen["kind"] == "nudge.sent" and seen["data"]["message"] == nudge["message"]
    for client in (world.member, world.observer):
        hidden = (await client.get(events)).json()["events"][-1]
        assert hidden["kind"] == "nudge.sent" and hidden["data"].get("redacted") is True
        assert nudge["message"] not in str(hidden)

    metrics = (await world.animator.get(url(world, "/engagement"))).json()["metrics"]
    assert metrics["animator_activity"]["nudges"] == 1


async def test_a_nudge_message_may_be_written_by_hand(world: World) -> None:
    for days_ago, message, expected in (
        (10, "Salut {prenom} !", "Salut marc !"),
        (5, "Des accolades { laissées telles quelles", "Des accolades { laissées telles quelles"),
    ):
        with clock_at(datetime.now(UTC) - timedelta(days=days_ago)):
            response = await world.animator.post(
                url(world, "/nudges"), json={"user_id": world.member.id, "message": message}
            )
        assert response.status_code == 201, response.text
        assert response.json()["message"] == expected


async def test_a_member_is_nudged_at_most_once_in_three_days(
    world: World, make_client: MakeClient
) -> None:
    now = datetime.now(UTC)
    second = await make_client("bruno")
    await join(world.animator, second, world.collective_id, "animator")
    with clock_at(now - timedelta(days=2, hours=23)):
        first = await world.animator.post(url(world, "/nudges"), json={"user_id": world.member.id})
    assert first.status_code == 201, first.text
    before = (await seq(world), await count(world, Nudge), await count(world, Notification))
    mails = len(mailer(world).sent)
    # A double click, or another animator answering the same alert: 409, nothing written.
    for client in (world.animator, second):
        again = await client.post(url(world, "/nudges"), json={"user_id": world.member.id})
        assert again.status_code == 409, again.text
        error = again.json()["error"]
        assert error["code"] == "nudged_recently" and "user_id" in error["fields"]
        last = datetime.fromisoformat(error["last_nudge_at"])
        assert abs(last - (now - timedelta(days=2, hours=23))) < timedelta(seconds=1)
        assert datetime.fromisoformat(error["next_nudge_at"]) == last + timedelta(days=3)
    assert (await seq(world), await count(world, Nudge), await count(world, Notification)) == before
    assert len(mailer(world).sent) == mails
    # Other members are not held back, and after three days the same one can be nudged again.
    other = await make_client("claire")
    await join(world.animator, other, world.collective_id, "member")
    ok = await second.post(url(world, "/nudges"), json={"user_id": other.id})
    assert ok.status_code == 201, ok.text
    with clock_at(now + timedelta(hours=1, seconds=1)):
        later = await second.post(url(world, "/nudges"), json={"user_id": world.member.id})
    assert later.status_code == 201, later.text


async def test_concurrent_nudges_to_one_member_send_exactly_one(
    world: World, make_client: MakeClient
) -> None:
    # Two animators clicking at once, several times: the collective's write lock orders them,
    # so one nudge is stored, notified and emailed, every other call gets 409.
    second = await make_client("bruno")
    await join(world.animator, second, world.collective_id, "animator")
    before = (await count(world, Nudge), await count(world, Notification))
    mails = len(mailer(world).sent)
    calls = [
        client.post(url(world, "/nudges"), json={"user_id": world.member.id})
        for client in (world.animator, second) * 4
    ]
    statuses = sorted(r.status_code for r in await asyncio.gather(*calls))
    assert statuses == [201] + [409] * 7
    assert (await count(world, Nudge), await count(world, Notification)) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert len(mailer(world).sent) == mails + 1


async def test_bad_nudges_write_nothing(world: World, make_client: MakeClient) -> None:
    before = (await seq(world), await count(world, Nudge), await count(world, Notification))
    mails = len(mailer(world).sent)
    for body in (
        {"user_id": world.outsider.id},
        {"user_id": world.animator.id},
        {"user_id": world.observer.id},
        {"user_id": 999_999},
        {"user_id": 0},
        {"user_id": "2"},
        {},
        {"user_id": world.member.id, "message": ""},
        {"user_id": world.member.id, "message": "x" * 5001},
        {"user_id": world.member.id, "alert_id": "a" * 121},
        {"user_id": world.member.id, "extra": True},
    ):
        response = await world.animator.post(url(world, "/nudges"), json=body)
        assert response.status_code == 422, (body, response.text)
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        response = await client.post(url(world, "/nudges"), json={"user_id": world.member.id})
        assert response.status_code == status
    after = (await seq(world), await count(world, Nudge), await count(world, Notification))
    assert after == before
    assert len(mailer(world).sent) == mails


# ---------------------------------------------------------------- prompts


async def test_a_prompt_is_a_question_card_posted_through_the_card_service(world: World) -> None:
    before = await seq(world)
    response = await world.animator.post(
        url(world, "/prompts"),
        json={
            "board_id": world.board_id,
            "title": "Votre meilleure astuce d'étanchéité à l'air ?",
            "body": "Une photo de chantier bienvenue.",
        },
    )
    assert response.status_code == 201, response.text
    card = response.json()
    assert (card["kind"], card["tags"], card["board_id"]) == (
        "question",
        ["question-de-la-semaine"],
        world.board_id,
    )
    assert card["author"]["display_name"] == "anna"
    assert await seq(world) == before + 1
    board = (await world.member.get(f"/api/v1/boards/{world.board_id}")).json()
    assert card["id"] in {c["id"] for column in board["columns"] for c in column["cards"]}
    log = (await world.member.get(url(world, f"/events?since={before}"))).json()["events"]
    assert [e["kind"] for e in log] == ["card.created"]


async def test_bad_prompts_write_nothing(world: World) -> None:
    other = await world.outsider.post("/api/v1/collectives", json={"name": "Ailleurs"})
    foreign = await world.outsider.post(
        f"/api/v1/collectives/{other.json()['id']}/boards", json={"name": "Le leur"}
    )
    before = await seq(world)
    for body in (
        {"board_id": foreign.json()["id"], "title": "Q"},
        {"board_id": 999_999, "title": "Q"},
        {"board_id": world.board_id, "title": ""},
        {"board_id": world.board_id},
        {"title": "Q"},
    ):
        response = await world.animator.post(url(world, "/prompts"), json=body)
        assert response.status_code == 422, (body, response.text)
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        response = await client.post(
            url(world, "/prompts"), json={"board_id": world.board_id, "title": "Q"}
        )
        assert response.status_code == status
    archived = await world.animator.patch(
        f"/api/v1/boards/{world.board_id}", json={"archived": True}
    )
    assert archived.status_code == 200
    before = await seq(world)
    closed = await world.animator.post(
        url(world, "/prompts"), json={"board_id": world.board_id, "title": "Q"}
    )
    assert closed.status_code == 409
    assert await seq(world) == before


# ---------------------------------------------------------------- welcomes


async def test_a_welcome_comments_the_first_card_or_else_notifies(
    world: World, make_client: MakeClient
) -> None:
    response = await world.animator.post(url(world, "/welcomes"), json={"user_id": world.member.id})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["card_id"]) == ("comment", world.card["id"])
    assert body["comment"]["body"].startswith("Bienvenue marc dans « Rénovation Drôme »")
    card = (await world.member.get(f"/api/v1/cards/{world.card['id']}")).json()
    assert [c["body"] for c in card["comments"]] == [body["comment"]["body"]]

    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    before = await seq(world)
    quiet = await world.animator.post(
        url(world, "/welcomes"),
        json={"user_id": lea.id, "message": "Ravie de t'accueillir {prenom}"},
    )
    assert quiet.status_code == 201, quiet.text
    assert quiet.json()["kind"] == "notification"
    assert quiet.json()["notification"]["body"] == "Ravie de t'accueillir lea"
    inbox = (await lea.get("/api/v1/me/notifications")).json()
    assert [n["kind"] for n in inbox["notifications"]] == ["welcome"]
    log = (await world.member.get(url(world, f"/events?since={before}"))).json()["events"]
    assert [(e["kind"], e["data"].get("redacted")) for e in log] == [("welcome.sent", True)]


async def test_bad_welcomes_write_nothing(world: World) -> None:
    before = (await seq(world), await count(world, Notification))
    for body in (
        {"user_id": world.observer.id},
        {"user_id": world.animator.id},
        {"user_id": world.outsider.id},
        {"user_id": world.member.id, "message": ""},
        {},
    ):
        response = await world.animator.post(url(world, "/welcomes"), json=body)
        assert response.status_code == 422, (body, response.text)
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        response = await client.post(url(world, "/welcomes"), json={"user_id": world.member.id})
        assert response.status_code == status
    assert (await seq(world), await count(world, Notification)) == before


# ---------------------------------------------------------------- notifications


async def test_notifications_newest_first_and_marked_read_by_their_owner_only(
    world: World,
) -> None:
    for days_ago, text in ((4, "Premier"), (0, "Second")):
        with clock_at(datetime.now(UTC) - timedelta(days=days_ago)):
            sent = await world.animator.post(
                url(world, "/nudges"), json={"user_id": world.member.id, "message": text}
            )
        assert sent.status_code == 201, sent.text
    inbox = (await world.member.get("/api/v1/me/notifications")).json()
    assert [n["body"] for n in inbox["notifications"]] == ["Second", "Premier"]
    assert inbox["unread"] == 2
    newest = inbox["notifications"][0]["id"]
    # The sender gets none of them (only the joins the world's set-up told her of).
    theirs = (await world.animator.get("/api/v1/me/notifications")).json()["notifications"]
    assert {n["kind"] for n in theirs} <= {"invitation"}
    for client in (world.animator, world.observer, world.outsider):
        refused = await client.post(f"/api/v1/notifications/{newest}/read")
        assert refused.status_code == 404
    assert (await world.member.post("/api/v1/notifications/999999/read")).status_code == 404
    for _ in range(2):  # idempotent
        assert (await world.member.post(f"/api/v1/notifications/{newest}/read")).status_code == 204
    inbox = (await world.member.get("/api/v1/me/notifications?limit=1")).json()
    assert inbox["unread"] == 1
    assert len(inbox["notifications"]) == 1 and inbox["notifications"][0]["read_at"]
    for query in ("limit=0", "limit=abc", "limit=1000"):
        assert (await world.member.get(f"/api/v1/me/notifications?{query}")).status_code == 422
    anonymous = await world.member.post("/api/v1/auth/logout")
    assert anonymous.status_code == 204
    assert (await world.member.get("/api/v1/me/notifications")).status_code == 401
