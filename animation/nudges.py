"""The animator's one-click actions on alerts: nudge a member (in-app and by email), welcome
a newcomer, post a « question de la semaine ». Each goes through the one write path."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from animation.thresholds import DEFAULT_WELCOME, check_template, fill, template_of
from server.core.errors import Conflict, ErrorCode, InvalidInput
from server.core.mail import Email
from server.core.models import (
    Board,
    Card,
    CardKind,
    Collective,
    Membership,
    Moderation,
    Nudge,
    Role,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain import cards, discussion
from server.domain.access import Action, find_membership, membership
from server.domain.notifications import NUDGE_TITLE, notification_view, notify
from server.domain.notify.kinds import Delivery
from server.domain.schemas import CardIn, CommentIn, NudgeIn, PromptIn, WelcomeIn
from server.domain.views import iso, user_view
from server.events.kinds import EventKind
from server.events.write import write

PROMPT_TAG = "question-de-la-semaine"
# A member gets at most one nudge per collective in this time, from whichever animator: a
# double click, or two animators answering the same alert, must not pester them.
NUDGE_COOLDOWN = timedelta(days=3)


async def last_nudges(
    session: AsyncSession, collective_id: int, user_ids: Collection[int]
) -> dict[int, datetime]:
    """When each of these members was last nudged in the collective (if ever)."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(Nudge.recipient_id, func.max(Nudge.created_at))
        .where(Nudge.collective_id == collective_id, Nudge.recipient_id.in_(user_ids))
        .group_by(Nudge.recipient_id)
    )
    return {user_id: at for user_id, at in rows}


def next_nudge_at(last: datetime | None, now: datetime) -> datetime | None:
    """Until when a member last nudged at ``last`` may not be nudged again (None: now)."""
    if last is None or now - last >= NUDGE_COOLDOWN:
        return None
    return last + NUDGE_COOLDOWN


async def _recipient(
    session: AsyncSession, collective_id: int, user_id: int, sender: User, roles: set[str]
) -> tuple[User, Membership]:
    """A member the animator may address: in this collective, with one of ``roles``."""
    found = await find_membership(session, collective_id, user_id)
    user = await session.get(User, user_id)
    if found is None or user is None:
        raise InvalidInput("unknown member", fields={"user_id": "not a member of this collective"})
    if user_id == sender.id:
        raise InvalidInput("you cannot address yourself", fields={"user_id": "that is you"})
    if found.role not in roles:
        raise InvalidInput(
            f"this action is for {' or '.join(sorted(roles))}s",
            fields={"user_id": f"their role is {found.role}"},
        )
    return user, found


def _personal(text: str | None, default: str, recipient: User, name: str, sender: User) -> str:
    """The message as sent: its placeholders filled when it uses them correctly."""
    chosen = text or default
    try:
        check_template(chosen)
    except InvalidInput:
        return chosen  # braces the animator typed on purpose: sent as written
    return fill(chosen, recipient, name, sender)


def nudge_view(nudge: Nudge, recipient: User, sender: User) -> dict[str, Any]:
    return {
        "id": nudge.id,
        "collective_id": nudge.collective_id,
        "user": user_view(recipient),
        "sender": user_view(sender),
        "message": nudge.message,
        "alert_id": nudge.alert_id,
        "created_at": iso(nudge.created_at),
    }


