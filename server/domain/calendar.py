"""One's calendar feed: an iCalendar (RFC 5545) file at a secret URL, revocable, listing the
meetings and workshops of one's collectives (all-day when they have no times), their phases,
and the due dates of the actions of one's plan (those one owns, or of one's diagnostic when
nobody does). Calendar clients fetch it without a session: the URL is the key, so it is
turned on by its person (``POST /me/calendar``), replaced to revoke it, and gone at erasure.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select

from server.core.errors import NotFound
from server.core.models import (
    ActionStatus,
    Collective,
    Diagnostic,
    Meeting,
    Membership,
    Phase,
    PlanAction,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.events.write import write

HISTORY_DAYS = 365  # how far back the feed goes
DEFAULT_LENGTH = timedelta(hours=2)  # a meeting with a start and no end


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


async def turn_on(essaim: Essaim, user: User) -> str:
    """A new secret for the user's feed (the previous URL, if any, stops answering)."""
    token = secrets.token_urlsafe(32)
    async with write(essaim, user) as w:
        row = await w.session.get(User, user.id)
        assert row is not None
        row.calendar_token = token
    user.calendar_token = token
    return token


async def turn_off(essaim: Essaim, user: User) -> None:
    async with write(essaim, user) as w:
        row = await w.session.get(User, user.id)
        assert row is not None
        row.calendar_token = None
    user.calendar_token = None


async def feed(essaim: Essaim, token: str, base_url: str) -> bytes:
    """The iCalendar file of the feed whose secret is ``token`` (404 for any other)."""
    if not token or len(token) > 64:
        raise NotFound("calendar")
    now = utcnow()
    since = now.astimezone(PARIS).date() - timedelta(days=HISTORY_DAYS)
    async with essaim.db.read() as session:
        user = await session.scalar(select(User).where(User.calendar_token == token))
        if user is None:
            raise NotFound("calendar")
        names = {
            cid: name
            for cid, name in await session.execute(
                select(Collective.id, Collective.name)
                .join(Membership, Membership.collective_id == Collective.id)
                .where(Membership.user_id == user.id)
            )
        }
        meetings = list(
            await session.scalars(
                select(Meeting)
                .where(Meeting.collective_id.in_(names), Meeting.held_on >= since)
                .order_by(Meeting.held_on, Meeting.id)
            )
        )
        phases = list(
            await session.scalars(
                select(Phase)
                .where(Phase.collective_id.in_(names), Phase.ends_on >= since)
                .order_by(Phase.starts_on, Phase.id)
            )
        )
        actions = (
            await session.execute(
                select(PlanAction, Diagnostic)
                .join(Diagnostic, Diagnostic.id == PlanAction.diagnostic_id)
                .where(
                    PlanAction.collective_id.in_(names),
                    PlanAction.due_on.is_not(None),
                    PlanAction.due_on >= since,
                    PlanAction.status.in_([ActionStatus.todo, ActionStatus.doing]),
                    or_(
                        PlanAction.owner_id == user.id,
                        (PlanAction.owner_id.is_(None)) & (Diagnostic.member_id == user.id),
                    ),
                )
                .order_by(PlanAction.due_on, PlanAction.id)
            )
        ).all()
    base = base_url.rstrip("/")
    host = _host(base)
    calendar = Calendar()
    calendar.add("prodid", "-//Essaim//Calendrier des collectifs//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Essaim — {user.display_name}")
    calendar.add("x-wr-timezone", "Europe/Paris")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, names[meeting.collective_id], base, now))
    for phase in phases:
        event = _event(
            f"phase-{phase.id}@{host}", now, f"{phase.name} ({names[phase.collective_id]})"
        )
        _all_day(event, phase.starts_on, phase.ends_on)
        event.add("transp", "TRANSPARENT")  # a phase does not make one busy
        if phase.description:
            event.add("description", phase.description)
        event.add("url", f"{base}/c/{phase.collective_id}")
        calendar.add_component(event)
    for action, diagnostic in actions:
        assert action.due_on is not None
        event = _event(f"action-{action.id}@{host}", now, f"Échéance : {action.title}")
        _all_day(event, action.due_on, action.due_on)
        event.add("transp", "TRANSPARENT")
        event.add(
            "description",
            f"Plan d'action — {names[action.collective_id]}\n\n{base}/d/{diagnostic.id}",
        )
        event.add("url", f"{base}/d/{diagnostic.id}")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def meeting_event(meeting: Meeting, collective: str, base_url: str, now: datetime) -> Event:
    """A meeting as an iCalendar event (timed, or all-day with only ``held_on``); its UID is
    the same in the feed and in invitation emails, so a client that has both keeps one."""
    base = base_url.rstrip("/")
    event = _event(f"meeting-{meeting.id}@{_host(base)}", now, f"{meeting.title} ({collective})")
    if meeting.starts_at is not None:
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    else:
        _all_day(event, meeting.held_on, meeting.held_on)
    if meeting.location:
        event.add("location", meeting.location)
    event.add(
        "description",
        "\n\n".join(p for p in (meeting.notes or "", f"{base}/c/{meeting.collective_id}") if p),
    )
    event.add("url", f"{base}/c/{meeting.collective_id}")
    return event


def meeting_invitation(meeting: Meeting, collective: str, base_url: str) -> bytes:
    """The ``.ics`` an email about a meeting carries (METHOD:PUBLISH: « add to my calendar »;
    attendance is answered in Essaim)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Essaim//Calendrier des collectifs//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(meeting_event(meeting, collective, base_url, utcnow()))
    ical: bytes = calendar.to_ical()
    return ical


def _host(base: str) -> str:
    return base.split("://", 1)[-1].split("/", 1)[0] or "essaim"


def _event(uid: str, now: datetime, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("summary", summary)
    return event


def _all_day(event: Event, first: date, last: date) -> None:
    """An all-day event from ``first`` to ``last`` included (DTEND is exclusive)."""
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))
