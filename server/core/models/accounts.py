"""Accounts: users, login sessions, throttled attempts, and the single-use links sent by email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the person opened the link sent to ``email`` (or reset their password by one).
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # The secret of one's calendar feed URL (/calendar/<token>.ics), null until one turns it
    # on; a capability link, so it is kept as is (the feed shows it) and replaced to revoke it.
    calendar_token: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    # No notification email between these Paris times: {"start": "22:00", "end": "07:00"}.
    quiet_hours: Mapped[dict[str, str] | None] = mapped_column(JSONType, default=None)


class LoginSession(Base):
    """A server-side session; the cookie carries the token, the row only its hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class LoginFailure(Base):
    """One throttled attempt under a key (``account:<email>``, ``address:<ip>``,
    ``register:<ip>``, …), written before the attempt is carried out; a login that succeeds
    deletes its own rows, so the login rows left are failures (see ``services.throttle``)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountToken(Base):
    """A single-use link sent by email (``purpose``: password_reset or verify_email); the row
    keeps only the token's hash, and ``email`` is the address the link was sent to."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
