"""``GET /ws``: the WebSocket endpoint (protocol in docs/realtime.md).

Authenticated by the session cookie, origin-checked, then a loop reading small JSON messages:
``subscribe`` (replay from the log, then live), ``unsubscribe`` and ``ping``. Bad messages get
an ``error``; too many of them close the connection.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select
from starlette.websockets import WebSocket, WebSocketDisconnect

from realtime.connection import Connection, Outgoing, Subscription
from realtime.hub import Hub
from server.core.errors import BadMessage, ErrorCode, EssaimError, NotAuthenticated, NotFound
from server.core.models import Event
from server.core.platform import Essaim
from server.core.security import origin_allowed
from server.domain.access import is_animator
from server.domain.accounts.identity import authenticate
from server.domain.accounts.sessions import SESSION_COOKIE
from server.events.read import visible_messages

MAX_MESSAGE_BYTES = 64 * 1024
# No client message needs more than a couple of levels; this bounds json.loads's recursion.
MAX_NESTING = 32
MAX_ERRORS = 20
MAX_SUBSCRIPTIONS = 50
MAX_ID = 2_147_483_647
REPLAY_PAGE = 500


async def websocket_endpoint(websocket: WebSocket) -> None:
    essaim: Essaim = websocket.app.state.essaim
    hub: Hub = websocket.app.state.hub
    settings = essaim.settings
    await websocket.accept()
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.url.scheme, websocket.url.netloc, settings):
        await websocket.close(ErrorCode.ORIGIN_NOT_ALLOWED.close_code, "origin not allowed")
        return
    try:
        auth = await authenticate(essaim, websocket.cookies.get(SESSION_COOKIE))
    except NotAuthenticated:
        await websocket.close(ErrorCode.NOT_AUTHENTICATED.close_code, "log in first")
        return
    silence = 3 * settings.ws_heartbeat_seconds
    connection = Connection(
        websocket, auth.user, settings.ws_send_queue, silence, session_id=auth.session_id
    )
    hub.register(connection)
    try:
        # Registered first, then the session read again (its expiry with it): a revocation
        # committed meanwhile is seen either by this read or by the hub, which now knows
        # this connection.
        if not await hub.session_alive(connection):
            return
        user = {"id": auth.user.id, "display_name": auth.user.display_name}
        connection.send_json(
            {"type": "hello", "user": user, "heartbeat": settings.ws_heartbeat_seconds}
        )
        await _read_loop(websocket, connection, hub, essaim)
    finally:
        for sub in list(connection.subscriptions.values()):
            await hub.unsubscribe(sub)
        hub.connections.discard(connection)
        if connection.closing:
            await connection.wait_closed()
        else:
            await connection.stop()


async def _read_loop(
    websocket: WebSocket, connection: Connection, hub: Hub, essaim: Essaim
) -> None:
    # No timeout here: the hub closes silent connections (CLIENT_SILENT), which ends this loop
    # with the disconnect that follows, without a timer per connection and per message.
    while not connection.closing:
        raw = await _receive_text(websocket)
        if raw is None:
            return
        connection.last_seen = time.monotonic()
        await _answer(raw, connection, hub, essaim)
        del raw  # an idle connection keeps nothing of its last message


async def _receive_text(websocket: WebSocket) -> str | None:
    """The next client message as text; None once the client is gone."""
    try:
        received = await websocket.receive()
    except (WebSocketDisconnect, RuntimeError):
        return None
    if received["type"] == "websocket.disconnect":
        return None
    raw = received.get("text")
    if raw is None:
        raw_bytes = received.get("bytes") or b""
        raw = raw_bytes.decode("utf-8", "replace")
    return str(raw)


async def _answer(raw: str, connection: Connection, hub: Hub, essaim: Essaim) -> None:
    ref = None
    try:
        message = _parse(raw)
        ref = message.get("type")
        await _handle(message, connection, hub, essaim)
    except BadMessage as bad:
        connection.errors += 1
        connection.send_json(
            {"type": "error", "code": bad.code, "message": bad.message, "ref": ref}
        )
        if connection.errors > MAX_ERRORS:
            connection.close(ErrorCode.TOO_MANY_BAD_MESSAGES, "too many bad messages")


def _parse(raw: str) -> dict[str, Any]:
    if len(raw.encode("utf-8", "replace")) > MAX_MESSAGE_BYTES:
        raise BadMessage(ErrorCode.TOO_LARGE, f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    if _nesting_exceeds(raw, MAX_NESTING):
        raise BadMessage(ErrorCode.MALFORMED, f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting the check above missed
        raise BadMessage(ErrorCode.MALFORMED, "not JSON") from None
    if not isinstance(message, dict):
        raise BadMessage(ErrorCode.MALFORMED, "a message is a JSON object")
    return message


def _nesting_exceeds(raw: str, limit: int) -> bool:
    """Whether ``raw`` may open more than ``limit`` arrays or objects at once.

    Cheap first: a message with few brackets cannot be deep. Otherwise the depth is counted
    with strings skipped, before ``json.loads`` recurses once per level (a ``RecursionError``
    and a deep C stack for ``"[" * 30000``)."""
    if raw.count("[") + raw.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _id(message: dict[str, Any], field: str, *, required: bool) -> int | None:
    value = message.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadMessage(ErrorCode.INVALID, f"{field} must be a positive integer id")
    return value


async def _handle(
    message: dict[str, Any], connection: Connection, hub: Hub, essaim: Essaim
) -> None:
    kind = message.get("type")
    if kind == "ping":
        connection.send_json({"type": "pong", "id": message.get("id")})
    elif kind == "subscribe":
        await _subscribe(message, connection, hub, essaim)
    elif kind == "unsubscribe":
        collective = _id(message, "collective", required=True)
        assert collective is not None
        sub = connection.subscriptions.get(collective)
        if sub is not None:
            await hub.unsubscribe(sub)
        connection.send_json({"type": "unsubscribed", "collective": collective})
    else:
        raise BadMessage(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}")


async def _subscribe(
    message: dict[str, Any], connection: Connection, hub: Hub, essaim: Essaim
) -> None:
    collective = _id(message, "collective", required=True)
    board = _id(message, "board", required=False)
    assert collective is not None
    since = message.get("since")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
        raise BadMessage(ErrorCode.INVALID, "since must be a non-negative integer or null")
    epoch = message.get("epoch")
    if epoch is not None and not isinstance(epoch, str):
        raise BadMessage(ErrorCode.INVALID, "epoch must be a string or null")
    unknown = set(message) - {"type", "collective", "since", "board", "epoch"}
    if unknown:
        raise BadMessage(ErrorCode.INVALID, f"unknown fields: {', '.join(sorted(unknown))}")
    # The session is read again at every subscribe: a revoked one never replays the history.
    if not await hub.session_alive(connection):
        return
    previous = connection.subscriptions.get(collective)
    if previous is None and len(connection.subscriptions) >= MAX_SUBSCRIPTIONS:
        raise BadMessage(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS, f"at most {MAX_SUBSCRIPTIONS} per connection"
        )
    try:
        member = await hub.membership(connection.user, collective)
    except EssaimError:
        raise BadMessage(ErrorCode.NOT_FOUND, "collective not found") from None
    if board is not None and await hub.board_collective(board) != collective:
        raise BadMessage(ErrorCode.NOT_FOUND, "board not found")
    if previous is not None:
        await hub.unsubscribe(previous)
    sub = Subscription(connection, collective, board, is_animator(member))
    await hub.follow(sub)  # from here, live events wait in sub.backlog
    try:
        await _replay(sub, since, epoch, member, hub, essaim)
    except NotFound:
        await hub.unsubscribe(sub)
        raise BadMessage(ErrorCode.NOT_FOUND, "collective not found") from None
    if sub.connection.subscriptions.get(collective) is sub and board is not None:
        await hub.join(hub.viewer(sub))


async def _replay(
    sub: Subscription, since: int | None, epoch: str | None, member: Any, hub: Hub, essaim: Essaim
) -> None:
    """Send ``subscribed`` and the history after ``since``, then release the live backlog."""
    connection = sub.connection
    # The feed's position: every later event reaches sub.backlog. The log is read only when
    # the client claims to be further (it may have seen events this process has not yet).
    feed = hub.feeds.get(sub.collective)
    current = feed.last_seq if feed is not None else None
    if current is None or (since is not None and since > current):
        current = await hub.position(sub.collective)
        if current is None:
            raise NotFound("collective")
    reason = None
    if epoch is not None and epoch != hub.epoch:
        reason = "other_epoch"
    elif since is not None and since > current:
        reason = "ahead"
    elif since is not None and current - since > essaim.settings.replay_window:
        reason = "too_old"
    if reason is not None:
        await hub.unsubscribe(sub)
        connection.send_json({"type": "resync", "collective": sub.collective, "reason": reason})
        return
    presence = await hub.presence.users(sub.board) if sub.board is not None else []
    connection.send_json(
        {
            "type": "subscribed",
            "collective": sub.collective,
            "seq": current,
            "epoch": hub.epoch,
            "board": sub.board,
            "presence": presence,
        }
    )
    position = current if since is None else since
    while position < current:
        async with essaim.db.read() as session:
            events = list(
                await session.scalars(
                    select(Event)
                    .where(
                        Event.collective_id == sub.collective,
                        Event.seq > position,
                        Event.seq <= current,
                    )
                    .order_by(Event.seq)
                    .limit(REPLAY_PAGE)
                )
            )
            messages = await visible_messages(session, member, events)
        if not events:
            break
        for message in messages:
            if sub.wants(message["board"]):
                await connection.send_waiting(Outgoing.encode(message))
        position = events[-1].seq
    sub.last_seq = current
    sub.go_live()
