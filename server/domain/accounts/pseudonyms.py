"""What stays of a person after their account is erased: the pseudonym, and the copies of
their name and email that earlier rows hold — event payloads (so a replay on ``/events`` or
``/ws`` shows « Ancien membre »), audit entries, the notifications they sent — rewritten, and
the content of what ``erase_contributions`` deleted redacted to ids in the old events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import AuditEntry, Event, Notification, Nudge
from server.domain.notifications import NUDGE_TITLE

PSEUDONYM = "Ancien membre"  # « Former member » in English pages
EVENT_BATCH = 500
MEMBER_PROFILE: dict[str, Any] = {"organisation": "", "trade": "", "skills": []}


def tombstone_email(user_id: int) -> str:
    # ``.invalid`` is reserved (RFC 2606): no mail can ever reach it.
    return f"deleted-{user_id}@deleted.invalid"


def scrub(value: Any, uid: int, email: str) -> Any:
    """``value`` with the person's name and email replaced.

    A user view (``{"id" | "user_id", "display_name"}``) is renamed only when it is theirs,
    so a namesake keeps their name, and a card titled like the person keeps its title; any
    string holding the email (unique to them) is rewritten."""
    if isinstance(value, dict):
        owner = value.get("id", value.get("user_id"))
        scrubbed: dict[str, Any] = {}
        member = value.get("user")
        if isinstance(member, dict) and member.get("id") == uid:
            # A membership view of theirs: its profile in the collective goes too.
            value = {**value, **{k: MEMBER_PROFILE[k] for k in MEMBER_PROFILE if k in value}}
        for key, item in value.items():
            if key == "display_name" and owner is not None and owner != uid:
                scrubbed[key] = item
            elif key == "display_name" and owner == uid:
                scrubbed[key] = PSEUDONYM
            elif key == "email" and owner == uid:
                scrubbed[key] = tombstone_email(uid)
            else:
                scrubbed[key] = scrub(item, uid, email)
        return scrubbed
    if isinstance(value, list):
        return [scrub(item, uid, email) for item in value]
    if isinstance(value, str):
        if email and email in value:
            return value.replace(email, tombstone_email(uid))
    return value


# Events that already carry ids only (the client needs them whole to drop the item).
IDS_ONLY = frozenset({"card.deleted", "card.hidden", "comment.deleted", "comment.hidden"})
# Events carrying a message from an animator to one person.
PERSONAL_MESSAGES = frozenset({"nudge.sent", "welcome.sent"})


@dataclass(frozen=True)
class Erasure:
    """What ``erase_contributions`` deleted: its old events keep ids only."""

    cards: set[int]
    comments: set[int]
    attachments: set[int]


def _redacted(event: Event, erased: Erasure) -> bool:
    data = event.payload or {}
    if event.kind in IDS_ONLY:
        return False
    if event.kind.startswith("comment."):
        return data.get("id") in erased.comments or event.card_id in erased.cards
    if event.kind.startswith("attachment."):
        return data.get("id") in erased.attachments or event.card_id in erased.cards
    return event.card_id in erased.cards and event.kind.startswith("card.")


async def rewrite_events(
    session: AsyncSession,
    collective_ids: set[int],
    uid: int,
    email: str,
    erased: Erasure,
) -> None:
    """Rewrite the stored payloads, so every replay (``/events``, ``/ws``) shows the pseudonym
    and, after ``erase_contributions``, no longer the erased content (ids only)."""
    last = 0
    while True:
        batch = list(
            await session.scalars(
                select(Event)
                .where(Event.collective_id.in_(collective_ids), Event.id > last)
                .order_by(Event.id)
                .limit(EVENT_BATCH)
            )
        )
        if not batch:
            return
        for event in batch:
            if _redacted(event, erased):
                payload: dict[str, Any] = {"id": (event.payload or {}).get("id"), "redacted": True}
                if event.kind.startswith("comment."):
                    payload["card_id"] = event.card_id
            else:
                payload = scrub(event.payload, uid, email)
                if event.kind in PERSONAL_MESSAGES and (
                    (payload.get("user") or {}).get("id") == uid or event.actor_id == uid
                ):
                    # Written to them, it greets them by name (« Bienvenue {prenom} »); written
                    # by them, it may be signed (« — {animateur} »).
                    payload["message"] = ""
            if payload != event.payload:
                event.payload = payload
        await session.flush()
        last = batch[-1].id


async def rewrite_audit(
    session: AsyncSession, collective_ids: set[int], uid: int, email: str
) -> None:
    entries = await session.scalars(
        select(AuditEntry).where(AuditEntry.collective_id.in_(collective_ids))
    )
    for entry in entries:
        detail = dict(entry.detail or {})
        if entry.target_type == "member" and entry.target_id == uid and "display_name" in detail:
            detail["display_name"] = PSEUDONYM
        detail = scrub(detail, uid, email)
        if detail != entry.detail:
            entry.detail = detail


async def rewrite_notifications(
    session: AsyncSession, collective_ids: set[int], uid: int, name: str, email: str
) -> None:
    """The notifications they sent others (nudges, welcomes: ``data.sender`` is them) name the
    pseudonym. Only those: a substring search over everyone's notifications would rewrite a
    namesake's, or every « e » for a person called « e ». The title names the sender through
    one template; the message is the recipient's and is kept, but where it is signed with the
    sender's name (« — {animateur} ») that name, as a whole word, becomes the pseudonym."""
    found = await session.scalars(
        select(Notification).where(
            Notification.kind.in_(SENT_NOTIFICATIONS),
            Notification.collective_id.in_(collective_ids),
        )
    )
    for notification in found:
        sender = (notification.data or {}).get("sender")
        if not isinstance(sender, dict) or sender.get("id") != uid:
            continue
        notification.data = scrub(notification.data, uid, email)
        if name:
            notification.body = _whole_word(name).sub(PSEUDONYM, notification.body)
        if name and notification.kind in COMMENTED and notification.title.startswith(name + " "):
            notification.title = (PSEUDONYM + notification.title[len(name) :])[:200]
        english = notification.data.get("title_en")
        if name and isinstance(english, str) and english.startswith(name + " "):
            notification.data = {**notification.data, "title_en": PSEUDONYM + english[len(name) :]}
        if name and notification.kind == "nudge":
            named = _NUDGE_TITLE_HEAD.format(sender=name)
            if notification.title.startswith(named):
                head = _NUDGE_TITLE_HEAD.format(sender=PSEUDONYM)
                notification.title = (head + notification.title[len(named) :])[:200]
    if name:
        # The animators' « X a rejoint le collectif » name the newcomers.
        joined = await session.scalars(
            select(Notification).where(
                Notification.kind == "invitation",
                Notification.collective_id.in_(collective_ids),
            )
        )
        for notification in joined:
            names = list((notification.data or {}).get("names", []))
            if name not in names:
                continue
            renamed = [PSEUDONYM if n == name else n for n in names]
            data = {**notification.data, "names": renamed}
            if isinstance(data.get("title_en"), str):
                data["title_en"] = _whole_word(name).sub(PSEUDONYM, data["title_en"])
            notification.data = data
            notification.title = _whole_word(name).sub(PSEUDONYM, notification.title)[:200]
        # The nudges they sent, as stored for the cooldown and the animators' history.
        for nudge in await session.scalars(select(Nudge).where(Nudge.sender_id == uid)):
            nudge.message = _whole_word(name).sub(PSEUDONYM, nudge.message)


def _whole_word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


# Notifications one person sends another (``data.sender``), and the part of a nudge's title
# that names the sender (« Un message de {sender} (»).
SENT_NOTIFICATIONS = ("nudge", "welcome", "comment", "answer", "mention")
COMMENTED = ("comment", "answer", "mention")  # « {commenter} a commenté … », « … mentionné·e »
_NUDGE_TITLE_HEAD = NUDGE_TITLE.split("{collective}")[0]
