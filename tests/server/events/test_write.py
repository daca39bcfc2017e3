"""The one write path: gap-free ``seq`` under concurrency, publish after commit only, and an
event log that, replayed onto a stale board, reproduces the fresh board (Zulip's
``verify_action`` idea)."""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from server.core.models import Event
from server.core.platform import Essaim
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.collectives import collective_seq

Message = dict[str, Any]


async def all_events(client: ApiClient, collective_id: int, page: int = 7) -> list[Message]:
    """The whole event log visible to ``client``, fetched in pages of ``page``."""
    events: list[Message] = []
    since = 0
    while True:
        response = await client.get(
            f"/api/v1/collectives/{collective_id}/events",
            params={"since": since, "limit": page},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        events.extend(body["events"])
        assert body["next_since"] >= since
        if not body["more"]:
            assert body["next_since"] == body["seq"]
            return events
        assert body["events"], "more=true must come with events"
        since = body["next_since"]


async def events_since(client: ApiClient, collective_id: int, since: int) -> list[Message]:
    return [e for e in await all_events(client, collective_id) if e["seq"] > since]


def assert_gap_free(events: list[Message]) -> None:
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs


async def add_member(make_client: MakeClient, world: World, name: str) -> ApiClient:
    client = await make_client(name)
    await join(world.animator, client, world.collective_id, "member")
    return client


async def create_card(client: ApiClient, board_id: int, title: str, **extra: Any) -> Message:
    response = await client.post(f"/api/v1/boards/{board_id}/cards", json={"title": title, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def assert_all_succeeded(responses: list[httpx.Response]) -> None:
    failures = [(r.request.method, r.request.url.path, r.status_code, r.text) for r in responses]
    failures = [f for f in failures if f[2] >= 300]
    assert not failures, failures


# ---------------------------------------------------------------- concurrent writers


async def test_concurrent_writers_get_consecutive_seqs_one_event_per_write(
    world: World, make_client: MakeClient
) -> None:
    cid, board_id, columns = world.collective_id, world.board_id, world.columns
    writers = [world.animator, world.member]
    writers += [await add_member(make_client, world, f"membre{i}") for i in range(3)]
    to_move = [
        await create_card(writers[i % len(writers)], board_id, f"À déplacer {i}") for i in range(12)
    ]
    before = await collective_seq(world.animator, cid)

    creations = [
        writers[i % len(writers)].post(
            f"/api/v1/boards/{board_id}/cards",
            json={"title": f"Carte simultanée {i}", "column_id": columns[i % len(columns)]},
        )
        for i in range(30)
    ]
    # Members move any card of their collective; each card is moved once, at its version.
    moves = [
        writers[(i + 1) % len(writers)].patch(
            f"/api/v1/cards/{card['id']}",
            json={
                "version": card["version"],
                "column_id": columns[(i + 1) % len(columns)],
                "position": i % 3,
            },
        )
        for i, card in enumerate(to_move)
    ]
    calls = [c for pair in zip(creations, moves, strict=False) for c in pair]
    calls += creations[len(moves) :]
    responses = await asyncio.gather(*calls)
    assert_all_succeeded(list(responses))
    writes = len(responses)
    assert writes >= 40

    events = await all_events(world.member, cid)
    assert_gap_free(events)
    assert len(events) == before + writes
    burst = [e for e in events if e["seq"] > before]
    assert Counter(e["kind"] for e in burst) == {"card.created": 30, "card.moved": 12}
    created_ids = {e["card"] for e in burst if e["kind"] == "card.created"}
    returned_ids = {r.json()["id"] for r in responses if r.request.method == "POST"}
    assert created_ids == returned_ids
    assert sorted(e["card"] for e in burst if e["kind"] == "card.moved") == sorted(
        c["id"] for c in to_move
    )
    assert await collective_seq(world.member, cid) == len(events)


async def test_concurrent_writers_keep_column_positions_dense(
    world: World, make_client: MakeClient
) -> None:
    """Concurrent inserts and moves into the same columns leave positions 0..n-1 per column."""
    board_id, columns = world.board_id, world.columns
    writers = [world.animator, world.member, await add_member(make_client, world, "paul")]
    to_move = [await create_card(world.member, board_id, f"Carte {i}") for i in range(8)]
    calls = [
        writers[i % 3].post(
            f"/api/v1/boards/{board_id}/cards",
            json={"title": f"Nouvelle {i}", "column_id": columns[1], "position": 0},
        )
        for i in range(16)
    ]
    calls += [
        writers[i % 3].patch(
            f"/api/v1/cards/{card['id']}",
            json={"version": card["version"], "column_id": columns[1], "position": 0},
        )
        for i, card in enumerate(to_move)
    ]
    assert_all_succeeded(list(await asyncio.gather(*calls)))
    board = (await world.animator.get(f"/api/v1/boards/{board_id}")).json()
    for column in board["columns"]:
        positions = [c["position"] for c in column["cards"]]
        assert positions == list(range(len(positions))), (column["name"], positions)
    assert sum(len(c["cards"]) for c in board["columns"]) == 1 + 16 + 8


async def test_concurrent_writes_to_two_collectives_keep_independent_sequences(
    world: World,
) -> None:
    listed = (await world.outsider.get("/api/v1/collectives")).json()["collectives"]
    (other,) = listed
    other_board = await world.outsider.post(
        f"/api/v1/collectives/{other['id']}/boards", json={"name": "Pratiques", "kind": "ideas"}
    )
    assert other_board.status_code == 201, other_board.text
    first_before = await collective_seq(world.animator, world.collective_id)
    second_before = await collective_seq(world.outsider, other["id"])

    calls = []
    for i in range(22):
        calls.append(
            world.member.post(f"/api/v1/boards/{world.board_id}/cards", json={"title": f"A{i}"})
        )
        calls.append(
            world.outsider.post(
                f"/api/v1/boards/{other_board.json()['id']}/cards", json={"title": f"B{i}"}
            )
        )
    assert_all_succeeded(list(await asyncio.gather(*calls)))

    first = await all_events(world.animator, world.collective_id)
    second = await all_events(world.outsider, other["id"])
    assert_gap_free(first)
    assert_gap_free(second)
    assert len(first) == first_before + 22
    assert len(second) == second_before + 22
    assert {e["collective"] for e in first} == {world.collective_id}
    assert {e["collective"] for e in second} == {other["id"]}
    assert await collective_seq(world.animator, world.collective_id) == len(first)
    assert await collective_seq(world.outsider, other["id"]) == len(second)


# ---------------------------------------------------------------- publish after commit


async def committed_event(essaim: Essaim, collective_id: int, seq: int) -> Event | None:
    async with essaim.db.read() as session:
        event: Event | None = await session.scalar(
            select(Event).where(Event.collective_id == collective_id, Event.seq == seq)
        )
        return event


async def test_successful_write_publishes_exactly_its_events_in_seq_order(
    world: World, app: Starlette
) -> None:
    essaim: Essaim = app.state.essaim
    cid = world.collective_id
    url = f"/api/v1/cards/{world.card['id']}"
    async with essaim.broker.subscribe(f"collective:{cid}") as queue:
        # A move and an edit in one request: two events, one transaction.
        response = await world.member.patch(
            url, json={"version": 1, "title": "Achats groupés", "column_id": world.columns[2]}
        )
        assert response.status_code == 200, response.text
        received = [queue.get_nowait() for _ in range(queue.qsize())]
        created = await create_card(world.animator, world.board_id, "Une autre")
        received.append(await queue.get())
        assert queue.empty()

    logged = await events_since(world.animator, cid, received[0]["seq"] - 1)
    assert [m["kind"] for m in received] == ["card.moved", "card.updated", "card.created"]
    assert [m["seq"] for m in received] == list(range(received[0]["seq"], received[0]["seq"] + 3))
    # The broker envelope adds the audience flag the real-time hub needs; the rest is the log.
    assert [m.pop("restricted") for m in received] == [False, False, False]
    assert received == logged
    assert received[2]["card"] == created["id"]
    assert received[0]["data"]["title"] == "Achats groupés"
    assert received[0]["data"]["from_column_id"] == world.columns[0]


async def test_failed_writes_publish_nothing_and_append_no_event(
    world: World, app: Starlette
) -> None:
    essaim: Essaim = app.state.essaim
    cid = world.collective_id
    url = f"/api/v1/cards/{world.card['id']}"
    before = await collective_seq(world.animator, cid)
    async with essaim.broker.subscribe(f"collective:{cid}") as queue:
        stale = await world.member.patch(url, json={"version": 7, "title": "Trop tard"})
        assert stale.status_code == 409, stale.text
        other = await world.outsider.post(
            "/api/v1/collectives", json={"name": "Une troisième collective"}
        )
        other_board = await world.outsider.post(
            f"/api/v1/collectives/{other.json()['id']}/boards", json={"name": "Ailleurs"}
        )
        foreign_column = other_board.json()["columns"][0]["id"]
        # Fails inside the transaction, after the card row was read and locked.
        wrong_column = await world.member.patch(
            url, json={"version": 1, "column_id": foreign_column}
        )
        assert wrong_column.status_code == 422, wrong_column.text
        invalid = await world.member.post(
            f"/api/v1/boards/{world.board_id}/cards", json={"title": ""}
        )
        assert invalid.status_code == 422, invalid.text
        forbidden = await world.observer.post(
            f"/api/v1/boards/{world.board_id}/cards", json={"title": "Observatrice"}
        )
        assert forbidden.status_code == 403, forbidden.text
        assert queue.empty(), [queue.get_nowait() for _ in range(queue.qsize())]
        assert await collective_seq(world.animator, cid) == before
        assert len(await all_events(world.animator, cid)) == before

        # The next successful write takes the next seq: the failures consumed none.
        ok = await world.member.patch(url, json={"version": 1, "title": "Enfin"})
        assert ok.status_code == 200, ok.text
        message = await queue.get()
        assert (message["seq"], message["kind"]) == (before + 1, "card.updated")
        assert queue.empty()
    card = (await world.member.get(url)).json()
    assert (card["title"], card["version"], card["column_id"]) == ("Enfin", 2, world.columns[0])


async def test_published_events_are_already_committed_when_received(
    world: World, app: Starlette, make_client: MakeClient
) -> None:
    essaim: Essaim = app.state.essaim
    cid = world.collective_id
    writers = [world.animator, world.member, await add_member(make_client, world, "lucie")]
    expected = 15
    seen: list[tuple[int, bool]] = []

    async with essaim.broker.subscribe(f"collective:{cid}") as queue:

        async def consume() -> None:
            while len(seen) < expected:
                message = await queue.get()
                # Read right away, in a fresh read session, while other writes are in flight.
                event = await committed_event(essaim, cid, message["seq"])
                seen.append((message["seq"], event is not None and event.kind == message["kind"]))

        consumer = asyncio.create_task(consume())
        responses = await asyncio.gather(
            *(
                writers[i % 3].post(
                    f"/api/v1/boards/{world.board_id}/cards", json={"title": f"Vite {i}"}
                )
                for i in range(expected)
            )
        )
        assert_all_succeeded(list(responses))
        await asyncio.wait_for(consumer, timeout=10)

    assert all(ok for _, ok in seen), seen
    # Concurrent writers commit in seq order but publish from their own tasks, so publication
    # order may differ; subscribers restore it from the log (realtime/hub.py). What must hold:
    # every event is published exactly once.
    seqs = sorted(seq for seq, _ in seen)
    assert seqs == list(range(seqs[0], seqs[0] + expected)), "an event was lost or duplicated"
    assert len(set(seqs)) == expected


# ---------------------------------------------------------------- replay reproduces state


def reduce_board(board: Message, events: list[Message]) -> Message:
    """Apply ``events`` to a board as fetched (the client's reducer, written independently)."""
    state = copy.deepcopy(board)
    columns = {c["id"]: c for c in state["columns"]}

    def find(card_id: int) -> tuple[Message, Message] | None:
        for column in state["columns"]:
            for card in column["cards"]:
                if card["id"] == card_id:
                    return column, card
        return None

    def renumber() -> None:
        for column in state["columns"]:
            for index, card in enumerate(column["cards"]):
                card["position"] = index

    for event in events:
        if event["board"] != state["id"]:
            continue
        kind, data = event["kind"], event["data"]
        found = find(event["card"]) if event["card"] is not None else None
        if kind == "card.created":
            assert found is None
            columns[data["column_id"]]["cards"].insert(data["position"], dict(data))
        elif kind in {"card.updated", "card.restored"}:
            assert found is not None
            found[1].update(data)
        elif kind == "card.moved":
            assert found is not None
            column, card = found
            column["cards"].remove(card)
            card.update({k: v for k, v in data.items() if k != "from_column_id"})
            columns[data["column_id"]]["cards"].insert(data["position"], card)
        elif kind == "card.deleted":
            assert found is not None
            found[0]["cards"].remove(found[1])
        elif kind == "card.hidden":
            assert found is not None
            found[1].update(moderation="hidden", version=data["version"])
        elif kind == "comment.created":
            assert found is not None
            found[1]["comment_count"] += 1
        elif kind in {"comment.deleted", "comment.hidden"}:
            assert found is not None
            found[1]["comment_count"] -= 1
        elif kind in {"reaction.added", "reaction.removed"}:
            assert found is not None
            found[1]["reactions"] = data["reactions"]
        renumber()
    state["seq"] = events[-1]["seq"] if events else board["seq"]
    return state


def board_shape(board: Message) -> list[tuple[int, list[tuple[Any, ...]]]]:
    return [
        (
            column["id"],
            [
                (
                    card["id"],
                    card["title"],
                    card["body"],
                    card["version"],
                    card["column_id"],
                    card["position"],
                    card["moderation"],
                    card["reactions"],
                    card["comment_count"],
                )
                for card in column["cards"]
            ],
        )
        for column in board["columns"]
    ]


async def test_replaying_events_onto_a_stale_board_gives_the_fresh_board(
    world: World, make_client: MakeClient
) -> None:
    animator, member = world.animator, world.member
    lea = await add_member(make_client, world, "lea")
    board_id, cols = world.board_id, world.columns
    other_board = await animator.post(
        f"/api/v1/collectives/{world.collective_id}/boards", json={"name": "Autre tableau"}
    )
    assert other_board.status_code == 201
    seeded = [await create_card(member, board_id, f"Existante {i}") for i in range(3)]
    stale = (await animator.get(f"/api/v1/boards/{board_id}")).json()

    async def patch(client: ApiClient, card_id: int, **values: Any) -> Message:
        current = (await client.get(f"/api/v1/cards/{card_id}")).json()
        response = await client.patch(
            f"/api/v1/cards/{card_id}", json={"version": current["version"], **values}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def ok(response: httpx.Response) -> Message:
        assert response.status_code in {200, 201, 204}, response.text
        return dict(response.json()) if response.content else {}

    a = await create_card(lea, board_id, "Caisse commune", column_id=cols[1])
    b = await create_card(member, board_id, "Chantier école", column_id=cols[1], position=0)
    c = await create_card(animator, board_id, "Visite de chantier", column_id=cols[2])
    d = await create_card(member, board_id, "Devis partagé", position=1)
    await create_card(member, other_board.json()["id"], "Ailleurs")
    await patch(member, world.card["id"], title="Achats groupés d'isolant", body="Oui !")
    await patch(lea, a["id"], column_id=cols[2], position=0)
    await patch(member, seeded[0]["id"], column_id=cols[3])
    await patch(animator, b["id"], position=5)  # within its column, clamped to the end
    await patch(member, d["id"], column_id=cols[1], position=1, title="Devis mutualisé")
    comment = await ok(
        await lea.post(f"/api/v1/cards/{a['id']}/comments", json={"body": "Je suis partante."})
    )
    await ok(await member.post(f"/api/v1/cards/{a['id']}/comments", json={"body": "Moi aussi"}))
    await ok(await member.post(f"/api/v1/cards/{c['id']}/comments", json={"body": "Quand ?"}))
    await ok(await animator.delete(f"/api/v1/comments/{comment['id']}"))
    for client, kind in [(member, "useful"), (lea, "useful"), (lea, "plus_one")]:
        await ok(await client.post(f"/api/v1/cards/{a['id']}/reactions", json={"kind": kind}))
    await ok(await animator.post(f"/api/v1/cards/{c['id']}/reactions", json={"kind": "tried_it"}))
    await ok(await lea.delete(f"/api/v1/cards/{a['id']}/reactions/plus_one"))
    await ok(await member.delete(f"/api/v1/cards/{seeded[1]['id']}"))
    await patch(animator, seeded[2]["id"], moderation="hidden")
    await patch(animator, c["id"], moderation="hidden")
    await patch(animator, c["id"], moderation="published")
    await patch(animator, d["id"], column_id=cols[0], position=0)

    events = await events_since(animator, world.collective_id, stale["seq"])
    assert [e["seq"] for e in events] == list(range(stale["seq"] + 1, stale["seq"] + 1 + 25))
    fresh = (await animator.get(f"/api/v1/boards/{board_id}")).json()
    replayed = reduce_board(stale, events)
    assert replayed["seq"] == fresh["seq"]
    assert board_shape(replayed) == board_shape(fresh)
    # The scenario really exercised what it claims to.
    hidden = [
        card for col in fresh["columns"] for card in col["cards"] if card["id"] == seeded[2]["id"]
    ]
    assert hidden and hidden[0]["moderation"] == "hidden"
    assert {card["id"] for col in fresh["columns"] for card in col["cards"]}.isdisjoint(
        {seeded[1]["id"]}
    )


# ---------------------------------------------------------------- redaction


async def test_event_page_redacts_a_now_hidden_card_for_members_keeping_seq_contiguous(
    world: World,
) -> None:
    cid = world.collective_id
    secret = await create_card(
        world.member, world.board_id, "Tarifs du fournisseur", body="Remise de 12 %"
    )
    moved = await world.member.patch(
        f"/api/v1/cards/{secret['id']}", json={"version": 1, "column_id": world.columns[1]}
    )
    assert moved.status_code == 200, moved.text
    await create_card(world.member, world.board_id, "Carte visible")
    hidden = await world.animator.patch(
        f"/api/v1/cards/{secret['id']}", json={"version": 2, "moderation": "hidden"}
    )
    assert hidden.status_code == 200, hidden.text

    for client in (world.member, world.observer):
        events = await all_events(client, cid, page=3)
        assert_gap_free(events)
        about_secret = [e for e in events if e["card"] == secret["id"]]
        assert [e["kind"] for e in about_secret] == ["card.created", "card.moved", "card.hidden"]
        for event in about_secret:
            assert event["data"].get("id") == secret["id"]
            assert "title" not in event["data"] and "body" not in event["data"], event
            assert "Tarifs" not in str(event) and "12 %" not in str(event)
        visible = [e for e in events if e["kind"] == "card.created" and e["card"] != secret["id"]]
        assert {e["data"]["title"] for e in visible} >= {"Carte visible"}

    full = await all_events(world.animator, cid)
    assert_gap_free(full)
    created = next(e for e in full if e["card"] == secret["id"])
    assert created["data"]["title"] == "Tarifs du fournisseur"
