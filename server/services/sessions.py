"""Ending login sessions: logout, password reset and account deletion all revoke here, so that
every way a session ends is the same (the row is revoked, then its live sockets are closed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from server.models import LoginSession, User, utcnow

if TYPE_CHECKING:
    from server.runtime import Essaim


async def revoke_sessions(
    essaim: Essaim,
    user: User,
    *,
    session_id: int | None = None,
    keep_session_id: int | None = None,
) -> list[int]:
    """Revoke one of ``user``'s sessions (``session_id``) or all of them (but
    ``keep_session_id``); returns the ids revoked."""
    async with essaim.write(user) as w:
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
    return revoked
