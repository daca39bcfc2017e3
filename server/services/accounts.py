"""Accounts: registration, login with throttling, server-side sessions, profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests
from server.models import LoginFailure, LoginSession, User, utcnow
from server.runtime import Essaim
from server.schemas import LoginIn, ProfilePatch, RegisterIn, patch_values
from server.security import new_token, same, token_hash
from server.services.sessions import revoke_sessions


@dataclass(frozen=True)
class Login:
    """A new session: the cookie token (shown once, stored hashed) and its CSRF token."""

    user: User
    token: str
    csrf_token: str
    max_age: int


async def register(essaim: Essaim, body: RegisterIn, user_agent: str = "") -> Login:
    """Create the account and open its first session."""
    return await create_user(essaim, body, open_session_for=user_agent)


async def create_user(
    essaim: Essaim, body: RegisterIn, *, open_session_for: str | None = None
) -> Login:
    password_hash = essaim.passwords.hash(body.password)
    try:
        async with essaim.write(None) as w:
            user = User(
                email=body.email,
                display_name=body.display_name,
                password_hash=password_hash,
                language=body.language,
            )
            w.session.add(user)
            await w.session.flush()
            if open_session_for is None:
                return Login(user=user, token="", csrf_token="", max_age=0)
            return _open_session(essaim, w.session, user, open_session_for)
    except IntegrityError:
        raise Conflict(
            "an account already exists with this email",
            code="email_taken",
            fields={"email": "already registered"},
        ) from None


async def login(essaim: Essaim, body: LoginIn, address: str, user_agent: str = "") -> Login:
    settings = essaim.settings
    keys = {
        f"account:{body.email}": settings.login_max_failures_account,
        f"address:{address}": settings.login_max_failures_address,
    }
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    async with essaim.db.read() as session:
        for key, limit in keys.items():
            failures = await session.scalar(
                select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since)
            )
            if (failures or 0) >= limit:
                raise TooManyRequests(
                    "too many failed logins; try again later",
                    retry_after=settings.login_window_seconds,
                )
        user = await session.scalar(select(User).where(User.email == body.email))
    ok = essaim.passwords.verify(user.password_hash if user else None, body.password)
    async with essaim.write(None) as w:
        if user is None or not ok:
            w.session.add_all(LoginFailure(key=key) for key in keys)
        else:
            # A success forgives the account's earlier failures (not the address's).
            await w.session.execute(
                delete(LoginFailure).where(LoginFailure.key == f"account:{body.email}")
            )
            await w.session.execute(delete(LoginFailure).where(LoginFailure.at < since))
            if essaim.passwords.needs_rehash(user.password_hash):
                await w.session.execute(
                    update(User)
                    .where(User.id == user.id)
                    .values(password_hash=essaim.passwords.hash(body.password))
                )
            return _open_session(essaim, w.session, user, user_agent)
    raise InvalidInput(
        "wrong email or password", code="bad_credentials", fields={"password": "wrong"}
    )


def _open_session(essaim: Essaim, session: AsyncSession, user: User, user_agent: str) -> Login:
    token, csrf = new_token(), new_token()
    ttl = timedelta(hours=essaim.settings.session_ttl_hours)
    row = LoginSession(
        token_hash=token_hash(token),
        csrf_token=csrf,
        user_id=user.id,
        expires_at=utcnow() + ttl,
        user_agent=user_agent[:200],
    )
    session.add(row)
    return Login(user=user, token=token, csrf_token=csrf, max_age=int(ttl.total_seconds()))


@dataclass(frozen=True)
class Authenticated:
    user: User
    session_id: int
    csrf_token: str

    def check_csrf(self, sent: str | None) -> bool:
        return sent is not None and same(sent, self.csrf_token)


async def authenticate(essaim: Essaim, token: str | None) -> Authenticated:
    """The user behind a session cookie, or NotAuthenticated."""
    if not token:
        raise NotAuthenticated("log in first")
    async with essaim.db.read() as session:  # one query: every request goes through here
        found = (
            await session.execute(
                select(LoginSession, User)
                .join(User, User.id == LoginSession.user_id)
                .where(LoginSession.token_hash == token_hash(token))
            )
        ).first()
    if found is None:
        raise NotAuthenticated("your session has expired; log in again")
    row, user = found
    if row.revoked_at is not None or row.expires_at <= utcnow():
        raise NotAuthenticated("your session has expired; log in again")
    return Authenticated(user=user, session_id=row.id, csrf_token=row.csrf_token)


async def logout(essaim: Essaim, auth: Authenticated) -> None:
    await revoke_sessions(essaim, auth.user, session_id=auth.session_id)


async def update_profile(essaim: Essaim, user: User, body: ProfilePatch) -> User:
    """Edit one's profile; a new display name is announced (``member.updated``) in every
    collective of the user, since members see it on cards, comments and member lists."""
    # Imported here: the accounts module stays free of the collectives' models and views.
    from server.models import Membership
    from server.services.views import member_view

    values = patch_values(body)
    async with essaim.write(user) as w:
        row = await w.session.get(User, user.id)
        assert row is not None
        renamed = "display_name" in values and values["display_name"] != row.display_name
        for key, value in values.items():
            setattr(row, key, value)
        if renamed:
            memberships = await w.session.scalars(
                select(Membership)
                .where(Membership.user_id == row.id)
                .order_by(Membership.collective_id)
            )
            for member in memberships:
                await w.emit(member.collective_id, "member.updated", member_view(member, row))
    return row
