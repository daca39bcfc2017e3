"""Accounts: registration, login with throttling, server-side sessions, profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.core import throttle
from server.core.errors import Conflict, ErrorCode, InvalidInput, NotAuthenticated, TooManyRequests
from server.core.models import LoginFailure, LoginSession, User, utcnow
from server.core.platform import Essaim
from server.core.security import new_token, same, token_hash
from server.domain.accounts import links
from server.domain.accounts.sessions import revoke_sessions
from server.domain.schemas import LoginIn, ProfilePatch, RegisterIn, patch_values
from server.events.kinds import EventKind
from server.events.write import write


@dataclass(frozen=True)
class Login:
    """A new session: the cookie token (shown once, stored hashed) and its CSRF token."""

    user: User
    token: str
    csrf_token: str
    max_age: int


async def register(
    essaim: Essaim, body: RegisterIn, address: str, user_agent: str = "", base_url: str = ""
) -> Login:
    """Create the account, open its first session and send the link that verifies its
    address (the session does not wait for it). Throttled per client address."""
    settings = essaim.settings
    async with write(essaim, None) as w:
        # Counted before the (costly) hash, so a burst from one address hashes at most the limit.
        await throttle.admit(
            w.session,
            {throttle.register_key(address): settings.register_max_per_address},
            settings.register_window_seconds,
            "too many accounts created from this address; try again later",
        )
    return await create_user(
        essaim, body, open_session_for=user_agent, verify_link_base=base_url or "/"
    )


async def create_user(
    essaim: Essaim,
    body: RegisterIn,
    *,
    open_session_for: str | None = None,
    verify_link_base: str | None = None,
) -> Login:
    """Create an account; with ``verify_link_base``, also email it a verification link."""
    password_hash = await essaim.passwords.hash_async(body.password)
    try:
        async with write(essaim, None) as w:
            user = User(
                email=body.email,
                display_name=body.display_name,
                password_hash=password_hash,
                language=body.language,
            )
            w.session.add(user)
            await w.session.flush()
            if verify_link_base is not None:
                await links.send_verification(essaim, w, user, verify_link_base)
            if open_session_for is None:
                return Login(user=user, token="", csrf_token="", max_age=0)
            return _open_session(essaim, w.session, user, open_session_for)
    except IntegrityError:
        raise Conflict(
            "an account already exists with this email",
            code=ErrorCode.EMAIL_TAKEN,
            fields={"email": "already registered"},
        ) from None


async def count_password_attempt(
    essaim: Essaim, email: str, address: str, refusal: str = "too many failed logins"
) -> list[int]:
    """Count one password attempt on the account ``email`` from ``address``, before the
    password is verified, or raise TooManyRequests; returns the recorded rows (a success
    deletes them). Every check of an account's password goes through here (logins, and
    the confirmation of an account's deletion), so one limit bounds all the guesses.

    The attempt is counted under the account, the client (an IPv6 address by its /64,
    ``throttle.client``) and the (account, client) pair. Past the account's limit, only
    clients that have not failed on it may still try, so an attacker who fails five times
    locks themselves out, not the owner; each new client they bring gets one try there, up to
    ``ESSAIM_LOGIN_MAX_FAILURES_ACCOUNT_ALL``: past that every client is refused until the
    window passes or the owner resets the password (which forgives the account's failures).
    """
    settings = essaim.settings
    account, by_address = throttle.account_key(email), throttle.address_key(address)
    pair = throttle.pair_key(email, address)
    refused = TooManyRequests(
        f"{refusal}; try again later", retry_after=settings.login_window_seconds
    )
    since = throttle.window_start(settings.login_window_seconds)
    async with write(essaim, None) as w:
        await throttle.serialise(w.session, (account, by_address))
        address_failures = await throttle.count(w.session, by_address, since)
        account_failures = await throttle.count(w.session, account, since)
        pair_failures = await throttle.count(w.session, pair, since)
        limit = settings.login_max_failures_account
        if (
            address_failures >= settings.login_max_failures_address
            or pair_failures >= limit
            or (account_failures >= limit and pair_failures > 0)
            or account_failures >= settings.login_max_failures_account_all
        ):
            raise refused
        return await throttle.record(w.session, (account, by_address, pair), since)


async def login(essaim: Essaim, body: LoginIn, address: str, user_agent: str = "") -> Login:
    """Open a session for the right password, within the throttle
    (``count_password_attempt``)."""
    attempt = await count_password_attempt(essaim, body.email, address)
    async with essaim.db.read() as session:
        user = await session.scalar(select(User).where(User.email == body.email))
    ok = await essaim.passwords.verify_async(user.password_hash if user else None, body.password)
    if user is None or not ok:
        raise InvalidInput(
            "wrong email or password", code=ErrorCode.BAD_CREDENTIALS, fields={"password": "wrong"}
        )
    pair = throttle.pair_key(body.email, address)
    rehashed = None
    if essaim.passwords.needs_rehash(user.password_hash):
        rehashed = await essaim.passwords.hash_async(body.password)
    async with write(essaim, None) as w:
        # A success forgives the account's failures and this address's on it (not the
        # address's failures on other accounts), and was not a failure itself.
        await w.session.execute(
            delete(LoginFailure)
            .where(
                (LoginFailure.key.in_((throttle.account_key(body.email), pair)))
                | (LoginFailure.id.in_(attempt))
            )
            .execution_options(synchronize_session=False)
        )
        if rehashed is not None:
            await w.session.execute(
                update(User).where(User.id == user.id).values(password_hash=rehashed)
            )
        return _open_session(essaim, w.session, user, user_agent)


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
    from server.core.models import Membership
    from server.domain.views import member_view

    values = patch_values(body)
    async with write(essaim, user) as w:
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
                await w.emit(
                    member.collective_id, EventKind.member_updated, member_view(member, row)
                )
    return row
