"""Sending the notification emails that are due (``essaim serve`` runs ``dispatch`` every
``ESSAIM_NOTIFY_INTERVAL_SECONDS``).

- *Immediate* notifications are grouped per person and thread (a card, a vote…): one email
  carries all that is pending, and a thread gets at most one email per
  ``ESSAIM_NOTIFY_EMAIL_MINUTES`` — what comes meanwhile joins the next one. Nothing is sent in
  the person's quiet hours (it waits for their end).
- *Daily* and *weekly* ones go in one digest per person, after ``ESSAIM_NOTIFY_DIGEST_HOUR``
  (Paris), every day or on Mondays.
- What was read in the application meanwhile is not emailed. What the person may no longer see
  (they left the collective, the card was hidden or deleted) is dropped, never sent.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.links import FALLBACK_BASE_URL
from server.core.mail import Email, EmailFile
from server.core.models import (
    Card,
    Collective,
    Comment,
    Meeting,
    Membership,
    Moderation,
    Notification,
    NotificationEmail,
    Role,
    User,
    utcnow,
)
from server.core.periodic import Periodic
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.calendar import meeting_invitation
from server.domain.notify.compose import (
    COMMENTS_SHOWN,
    DigestSection,
    Line,
    Links,
    QuotedComment,
    ThreadMail,
    digest_email,
    thread_email,
)
from server.domain.notify.kinds import BY_NAME, Delivery
from server.domain.notify.prefs import quiet_until
from server.domain.notify.tokens import mail_key, reply_address, reply_token, unsubscribe_token
from server.events.write import write

# At most this many pending notifications are handled per turn (the rest wait for the next).
BATCH = 5000


@dataclass
class DispatchRun:
    sent: list[Email] = field(default_factory=list)
    deferred: int = 0  # threads waiting for their rate limit or the end of quiet hours
    dropped: int = 0  # notifications no longer visible to their recipient


def base_url(essaim: Essaim) -> str:
    return (essaim.settings.public_url or FALLBACK_BASE_URL).rstrip("/")


def mail_domain(essaim: Essaim) -> str:
    """The domain of Message-IDs and List-Ids: the reply domain, else the public host."""
    return essaim.settings.reply_domain or urlsplit(base_url(essaim)).hostname or "essaim.localhost"


def _title(n: Notification, language: str) -> str:
    english = n.data.get("title_en") if language == "en" else None
    return str(english) if isinstance(english, str) and english else n.title


def _thread_id(thread: str, kind: str) -> int | None:
    """The id of a thread about one ``kind`` of thing ("card:12" → 12)."""
    head, _, value = thread.partition(":")
    return int(value) if head == kind and value.isdigit() else None


def _card_id(thread: str) -> int | None:
    return _thread_id(thread, "card")


@dataclass
class _Context:
    users: dict[int, User]
    roles: dict[tuple[int, int], str]
    collectives: dict[int, str]
    cards: dict[int, Card]
    meetings: dict[int, Meeting]


async def _context(session: AsyncSession, rows: list[Notification]) -> _Context:
    user_ids = {n.user_id for n in rows}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(user_ids)))}
    roles = {
        (m.user_id, m.collective_id): m.role
        for m in await session.scalars(select(Membership).where(Membership.user_id.in_(user_ids)))
    }
    collective_ids = {n.collective_id for n in rows if n.collective_id is not None}
    collectives = {
        cid: name
        for cid, name in await session.execute(
            select(Collective.id, Collective.name).where(Collective.id.in_(collective_ids))
        )
    }
    card_ids = {cid for n in rows if (cid := _card_id(n.thread)) is not None}
    cards = {c.id: c for c in await session.scalars(select(Card).where(Card.id.in_(card_ids)))}
    meeting_ids = {mid for n in rows if (mid := _thread_id(n.thread, "meeting")) is not None}
    meetings = {
        m.id: m for m in await session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
    }
    return _Context(users, roles, collectives, cards, meetings)


def _visible(n: Notification, ctx: _Context) -> bool:
    """Whether the recipient may still be told of ``n`` (checked again at sending time)."""
    if n.user_id not in ctx.users:
        return False
    if n.collective_id is not None:
        role = ctx.roles.get((n.user_id, n.collective_id))
        if role is None:
            return False
        kind = BY_NAME.get(n.kind)
        if kind is not None and kind.audience == "animators" and role != Role.animator:
            return False
        if role == Role.observer and n.kind not in ("meeting", "vote"):
            return False
    card_id = _card_id(n.thread)
    if card_id is not None:
        card = ctx.cards.get(card_id)
        if card is None or card.moderation != Moderation.published:
            return False
    meeting_id = _thread_id(n.thread, "meeting")
    if meeting_id is not None and meeting_id not in ctx.meetings:
        return False  # deleted since
    return True


async def dispatch(essaim: Essaim, now: datetime | None = None) -> DispatchRun:
    """Send what is due at ``now``: the immediate emails, then the digests."""
    now = now or utcnow()
    run = DispatchRun()
    await _immediate(essaim, now, run)
    await _digests(essaim, now, run)
    return run


async def _immediate(essaim: Essaim, now: datetime, run: DispatchRun) -> None:
    settings = essaim.settings
    key = await mail_key(essaim)
    domain, base = mail_domain(essaim), base_url(essaim)
    window = timedelta(minutes=settings.notify_email_minutes)
    async with write(essaim, None) as w:
        rows = list(
            await w.session.scalars(
                select(Notification)
                .where(
                    Notification.delivery == Delivery.immediate,
                    Notification.emailed_at.is_(None),
                    Notification.read_at.is_(None),
                )
                .order_by(Notification.user_id, Notification.thread, Notification.id)
                .limit(BATCH)
                # Two processes sending at once (PostgreSQL): each notification to one only.
                .with_for_update(skip_locked=True, of=Notification)
            )
        )
        if not rows:
            return
        ctx = await _context(w.session, rows)
        groups: dict[tuple[int, str], list[Notification]] = defaultdict(list)
        for n in rows:
            if _visible(n, ctx):
                groups[(n.user_id, n.thread)].append(n)
            else:
                n.emailed_at = now
                run.dropped += 1
        last = await _last_emails(w.session, set(groups))
        for (user_id, thread), group in groups.items():
            user = ctx.users[user_id]
            previous = last.get((user_id, thread))
            if previous is not None and now - previous.sent_at < window:
                run.deferred += 1
                continue
            if quiet_until(user.quiet_hours, now) is not None:
                run.deferred += 1
                continue
            collective_id = group[-1].collective_id or 0
            mail = ThreadMail(
                to=user.email,
                name=user.display_name,
                language=user.language,
                collective=ctx.collectives.get(collective_id, "Essaim"),
                collective_id=collective_id,
                thread=thread,
                kind=group[-1].kind,
                subject="",
                lines=[
                    Line(_title(n, user.language), n.body, base + str(n.data.get("url", "/")))
                    for n in group
                ],
                first=previous is None,
            )
            last_comment: int | None = previous.last_comment_id if previous else None
            card_id = _card_id(thread)
            if card_id is not None:
                card = ctx.cards[card_id]
                mail.subject = _card_subject(mail.collective, card.title, user.language)
                if any(n.kind in ("comment", "answer") for n in group):
                    comments, more = await _new_comments(w.session, card_id, user_id, last_comment)
                    mail.comments = [
                        QuotedComment(who, c.created_at, c.body) for c, who in comments
                    ]
                    mail.more_comments = more
                    if comments:
                        last_comment = comments[-1][0].id
                if settings.reply_domain:
                    expires = (now + timedelta(days=settings.reply_ttl_days)).astimezone(PARIS)
                    token = reply_token(key, card_id, user_id, expires.date())
                    mail.reply_to = reply_address(token, settings.reply_domain)
            else:
                mail.subject = f"[{mail.collective}] {mail.lines[-1].title}"
            meeting = ctx.meetings.get(_thread_id(thread, "meeting") or 0)
            if meeting is not None:
                ics = meeting_invitation(meeting, mail.collective, base)
                mail.files = (EmailFile("reunion.ics", "text/calendar; method=PUBLISH", ics),)
            token = unsubscribe_token(key, user_id, collective_id, mail.kind)
            links = Links(
                preferences=f"{base}/profile#notifications",
                unsubscribe=f"{base}/notifications/unsubscribe?token={token}",
            )
            email = thread_email(mail, user_id, links, domain)
            for n in group:
                n.emailed_at = now
            w.session.add(
                NotificationEmail(
                    user_id=user_id,
                    thread=thread,
                    message_id=email.header("Message-ID") or "",
                    sent_at=now,
                    last_comment_id=last_comment,
                )
            )
            w.after_commit(functools.partial(essaim.mailer.send, email))
            run.sent.append(email)


def _card_subject(collective: str, title: str, language: str) -> str:
    return f"[{collective}] “{title}”" if language == "en" else f"[{collective}] « {title} »"


async def _last_emails(
    session: AsyncSession, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], NotificationEmail]:
    """The last email of each (person, thread) of ``keys``."""
    if not keys:
        return {}
    user_ids = {uid for uid, _ in keys}
    threads = {thread for _, thread in keys}
    latest = (
        select(
            NotificationEmail.user_id,
            NotificationEmail.thread,
            func.max(NotificationEmail.id).label("last_id"),
        )
        .where(NotificationEmail.user_id.in_(user_ids), NotificationEmail.thread.in_(threads))
        .group_by(NotificationEmail.user_id, NotificationEmail.thread)
        .subquery()
    )
    rows = await session.scalars(
        select(NotificationEmail).join(latest, NotificationEmail.id == latest.c.last_id)
    )
    return {(e.user_id, e.thread): e for e in rows if (e.user_id, e.thread) in keys}


async def _new_comments(
    session: AsyncSession, card_id: int, user_id: int, after: int | None
) -> tuple[list[tuple[Comment, str]], int]:
    """The card's published comments by others since the last email (``after``), oldest
    first, at most ``COMMENTS_SHOWN`` (the newest), and how many more there are."""
    mine = (
        Comment.card_id == card_id,
        Comment.author_id != user_id,
        Comment.moderation == Moderation.published,
    )
    since = (Comment.id > after,) if after is not None else ()
    # The first email of a thread carries the comment that started it; later ones what came.
    wanted = COMMENTS_SHOWN if after is not None else 1
    rows = [
        (c, name)
        for c, name in await session.execute(
            select(Comment, User.display_name)
            .join(User, User.id == Comment.author_id)
            .where(*mine, *since)
            .order_by(Comment.id.desc())
            .limit(wanted)
        )
    ]
    more = 0
    if after is not None and len(rows) == wanted:
        total = await session.scalar(select(func.count()).where(*mine, *since))
        more = int(total or 0) - len(rows)
    return list(reversed(rows)), more


async def _digests(essaim: Essaim, now: datetime, run: DispatchRun) -> None:
    local = now.astimezone(PARIS)
    if local.hour < essaim.settings.notify_digest_hour:
        return
    periods = [Delivery.daily]
    if local.weekday() == 0:
        periods.append(Delivery.weekly)
    base = base_url(essaim)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for period in periods:
        thread = f"digest:{period.value}"
        async with write(essaim, None) as w:
            already = set(
                await w.session.scalars(
                    select(NotificationEmail.user_id).where(
                        NotificationEmail.thread == thread, NotificationEmail.sent_at >= today
                    )
                )
            )
            rows = [
                n
                for n in await w.session.scalars(
                    select(Notification)
                    .where(
                        Notification.delivery == period,
                        Notification.emailed_at.is_(None),
                        Notification.read_at.is_(None),
                        Notification.created_at <= now,
                    )
                    .order_by(Notification.user_id, Notification.collective_id, Notification.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True, of=Notification)
                )
                if n.user_id not in already
            ]
            if not rows:
                continue
            ctx = await _context(w.session, rows)
            by_user: dict[int, list[Notification]] = defaultdict(list)
            for n in rows:
                n.emailed_at = now
                if _visible(n, ctx):
                    by_user[n.user_id].append(n)
                else:
                    run.dropped += 1
            for user_id, notes in by_user.items():
                user = ctx.users[user_id]
                sections: dict[int, list[Line]] = defaultdict(list)
                for n in notes:
                    sections[n.collective_id or 0].append(
                        Line(_title(n, user.language), n.body, base + str(n.data.get("url", "/")))
                    )
                email = digest_email(
                    user.email,
                    user.display_name,
                    user.language,
                    period.value,
                    [
                        DigestSection(ctx.collectives.get(cid, "Essaim"), lines)
                        for cid, lines in sections.items()
                    ],
                    f"{base}/profile#notifications",
                )
                w.session.add(
                    NotificationEmail(user_id=user_id, thread=thread, message_id="", sent_at=now)
                )
                w.after_commit(functools.partial(essaim.mailer.send, email))
                run.sent.append(email)


class NotificationMailer(Periodic):
    """The app's background task sending what is due every ``ESSAIM_NOTIFY_INTERVAL_SECONDS``
    (off when 0)."""

    def __init__(self, essaim: Essaim) -> None:
        super().__init__(
            "notification-mailer",
            lambda: dispatch(essaim),
            essaim.settings.notify_interval_seconds,
        )

    async def start(self) -> None:
        if self.interval > 0:
            await super().start()
