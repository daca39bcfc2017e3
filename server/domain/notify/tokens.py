"""Signed tokens of notification emails: the reply address (``reply+<token>@<domain>``: which
card, which recipient, until when) and the one-click unsubscribe link (which person, which
collective, which kind). HMAC-SHA256 with the store's ``mail_key`` (made by migration 0011), so
every process signs and checks alike and nothing is stored per email. Tokens are lowercase
letters, digits and dashes: mail systems may fold the case of an address's local part."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import weakref
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.core.models import StoreMeta
from server.core.platform import Essaim
from server.events.write import write

SIGNATURE_CHARS = 24  # 96 bits of HMAC, hex
EPOCH = date(2020, 1, 1)  # expiry days are counted from here
_REPLY = re.compile(r"^c(\d{1,12})-u(\d{1,12})-e(\d{1,6})-([0-9a-f]{24})$")
_UNSUBSCRIBE = re.compile(r"^u(\d{1,12})-c(\d{1,12})-([a-z_]{1,24})-([0-9a-f]{24})$")
_keys: weakref.WeakKeyDictionary[Essaim, bytes] = weakref.WeakKeyDictionary()


class TokenRefused(Exception):
    """A token that does not hold: ``reason`` is ``forged`` or ``expired``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def mail_key(essaim: Essaim) -> bytes:
    """The store's signing key, read once per platform; made if the store has none (a store
    emptied by hand): the first process to write it wins, the others read it."""
    key = _keys.get(essaim)
    if key is None:
        value = await _stored_key(essaim)
        if value is None:
            try:
                async with write(essaim, None) as w:
                    w.session.add(StoreMeta(key=KEY_NAME, value=secrets.token_hex(32)))
            except IntegrityError:
                pass
            value = await _stored_key(essaim)
        assert value is not None
        key = _keys[essaim] = bytes.fromhex(value)
    return key


async def _stored_key(essaim: Essaim) -> str | None:
    async with essaim.db.read() as session:
        value = await session.scalar(select(StoreMeta.value).where(StoreMeta.key == KEY_NAME))
    return str(value) if value else None


KEY_NAME = "mail_key"


def _sign(key: bytes, purpose: str, text: str) -> str:
    digest = hmac.new(key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]


@dataclass(frozen=True)
class ReplyTo:
    card_id: int
    user_id: int
    expires_on: date


def reply_token(key: bytes, card_id: int, user_id: int, expires_on: date) -> str:
    body = f"c{card_id}-u{user_id}-e{(expires_on - EPOCH).days}"
    return f"{body}-{_sign(key, 'reply', body)}"


def read_reply_token(key: bytes, token: str, today: date) -> ReplyTo:
    """What a reply token says, or ``TokenRefused`` (forged: not signed by us or altered;
    expired: signed, but past its day)."""
    match = _REPLY.match(token.strip().lower())
    if match is None:
        raise TokenRefused("forged")
    card, user, days, signature = match.groups()
    body = f"c{card}-u{user}-e{days}"
    if not hmac.compare_digest(signature, _sign(key, "reply", body)):
        raise TokenRefused("forged")
    expires_on = EPOCH + timedelta(days=int(days))
    if expires_on < today:
        raise TokenRefused("expired")
    return ReplyTo(int(card), int(user), expires_on)


def reply_address(token: str, domain: str) -> str:
    return f"reply+{token}@{domain}"


_ADDRESS = re.compile(r"reply\+([a-z0-9-]{1,80})@([a-z0-9.-]+)", re.IGNORECASE)


def token_in(address: str, domain: str) -> str | None:
    """The token of a reply address of ``domain`` found in ``address`` (a header value or an
    envelope recipient), if any."""
    for match in _ADDRESS.finditer(address):
        if match.group(2).lower() == domain.lower():
            return match.group(1).lower()
    return None


def unsubscribe_token(key: bytes, user_id: int, collective_id: int, kind: str) -> str:
    body = f"u{user_id}-c{collective_id}-{kind}"
    return f"{body}-{_sign(key, 'unsubscribe', body)}"


def read_unsubscribe_token(key: bytes, token: str) -> tuple[int, int, str]:
    """(user id, collective id, kind) of an unsubscribe token, or ``TokenRefused``."""
    match = _UNSUBSCRIBE.match(token.strip())
    if match is None:
        raise TokenRefused("forged")
    user, collective, kind, signature = match.groups()
    if not hmac.compare_digest(
        signature, _sign(key, "unsubscribe", f"u{user}-c{collective}-{kind}")
    ):
        raise TokenRefused("forged")
    return int(user), int(collective), kind
