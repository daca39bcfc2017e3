"""A reply to a notification email, as the MTA hands it over (the embedded SMTP receiver or
``POST /api/v1/inbound/email``): checked, stripped of its quote and signature, and posted as a
comment by its member through the one write path (``discussion.add_comment``), its files as
the card's attachments.

Refused — nothing written, a log line, and an SMTP rejection (so the MTA bounces it) or a 422:
a token forged, expired or for another sender; a sender who left the collective; a card hidden,
deleted, on a locked or archived board; an empty reply after stripping; an oversize message.
Dropped silently (accepted, nothing written, never bounced, so that no mail loop starts):
auto-replies, and a message already posted (the same ``Message-ID`` delivered again).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from server.core.errors import EssaimError
from server.core.models import Card, InboundMail, Membership, Moderation, Role, User, utcnow
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain import attachments, discussion
from server.domain.inbound.reply_text import extract_reply, is_auto_reply, parse_message
from server.domain.notify.tokens import TokenRefused, mail_key, read_reply_token, token_in
from server.domain.schemas import CommentIn
from server.events.write import write

log = logging.getLogger("essaim.inbound")

MAX_COMMENT = 10_000  # as CommentIn allows
# Headers that may carry the reply address when the envelope does not say (forwarders).
ADDRESS_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
# Refusals that are answered by a bounce (the sender should know); the rest are dropped.
SILENT = frozenset({"auto_reply", "duplicate"})


@dataclass(frozen=True)
class Received:
    """What became of one message: ``posted`` (with the comment), or the ``reason`` it was
    refused or dropped."""

    reason: str  # "posted" or a refusal: see the module's docstring
    comment_id: int | None = None
    card_id: int | None = None
    detail: str = ""

    @property
    def posted(self) -> bool:
        return self.reason == "posted"

    @property
    def bounced(self) -> bool:
        return not self.posted and self.reason not in SILENT


def _refuse(reason: str, detail: str, **context: object) -> Received:
    log.warning("reply by email refused (%s): %s %s", reason, detail, context or "")
    return Received(reason=reason, detail=detail)


def _token(message: EmailMessage, recipients: Sequence[str], domain: str) -> str | None:
    for address in recipients:
        found = token_in(address, domain)
        if found:
            return found
    for header in ADDRESS_HEADERS:
        for value in message.get_all(header, []):
            found = token_in(str(value), domain)
            if found:
                return found
    return None


def _sender(message: EmailMessage) -> str:
    found = getaddresses([str(v) for v in message.get_all("From", [])])
    return found[0][1].strip().lower() if found else ""


def message_hash(message: EmailMessage, raw: bytes) -> str:
    """What identifies a message across deliveries: its Message-ID, else its bytes."""
    message_id = str(message.get("Message-ID", "")).strip()
    basis = message_id.encode() if message_id else raw
    return hashlib.sha256(basis).hexdigest()


async def receive(essaim: Essaim, raw: bytes, recipients: Sequence[str] = ()) -> Received:
    """Post the reply in ``raw`` (an RFC 5322 message; ``recipients``: the SMTP envelope's)."""
    settings = essaim.settings
    if len(raw) > settings.inbound_max_bytes:
        return _refuse("oversize", f"{len(raw)} bytes > {settings.inbound_max_bytes}")
    domain = settings.reply_domain
    if not domain:
        return _refuse("no_token", "replies by email are off (ESSAIM_REPLY_DOMAIN is empty)")
    message = parse_message(raw)
    if is_auto_reply(message):
        return _refuse("auto_reply", "an automatic reply", subject=str(message.get("Subject")))
    token = _token(message, recipients, domain)
    if token is None:
        return _refuse("no_token", "no reply address of this server among the recipients")
    try:
        reply = read_reply_token(await mail_key(essaim), token, utcnow().astimezone(PARIS).date())
    except TokenRefused as refused:
        return _refuse(refused.reason, "the reply address does not hold", token=token[:40])
    async with essaim.db.read() as session:
        user = await session.get(User, reply.user_id)
        card = await session.get(Card, reply.card_id)
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == reply.user_id,
                Membership.collective_id == (card.collective_id if card else -1),
            )
        )
    if user is None or _sender(message) != user.email.lower():
        return _refuse("wrong_sender", "the sender is not the person the address was made for")
    if card is None or card.moderation != Moderation.published:
        return _refuse("card_closed", "the card is gone or hidden", card=reply.card_id)
    if role is None or role == Role.observer:
        return _refuse("not_member", "the sender is no longer a member", user=user.id)
    extracted = extract_reply(message)
    text = extracted.text.strip()
    if not text:
        return _refuse("empty", "nothing left once the quote and signature were removed")
    if len(text) > MAX_COMMENT:
        return _refuse("too_long", f"{len(text)} characters > {MAX_COMMENT}")
    claim = message_hash(message, raw)
    try:
        async with write(essaim, None) as w:
            w.session.add(InboundMail(message_hash=claim, user_id=user.id, received_at=utcnow()))
    except IntegrityError:
        log.info("reply by email already posted (message %s): dropped", claim[:12])
        return Received(reason="duplicate", detail="this message was posted already")
    try:
        comment = await discussion.add_comment(essaim, user, card.id, CommentIn(body=text))
    except EssaimError as error:
        async with write(essaim, None) as w:
            await w.session.execute(delete(InboundMail).where(InboundMail.message_hash == claim))
        return _refuse("card_closed", error.message, card=card.id, code=error.code.value)
    comment_id = int(comment["id"])
    async with write(essaim, None) as w:
        await w.session.execute(
            update(InboundMail)
            .where(InboundMail.message_hash == claim)
            .values(comment_id=comment_id)
        )
    for file in extracted.attachments:
        try:
            await attachments.add_attachment(
                essaim, user, card.id, io.BytesIO(file.data), file.name or "piece-jointe"
            )
        except EssaimError as error:  # a type or size the card does not take: the text stays
            log.warning("attachment %r of a reply not kept: %s", file.name, error.message)
    log.info(
        "reply by email posted: comment %s on card %s by user %s", comment_id, card.id, user.id
    )
    return Received(reason="posted", comment_id=comment_id, card_id=card.id)
