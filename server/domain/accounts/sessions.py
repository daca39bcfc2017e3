"""Ending login sessions: logout, password reset and account deletion all revoke here, so that
every way a session ends is the same (the row is revoked, then its live sockets are closed).

After the commit, the ids revoked are published on the broker's ``SESSIONS_CHANNEL``
(server/events/wire.py); the hub of every process closes the sockets of those sessions
(``realtime/hub.py``). The broker delivers at most once, so the hub also re-reads the
sessions of its sockets (``live_sessions``) now and then, and a socket re-reads its own
(``session_expiry``) before every ``subscribe``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from server.core.models import LoginSession, User, utcnow
from server.events.wire import SESSIONS_CHANNEL
from server.events.write import write

if TYPE_CHECKING:
    from server.core.platform import Essaim

# The cookie carrying a session's token, for HTTP requests and WebSockets alike.
SESSION_COOKIE = "essaim_session"
# Ids per query when the hub re-reads the sessions of its sockets.
LIVE_SESSIONS_CHUNK = 500


async def revoke_sessions(
    essaim: Essaim,
    user: User,
    *,
    session_id: int | None = None,
    keep_session_id: int | None = None,
) -> list[int]:
    """Revoke one of ``user``'s sessions (``session_id``) or all of them (but
    ``keep_session_id``); returns the ids revoked. Their sockets close once it committed."""
    async with write(essaim, user) as w:
        statement = (
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .returning(LoginSession.id)
            .execution_options(synchronize_session=False)
        )
        if session_id is not None:
            statement = statement.where(LoginSession.id == session_id)
        if keep_session_id is not None:
            statement = statement.where(LoginSession.id != keep_session_id)
        revoked = list((await w.session.execute(statement)).scalars())
        if revoked:
            w.after_commit(lambda: publish_revoked(essaim, revoked))
    return revoked


async def publish_revoked(essaim: Essaim, session_ids: list[int]) -> None:
    """Tell every process that these sessions ended (they close their sockets)."""
    await essaim.broker.publish(SESSIONS_CHANNEL, {"sessions": session_ids})


async def session_expiry(essaim: Essaim, session_id: int) -> datetime | None:
    """When session ``session_id`` expires; None if it is revoked, expired or gone."""
    async with essaim.db.read() as session:
        row = (
            await session.execute(
                select(LoginSession.revoked_at, LoginSession.expires_at).where(
                    LoginSession.id == session_id
                )
            )
        ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    expires_at: datetime = row.expires_at
    return expires_at


async def live_sessions(essaim: Essaim, session_ids: Collection[int]) -> set[int]:
    """Those of ``session_ids`` that are neither revoked nor expired."""
    ids = sorted(set(session_ids))
    live: set[int] = set()
    now = utcnow()
    async with essaim.db.read() as session:
        for start in range(0, len(ids), LIVE_SESSIONS_CHUNK):
            chunk = ids[start : start + LIVE_SESSIONS_CHUNK]
            live.update(
                await session.scalars(
                    select(LoginSession.id).where(
                        LoginSession.id.in_(chunk),
                        LoginSession.revoked_at.is_(None),
                        LoginSession.expires_at > now,
                    )
                )
            )
    return live
