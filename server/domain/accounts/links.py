"""Single-use links sent by email about one's account: password reset and verification of
the address. The link carries a random token; the database keeps only its hash.

Asking for a reset answers the same whether or not an account uses the address (and both
are throttled alike, per address asked for and per client address), so the answer tells an
attacker nothing. A reset revokes every session of the account.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from server.core import throttle
from server.core.errors import Conflict, ErrorCode, Gone, NotFound
from server.core.links import link_base
from server.core.mail import Email
from server.core.models import AccountToken, LoginFailure, User, utcnow
from server.core.security import new_token, token_hash
from server.domain.accounts.mail import password_reset_email, verification_email
from server.domain.accounts.sessions import revoke_sessions
from server.events.write import write

if TYPE_CHECKING:
    from server.core.platform import Essaim
    from server.events.write import Write

PASSWORD_RESET = "password_reset"
VERIFY_EMAIL = "verify_email"


def _link(essaim: Essaim, base_url: str, path: str, token: str) -> str:
    return f"{link_base(essaim.settings, base_url)}/{path}/{token}"


async def _post(essaim: Essaim, email: Email) -> None:
    """Hand the email to the background sender: the request never waits for the SMTP
    exchange, which would tell by its duration whether an account uses the address."""
    essaim.mail_queue.submit(email)


def _issue(w: Write, user: User, purpose: str, ttl: timedelta) -> str:
    token = new_token()
    w.session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            email=user.email,
            token_hash=token_hash(token),
            expires_at=utcnow() + ttl,
        )
    )
    return token


def _email_throttle(essaim: Essaim, purpose: str, email: str, address: str) -> dict[str, int]:
    settings = essaim.settings
    return {
        throttle.email_key(purpose, email): settings.account_email_max_per_email,
        throttle.email_address_key(purpose, address): settings.account_email_max_per_address,
    }


# ---------------------------------------------------------------- verification of the address


async def send_verification(essaim: Essaim, w: Write, user: User, base_url: str) -> None:
    """Within ``w``: issue a verification link for ``user`` and email it after commit."""
    hours = essaim.settings.email_verification_ttl_hours
    token = _issue(w, user, VERIFY_EMAIL, timedelta(hours=hours))
    email = verification_email(user, _link(essaim, base_url, "verify", token), hours)
    w.after_commit(lambda: _post(essaim, email))


async def resend_verification(essaim: Essaim, user: User, address: str, base_url: str) -> None:
    if user.email_verified_at is not None:
        raise Conflict("this address is already verified", code=ErrorCode.EMAIL_ALREADY_VERIFIED)
    async with write(essaim, user) as w:
        await throttle.admit(
            w.session,
            _email_throttle(essaim, VERIFY_EMAIL, user.email, address),
            essaim.settings.account_email_window_seconds,
            "too many emails asked for; try again later",
        )
        await send_verification(essaim, w, user, base_url)


async def verify_email(essaim: Essaim, token: str) -> None:
    """Mark the address the link was sent to as verified (the link then stops working)."""
    async with write(essaim, None) as w:
        row = await _consume(w, token, VERIFY_EMAIL)
        await w.session.execute(
            update(User)
            .where(
                User.id == row.user_id,
                User.email == row.email,
                User.email_verified_at.is_(None),
            )
            .values(email_verified_at=utcnow())
        )


# ---------------------------------------------------------------- password reset


async def request_password_reset(essaim: Essaim, email: str, address: str, base_url: str) -> None:
    """Email a reset link if an account uses ``email``; the same outcome either way."""
    minutes = essaim.settings.password_reset_ttl_minutes
    async with write(essaim, None) as w:
        await throttle.admit(
            w.session,
            _email_throttle(essaim, PASSWORD_RESET, email, address),
            essaim.settings.account_email_window_seconds,
            "too many password resets asked for; try again later",
        )
        user = await w.session.scalar(select(User).where(User.email == email))
        if user is None:
            return
        token = _issue(w, user, PASSWORD_RESET, timedelta(minutes=minutes))
        message = password_reset_email(user, _link(essaim, base_url, "reset", token), minutes)
        w.after_commit(lambda: _post(essaim, message))


async def check_reset_link(essaim: Essaim, token: str) -> None:
    """NotFound or Gone unless ``token`` is a usable reset link (for the page and the API)."""
    async with essaim.db.read() as session:
        row = await session.scalar(
            select(AccountToken).where(
                AccountToken.token_hash == token_hash(token),
                AccountToken.purpose == PASSWORD_RESET,
            )
        )
    _check_usable(row, PASSWORD_RESET)


async def reset_password(essaim: Essaim, token: str, password: str) -> None:
    """Set a new password through a reset link, then revoke every session of the account."""
    await check_reset_link(essaim, token)  # before the costly hash: a bad link costs nothing
    password_hash = await essaim.passwords.hash_async(password)
    async with write(essaim, None) as w:
        row = await _consume(w, token, PASSWORD_RESET)
        user = await w.session.get(User, row.user_id)
        assert user is not None  # the token row cascades with its user
        user.password_hash = password_hash
        if user.email == row.email and user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link reached this address
        # Any other reset link still in a mailbox stops working too.
        await w.session.execute(
            update(AccountToken)
            .where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == PASSWORD_RESET,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        # The owner proved they hold the mailbox: the account's failed logins are forgiven.
        await w.session.execute(
            delete(LoginFailure)
            .where(throttle.account_keys(user.email))
            .execution_options(synchronize_session=False)
        )
    await revoke_sessions(essaim, user)


# ---------------------------------------------------------------- tokens


def _check_usable(row: AccountToken | None, purpose: str) -> AccountToken:
    what = "password reset link" if purpose == PASSWORD_RESET else "verification link"
    used, expired = (
        (ErrorCode.RESET_LINK_USED, ErrorCode.RESET_LINK_EXPIRED)
        if purpose == PASSWORD_RESET
        else (ErrorCode.VERIFICATION_LINK_USED, ErrorCode.VERIFICATION_LINK_EXPIRED)
    )
    if row is None:
        raise NotFound(what)
    if row.used_at is not None:
        raise Gone(f"this {what} has already been used", code=used)
    if row.expires_at <= utcnow():
        raise Gone(f"this {what} has expired; ask for a new one", code=expired)
    return row


async def _consume(w: Write, token: str, purpose: str) -> AccountToken:
    """Mark the link used, atomically: of two concurrent uses, one wins, the other is Gone."""
    digest = token_hash(token)
    row = await w.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == digest, AccountToken.purpose == purpose
        )
    )
    _check_usable(row, purpose)
    assert row is not None
    claimed = await w.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(AccountToken.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.scalar() is None:  # a concurrent use won (PostgreSQL; SQLite serialises)
        code = (
            ErrorCode.RESET_LINK_USED
            if purpose == PASSWORD_RESET
            else ErrorCode.VERIFICATION_LINK_USED
        )
        raise Gone("this link has already been used", code=code)
    return row
