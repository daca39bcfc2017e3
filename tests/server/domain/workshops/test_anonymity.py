"""Who learns who wrote a card of an anonymous workshop step, through every way out: the API
(board, card, the answer to a move), the event log, ``/ws``, search (its author filter),
exports, the funder report, the digest email and the workshop's minutes.

    viewer       board / card          events, /ws        search by author   minutes
    author       herself               nobody named       nobody             « anonyme »
    animator     the author            nobody named       nobody             « anonyme »
    member       nobody                nobody named       nobody             « anonyme »
    observer     nobody                nobody named       nobody             « anonyme »
    outsider     404                   404                nothing            404
    no session   401                   401                401                401

At the end, with ``reveal_authors`` the card names its author to everyone (``card.updated``);
without it, it stays anonymous for good.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from animation.digest import run_digest
from server.core.models import clock_at
from tests.conftest import PASSWORD, ApiClient, MakeClient, World, join
from tests.realtime import conftest as realtime
from tests.realtime.conftest import Connect
from tests.support.collectives import seq, url
from tests.support.platform import essaim_of
from tests.support.votes import events_since
from tests.support.workshops import API, act, ok, post_card, start

live, connect = realtime.live, realtime.connect
NAME = "Zéphyrine Quatrefages"
TITLE = "Groupement d'achat de laine de bois sentinelle"


async def zephyrine(world: World, make_client: MakeClient) -> ApiClient:
    client = await make_client()
    registered = await ok(
        await client.post(
            f"{API}/auth/register",
            json={"email": "zephyrine@example.fr", "password": PASSWORD, "display_name": NAME},
        ),
        201,
    )
    client.csrf, client.user = registered["csrf_token"], registered["user"]
    await join(world.animator, client, world.collective_id, "member")
    return client


def author_of(board: dict[str, Any], card_id: int) -> Any:
    for column in board["columns"]:
        for card in column["cards"]:
            if card["id"] == card_id:
                return card["author"]
    raise AssertionError(f"card {card_id} is not on the board")


def names_her(data: Any, her: ApiClient) -> bool:
    """Whether ``data`` holds her name or her id under a key that says who."""
    text = json.dumps(data, ensure_ascii=False)
    if NAME in text:
        return True
    found = False

    def walk(node: Any) -> None:
        nonlocal found
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"actor", "author_id", "user_id", "uploader_id"} and value == her.id:
                    found = True
                if (
                    key in {"author", "user"}
                    and isinstance(value, dict)
                    and value.get("id") == her.id
                ):
                    found = True
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


async def test_each_viewer_sees_the_author_or_nobody_as_the_rules_say(
    world: World, make_client: MakeClient
) -> None:
    her = await zephyrine(world, make_client)
    workshop = await start(world.animator, world.board_id, reveal_authors=False)
    assert workshop["step"]["anonymous"] is True
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    assert card["anonymous"] is True and card["author"]["id"] == her.id, "she sees herself"
    cid = card["id"]
    for viewer, expected in (
        (her, her.id),
        (world.animator, her.id),
        (world.member, None),
        (world.observer, None),
    ):
        board = await ok(await viewer.get(f"{API}/boards/{world.board_id}"))
        shown = author_of(board, cid)
        assert (shown["id"] if shown else None) == expected, viewer.user["display_name"]
        single = await ok(await viewer.get(f"{API}/cards/{cid}"))
        assert (single["author"]["id"] if single["author"] else None) == expected
        assert single["anonymous"] is True
        if expected is None:
            assert not names_her(board, her) and not names_her(single, her)
    assert (await world.outsider.get(f"{API}/cards/{cid}")).status_code == 404
    anonymous = await make_client()
    assert (await anonymous.get(f"{API}/cards/{cid}")).status_code == 401
    # A member who moves it gets the card back without its author.
    moved = await ok(
        await world.member.patch(
            f"{API}/cards/{cid}", json={"version": card["version"], "column_id": world.columns[1]}
        )
    )
    assert moved["author"] is None
    # So does a stale edit's conflict answer.
    stale = await world.member.patch(
        f"{API}/cards/{cid}", json={"version": 1, "column_id": world.columns[0]}
    )
    assert stale.status_code == 409 and stale.json()["error"]["current"]["author"] is None
    # Her own edit: the events still name nobody.
    since = await seq(world)
    await ok(
        await her.patch(
            f"{API}/cards/{cid}", json={"version": moved["version"], "body": "Précision"}
        )
    )
    for viewer in (world.animator, world.member, world.observer):
        for event in await events_since(viewer, world, since):
            assert event["actor"] is None and not names_her(event, her), event
    # Ending without revealing: still anonymous.
    await ok(await act(world.animator, workshop["id"], "end"))
    after = await ok(await world.member.get(f"{API}/cards/{cid}"))
    assert after["author"] is None and after["anonymous"] is True


async def test_the_event_log_and_ws_name_nobody(
    world: World, make_client: MakeClient, connect: Connect
) -> None:
    her = await zephyrine(world, make_client)
    await start(world.animator, world.board_id)
    sockets = []
    for viewer in (world.animator, world.member, world.observer):
        ws = await connect(viewer)
        await ws.expect("hello")
        await ws.subscribe(world.collective_id, board=world.board_id)
        sockets.append(ws)
    since = await seq(world)
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    for ws in sockets:
        [event] = await ws.events(1)
        assert event["kind"] == "card.created" and event["card"] == card["id"]
        assert event["actor"] is None and event["data"]["author"] is None
        assert event["data"]["anonymous"] is True and not names_her(event, her)
    for viewer in (world.animator, world.member, world.observer):
        [event] = await events_since(viewer, world, since)
        assert event["actor"] is None and not names_her(event, her)
    assert (await world.outsider.get(url(world, "/events"))).status_code == 404
    # A file she attaches to it does not name her either.
    upload = {"file": ("devis.md", b"# Devis laine\n", "text/markdown")}
    attached = await ok(await her.post(f"{API}/cards/{card['id']}/attachments", files=upload), 201)
    assert attached["uploader_id"] == her.id, "she sees her own"
    for ws in sockets:
        [event] = await ws.events(1)
        assert event["kind"] == "attachment.added" and event["actor"] is None
        assert event["data"]["uploader_id"] is None
    for viewer, expected in (
        (world.animator, her.id),
        (world.member, None),
        (world.observer, None),
    ):
        page = await ok(await viewer.get(f"{API}/cards/{card['id']}"))
        assert [a["uploader_id"] for a in page["attachments"]] == [expected]


async def test_search_by_author_does_not_tell(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    her = await zephyrine(world, make_client)
    await start(world.animator, world.board_id)
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    named = await ok(
        await her.post(f"{API}/boards/{world.board_id}/cards", json={"title": "Laine signée"}), 201
    )
    await app.state.search.indexer.drain()
    for viewer in (her, world.animator, world.member, world.observer):
        found = await ok(await viewer.get(f"{API}/search", params={"q": "laine"}))
        ids = {h["card_id"] for h in found["hits"]}
        assert card["id"] in ids and not names_her(found["hits"], her)
        by_her = await ok(
            await viewer.get(f"{API}/search", params={"q": "laine", "author": her.id})
        )
        assert card["id"] not in {h["card_id"] for h in by_her["hits"]}
    assert named["anonymous"] is True  # the whole step is anonymous, her second card too
    outsider = await ok(await world.outsider.get(f"{API}/search", params={"q": "laine"}))
    assert outsider["hits"] == []


def documents(content: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")}


async def test_exports_report_digest_and_minutes_keep_the_secret(
    world: World, make_client: MakeClient
) -> None:
    her = await zephyrine(world, make_client)
    with clock_at(datetime.now(UTC) - timedelta(days=10)):  # Marc is idle: he gets a digest
        await ok(await world.member.post(url(world, "/visits"), json={}), 204)
    workshop = await start(world.animator, world.board_id, reveal_authors=False)
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    # Her export holds her card (her own data); Marc's does not name her as its author.
    mine = documents((await her.get(f"{API}/me/export")).content)
    assert TITLE in json.dumps(mine, ensure_ascii=False)
    theirs = documents((await world.member.get(f"{API}/me/export")).content)
    assert not names_her(theirs, her)
    # The funder report: figures and names of members, never who wrote this card.
    for viewer in (world.animator, world.observer):
        report = await ok(await viewer.get(url(world, "/report"), params={"format": "json"}))
        text = json.dumps(report, ensure_ascii=False)
        assert TITLE not in text or NAME not in text
    # The digest to Marc lists the new card's title, no author.
    essaim = essaim_of(world)
    await run_digest(essaim)
    [to_marc] = [m for m in essaim.mailer.sent if m.to == world.member.user["email"]]
    assert TITLE in to_marc.text and NAME not in to_marc.text
    # The minutes, for every reader, say « anonyme ».
    await ok(await act(world.animator, workshop["id"], "end"))
    for viewer in (world.animator, world.member, world.observer, her):
        for fmt in ("markdown", "html"):
            page = await viewer.get(
                f"{API}/workshops/{workshop['id']}/minutes", params={"format": fmt}
            )
            assert page.status_code == 200, page.text
            assert "anonyme" in page.text and TITLE.split()[0] in page.text
            line = next(row for row in page.text.splitlines() if "sentinelle" in row)
            assert NAME not in line
    assert (
        await world.outsider.get(f"{API}/workshops/{workshop['id']}/minutes")
    ).status_code == 404
    assert card["id"]


async def test_revealing_at_the_end_names_the_authors_to_everyone(
    world: World, make_client: MakeClient
) -> None:
    her = await zephyrine(world, make_client)
    workshop = await start(world.animator, world.board_id, reveal_authors=True)
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    since = await seq(world)
    await ok(await act(world.animator, workshop["id"], "end"))
    events = await events_since(world.member, world, since)
    updated = [e for e in events if e["kind"] == "card.updated"]
    assert [e["data"]["author"]["id"] for e in updated] == [her.id]
    assert updated[0]["data"]["anonymous"] is False
    for viewer in (world.member, world.observer):
        shown = await ok(await viewer.get(f"{API}/cards/{card['id']}"))
        assert shown["author"]["id"] == her.id and shown["anonymous"] is False
    assert [e["kind"] for e in events][-1] == "workshop.ended"


async def test_erasing_one_s_account_keeps_one_s_anonymous_cards_anonymous(
    world: World, make_client: MakeClient
) -> None:
    """Deleting them next to the erasure's ``member.removed`` would tell whose they were: they
    stay, anonymous, under the pseudonym; her other cards go as asked."""
    her = await zephyrine(world, make_client)
    workshop = await start(world.animator, world.board_id, reveal_authors=False)
    card = await ok(await post_card(her, world.board_id, TITLE), 201)
    await ok(await act(world.animator, workshop["id"], "end"))
    named = await ok(await post_card(her, world.board_id, "Une fiche signée"), 201)
    since = await seq(world)
    gone = await her.request(
        "DELETE", f"{API}/me", json={"password": PASSWORD, "erase_contributions": True}
    )
    assert gone.status_code in (200, 204), gone.text
    events = await events_since(world.observer, world, since)
    assert [e["card"] for e in events if e["kind"] == "card.deleted"] == [named["id"]]
    kept = await ok(await world.member.get(f"{API}/cards/{card['id']}"))
    assert kept["title"] == TITLE and kept["author"] is None and kept["anonymous"] is True
    assert (await world.member.get(f"{API}/cards/{named['id']}")).status_code == 404