async def send_nudge(
    essaim: Essaim, user: User, collective_id: int, body: NudgeIn, base_url: str
) -> dict[str, Any]:
    """Store the nudge, notify the member in the application, and email them after commit."""
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        recipient, _ = await _recipient(
            w.session, collective_id, body.user_id, user, {Role.member, Role.animator}
        )
        last = (await last_nudges(w.session, collective_id, [recipient.id])).get(recipient.id)
        again = next_nudge_at(last, utcnow())
        if last is not None and again is not None:
            raise Conflict(
                f"{recipient.display_name} was nudged on {last:%Y-%m-%d %H:%M} UTC; "
                f"at most one nudge every {NUDGE_COOLDOWN.days} days",
                code=ErrorCode.NUDGED_RECENTLY,
                fields={"user_id": "nudged recently"},
                extra={"last_nudge_at": iso(last), "next_nudge_at": iso(again)},
            )
        collective = await w.session.get(Collective, collective_id)
        assert collective is not None
        template = await template_of(w.session, collective_id)
        message = _personal(body.message, template, recipient, collective.name, user)
        nudge = Nudge(
            collective_id=collective_id,
            sender_id=user.id,
            recipient_id=recipient.id,
            message=message,
            alert_id=body.alert_id,
            created_at=utcnow(),
        )
        w.session.add(nudge)
        await w.session.flush()
        notification = await notify(
            w,
            recipient.id,
            collective_id,
            "nudge",
            NUDGE_TITLE.format(sender=user.display_name, collective=collective.name),
            message,
            {"nudge_id": nudge.id, "sender": user_view(user)},
        )
        assert notification is not None  # an animator's message cannot be turned off
        view = {**nudge_view(nudge, recipient, user), "notification_id": notification.id}
        # Restricted: members must not receive the nudges others got; the recipient has
        # the notification.
        await w.emit(collective_id, EventKind.nudge_sent, view, restricted=True)
        link = (essaim.settings.public_url or base_url).rstrip("/") + "/"
        email = Email(
            to=recipient.email,
            subject=f"{collective.name} : un message de {user.display_name}",
            text=f"{message}\n\n—\nRetrouvez « {collective.name} » sur Essaim : {link}\n",
        )
        if notification.delivery == Delivery.immediate:
            # Sent now, as written (not through the grouped notification emails); a member
            # who chose a digest or the application only gets it there.
            notification.emailed_at = utcnow()
            w.after_commit(lambda: essaim.mailer.send(email))
    return view


async def _first_card(session: AsyncSession, collective_id: int, user_id: int) -> Card | None:
    return await session.scalar(
        select(Card)
        .where(
            Card.collective_id == collective_id,
            Card.author_id == user_id,
            Card.moderation == Moderation.published,
        )
        .order_by(Card.created_at, Card.id)
        .limit(1)
    )


async def send_welcome(
    essaim: Essaim, user: User, collective_id: int, body: WelcomeIn
) -> dict[str, Any]:
    """A welcome comment on the newcomer's first card, or a notification if they have none."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        newcomer, _ = await _recipient(session, collective_id, body.user_id, user, {Role.member})
        collective = await session.get(Collective, collective_id)
        assert collective is not None
        card = await _first_card(session, collective_id, newcomer.id)
    message = _personal(body.message, DEFAULT_WELCOME, newcomer, collective.name, user)
    if card is not None:
        # Through the comment service: the welcome shows live on the card and in search.
        comment = await discussion.add_comment(essaim, user, card.id, CommentIn(body=message))
        return {
            "kind": "comment",
            "user": user_view(newcomer),
            "card_id": card.id,
            "comment": comment,
        }
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        await _recipient(w.session, collective_id, newcomer.id, user, {Role.member})
        notification = await notify(
            w,
            newcomer.id,
            collective_id,
            "welcome",
            f"Bienvenue dans « {collective.name} »",
            message,
            {"sender": user_view(user)},
        )
        assert notification is not None  # an animator's message cannot be turned off
        view = notification_view(notification)
        await w.emit(
            collective_id,
            EventKind.welcome_sent,
            {"user": user_view(newcomer), "notification_id": notification.id, "message": message},
            restricted=True,
        )
    return {"kind": "notification", "user": user_view(newcomer), "notification": view}


async def post_prompt(
    essaim: Essaim, user: User, collective_id: int, body: PromptIn
) -> dict[str, Any]:
    """A question card tagged ``question-de-la-semaine``, created by the card service."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        board = await session.get(Board, body.board_id)
        if board is None or board.collective_id != collective_id:
            raise InvalidInput("unknown board", fields={"board_id": "no such board here"})
    card = CardIn(kind=CardKind.question, title=body.title, body=body.body, tags=[PROMPT_TAG])
    return await cards.create_card(essaim, user, body.board_id, card)
