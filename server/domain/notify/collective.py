"""What a collective's people are told about it: a meeting scheduled or moved (its email
carries the ``.ics``), a vote opened or closed, an invitation accepted (animators), a flag to
review (animators, one unread notification per card as flags come)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from server.core.models import (
    Card,
    Flag,
    Meeting,
    Membership,
    Notification,
    Role,
    User,
    Vote,
    utcnow,
)
from server.core.timezone import PARIS
from server.domain.notifications import changed_count, notify
from server.events.write import Write


async def _audience(
    w: Write, collective_id: int, roles: Iterable[str], exclude: set[int]
) -> dict[int, dict[str, str]]:
    """The members of these roles (id → their preferences), except ``exclude``."""
    rows = await w.session.execute(
        select(Membership.user_id, Membership.notification_prefs).where(
            Membership.collective_id == collective_id, Membership.role.in_(list(roles))
        )
    )
    return {uid: prefs or {} for uid, prefs in rows if uid not in exclude}


async def _tell(
    w: Write,
    audience: dict[int, dict[str, str]],
    collective_id: int,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    thread: str,
) -> int:
    told = 0
    for user_id, prefs in sorted(audience.items()):
        made = await notify(
            w, user_id, collective_id, kind, title, body, dict(data), thread=thread, prefs=prefs
        )
        told += made is not None
    return told


def _when(meeting: Meeting) -> str:
    if meeting.starts_at is not None:
        return meeting.starts_at.astimezone(PARIS).strftime("le %d/%m/%Y à %H:%M")
    return meeting.held_on.strftime("le %d/%m/%Y")


def _when_en(meeting: Meeting) -> str:
    if meeting.starts_at is not None:
        return meeting.starts_at.astimezone(PARIS).strftime("on %Y-%m-%d at %H:%M")
    return meeting.held_on.strftime("on %Y-%m-%d")


async def notify_meeting(w: Write, meeting: Meeting, author: User, *, moved: bool) -> int:
    """Tell the collective's people of a meeting to come (scheduled, or its time or place
    changed); a meeting recorded after it was held tells nobody."""
    if meeting.held_on < utcnow().astimezone(PARIS).date():
        return 0
    roles = (Role.animator, Role.member, Role.observer)
    audience = await _audience(w, meeting.collective_id, roles, {author.id})
    where = f" — {meeting.location}" if meeting.location else ""
    verb, verb_en = ("déplacée", "moved") if moved else ("programmée", "scheduled")
    return await _tell(
        w,
        audience,
        meeting.collective_id,
        "meeting",
        f"Réunion {verb} : {meeting.title}, {_when(meeting)}{where}",
        meeting.notes or "",
        {
            "meeting_id": meeting.id,
            "url": f"/c/{meeting.collective_id}",
            "title_en": f"Meeting {verb_en}: {meeting.title}, {_when_en(meeting)}{where}",
        },
        f"meeting:{meeting.id}",
    )


async def notify_vote(w: Write, vote: Vote, author: User, *, closed: bool) -> int:
    """Tell the collective's members and animators that a vote opened (or closed)."""
    audience = await _audience(w, vote.collective_id, (Role.animator, Role.member), {author.id})
    if closed:
        title = f"Vote clos : {vote.title} — voyez le résultat"
        title_en = f"Vote closed: {vote.title} — see the result"
        body = ""
    else:
        title = f"Nouveau vote : {vote.title}"
        title_en = f"New vote: {vote.title}"
        body = (
            f"Clôture le {vote.closes_at.astimezone(PARIS):%d/%m/%Y à %H:%M}."
            if vote.closes_at is not None
            else ""
        )
    return await _tell(
        w,
        audience,
        vote.collective_id,
        "vote",
        title,
        body,
        {"vote_id": vote.id, "url": f"/v/{vote.id}", "title_en": title_en},
        f"vote:{vote.id}",
    )


async def _unread_in(w: Write, user_id: int, thread: str) -> Notification | None:
    found = await w.session.scalars(
        select(Notification).where(
            Notification.user_id == user_id,
            Notification.thread == thread,
            Notification.read_at.is_(None),
        )
    )
    return next(iter(found), None)


def _regroup(w: Write, pending: Notification, title: str, data: dict[str, Any]) -> None:
    """Update an unread notification with what came since (and email it again)."""
    pending.title, pending.data, pending.created_at = title[:200], data, utcnow()
    pending.emailed_at = None
    changed_count(w, pending.user_id)


ROLE_NAMES = {"member": "membre", "animator": "animateur·rice", "observer": "observateur·rice"}


async def notify_joined(w: Write, collective_id: int, newcomer: User, role: str) -> int:
    """Tell the animators that an invitation was accepted; while unread, one notification
    names the newcomers (« 3 personnes ont rejoint le collectif : … »)."""
    audience = await _audience(w, collective_id, (Role.animator,), {newcomer.id})
    thread = f"invitation:{collective_id}"
    told = 0
    for user_id, prefs in sorted(audience.items()):
        pending = await _unread_in(w, user_id, thread)
        names = [*(pending.data.get("names", []) if pending else []), newcomer.display_name]
        count = 1 + (int(pending.data.get("count", len(names) - 1)) if pending else 0)
        if count == 1:
            title = f"{newcomer.display_name} a rejoint le collectif ({ROLE_NAMES.get(role, role)})"
            title_en = f"{newcomer.display_name} joined the collective ({role})"
        else:
            shown, more = ", ".join(names[-3:]), count - min(3, len(names))
            title = f"{count} personnes ont rejoint le collectif : {shown}"
            title_en = f"{count} people joined the collective: {shown}"
            if more > 0:
                title, title_en = f"{title} et {more} autre(s)", f"{title_en} and {more} more"
        data = {
            "url": f"/c/{collective_id}",
            "names": names[-20:],
            "count": count,
            "title_en": title_en,
        }
        if pending is not None:
            _regroup(w, pending, title, data)
            told += 1
        else:
            made = await notify(
                w, user_id, collective_id, "invitation", title, "", data, thread=thread, prefs=prefs
            )
            told += made is not None
    return told


async def notify_flag(w: Write, flag: Flag, card: Card) -> int:
    """Tell the animators that something was flagged; while unread, one notification per
    card counts the flags (the reporter is not named: the moderation page says more)."""
    audience = await _audience(w, card.collective_id, (Role.animator,), {flag.reporter_id})
    thread = f"flag:{card.id}"
    told = 0
    for user_id, prefs in sorted(audience.items()):
        pending = await _unread_in(w, user_id, thread)
        count = 1 + (int(pending.data.get("count", 1)) if pending else 0)
        what = "la fiche" if flag.target_type == "card" else "un commentaire de la fiche"
        what_en = "the card" if flag.target_type == "card" else "a comment on the card"
        title = (
            f"{count} signalements à examiner sur « {card.title} »"
            if count > 1
            else f"Signalement à examiner : {what} « {card.title} »"
        )
        data = {
            "card_id": card.id,
            "count": count,
            "url": f"/c/{card.collective_id}/animation#moderation",
            "title_en": (
                f"{count} flags to review on “{card.title}”"
                if count > 1
                else f"Flag to review: {what_en} “{card.title}”"
            ),
        }
        if pending is not None:
            _regroup(w, pending, title, data)
            told += 1
        else:
            made = await notify(
                w, user_id, card.collective_id, "flag", title, "", data, thread=thread, prefs=prefs
            )
            told += made is not None
    return told
