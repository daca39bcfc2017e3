"""``essaim demo``: load the French demo collective through the domain services, replaying
its history in time order (backdated with ``clock_at``) so the event log looks lived-in."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from animation import visits
from server.cli.common import Commands, add_command, settings_from, with_platform
from server.cli.demo_content import (
    COLLECTIVE,
    DEMO_PASSWORD,
    FADING_MEMBER,
    MEETINGS,
    OPEN_FLAG,
    PINNED_CARD,
    READER_VISIT_EVERY_DAYS,
    READERS,
    VISIT_EVERY_DAYS,
    DemoCard,
    DemoCollective,
    DemoMeeting,
    DemoPerson,
)
from server.cli.demo_diagnostics import DIAGNOSTICS, DemoAction, DemoDiagnostic
from server.cli.demo_diagnostics import LEVELS as DIAGNOSTIC_LEVELS
from server.cli.demo_diagnostics import TEMPLATE as DIAGNOSTIC_TEMPLATE
from server.core.models import (
    BoardKind,
    Card,
    CardKind,
    FlagReason,
    MeetingKind,
    PhaseKind,
    ReactionKind,
    Role,
    User,
    clock_at,
)
from server.core.platform import Essaim
from server.domain import boards, cards, collectives, discussion, meetings, moderation, phases
from server.domain.accounts import identity
from server.domain.diagnostics import service as diagnostic_service
from server.domain.diagnostics.schemas import ActionIn, ActionPatch, DiagnosticIn, DiagnosticPatch
from server.domain.schemas import (
    AttendanceIn,
    BoardIn,
    CardIn,
    CardPatch,
    CollectiveIn,
    CommentIn,
    FlagIn,
    InvitationIn,
    MeetingIn,
    MemberPatch,
    PhaseIn,
    ReactionIn,
    RegisterIn,
)


@dataclass(frozen=True)
class DemoResult:
    collective_id: int | None
    already_loaded: bool
    animator_email: str
    password: str


async def load_demo(
    essaim: Essaim,
    content: DemoCollective = COLLECTIVE,
    now: datetime | None = None,
    meetings_content: tuple[DemoMeeting, ...] = MEETINGS,
) -> DemoResult:
    """Load the demo collective once; a second call changes nothing."""
    now = now or datetime.now(UTC)
    today = now.date()
    animator = next(p for p in content.people if p.role == "animator")
    async with essaim.db.read() as session:
        if await session.scalar(select(User.id).where(User.email == animator.email)):
            return DemoResult(None, True, animator.email, DEMO_PASSWORD)

    def at(days_ago: float) -> datetime:
        return now - timedelta(days=days_ago)

    start = at(-content.starts_on_offset_days + 1)
    users: dict[str, User] = {}
    with clock_at(start):
        for person in content.people:
            login = await identity.create_user(
                essaim,
                RegisterIn(
                    email=person.email,
                    password=DEMO_PASSWORD,
                    display_name=person.display_name,
                ),
            )
            users[person.key] = login.user
        boss = users[animator.key]
        collective = await collectives.create_collective(
            essaim,
            boss,
            CollectiveIn(
                name=content.name,
                description=content.description,
                theme=content.theme,
                territory=content.territory,
                funders=list(content.funders),
                starts_on=_day(today, content.starts_on_offset_days),
                ends_on=_day(today, content.ends_on_offset_days),
            ),
        )
        cid = collective["id"]
        for phase in content.phases:
            await phases.create_phase(
                essaim,
                boss,
                cid,
                PhaseIn(
                    name=phase.name,
                    kind=PhaseKind(phase.kind),
                    description=phase.description,
                    starts_on=_day(today, phase.starts_on_offset_days),
                    ends_on=_day(today, phase.ends_on_offset_days),
                ),
            )
        board_columns: list[list[int]] = []
        board_ids: list[int] = []
        for board in content.boards:
            created = await boards.create_board(
                essaim,
                boss,
                cid,
                BoardIn(name=board.name, kind=BoardKind(board.kind), description=board.description),
            )
            board_ids.append(created["id"])
            board_columns.append([c["id"] for c in created["columns"]])

    # Members join through invitation links, a little before they first speak; their
    # joins are part of the history below, so seq order stays time order.
    first_seen = _first_activity(content)
    joins: list[tuple[float, int, Action]] = []
    joined_days: dict[str, float] = {animator.key: -content.starts_on_offset_days + 1.0}
    for person in content.people:
        if person.key == animator.key:
            with clock_at(start):
                await _set_profile(essaim, boss, cid, boss, person)
            continue
        days = min(first_seen.get(person.key, 30.0) + 2, -content.starts_on_offset_days)
        joined_days[person.key] = days
        joins.append((days, -1, _joining(essaim, boss, cid, users[person.key], person)))

    # Then the history, all boards interleaved, oldest first: seq order is time order.
    history = joins + _history(essaim, users, content, board_ids, board_columns)
    history += _animation_history(essaim, users, content, cid, board_ids, joined_days)
    history += _diagnostics(essaim, users, boss, cid)
    for meeting in meetings_content:
        came = [users[k].id for k in meeting.attendees if joined_days.get(k, 0) > meeting.days_ago]
        held_on = today - timedelta(days=meeting.days_ago)
        run = _meeting(essaim, boss, cid, meeting, held_on, came)
        history.append((meeting.days_ago - 0.3, 4, run))
    for days_ago, _, action in sorted(history, key=lambda item: (-item[0], item[1])):
        with clock_at(at(days_ago)):
            await action()
    with clock_at(at(0.05)):
        await _pin_and_flag(essaim, users, boss, board_ids)
    return DemoResult(cid, False, animator.email, DEMO_PASSWORD)


Action = Callable[[], Awaitable[Any]]


def _diagnostics(
    essaim: Essaim, users: dict[str, User], boss: User, cid: int
) -> list[tuple[float, int, Action]]:
    """The artisans' diagnostics and first actions (server/cli/demo_diagnostics.py), as
    history entries: made, answered and finished on their day, actions a little after."""
    made_ids: dict[str, dict[str, Any]] = {}
    out: list[tuple[float, int, Action]] = []

    def make(made: DemoDiagnostic) -> Action:
        async def run() -> None:
            member = users[made.member]
            diagnostic = await diagnostic_service.create_diagnostic(
                essaim,
                boss,
                cid,
                DiagnosticIn(template_id=DIAGNOSTIC_TEMPLATE, member_id=member.id),
            )
            answers: dict[str, Any] = dict(zip(DIAGNOSTIC_LEVELS, made.levels, strict=False))
            if made.done:
                answers |= {"accompagnement.devis": made.devis, "rh.apprentis": made.apprentices}
            made_ids[made.member] = await diagnostic_service.update_diagnostic(
                essaim,
                boss,
                diagnostic["id"],
                DiagnosticPatch(
                    version=diagnostic["version"],
                    answers=answers,
                    status="done" if made.done else "draft",
                ),
            )

        return run

    def plan(made: DemoDiagnostic, action: DemoAction, key: str) -> Action:
        async def run() -> None:
            member = users[made.member]
            today = datetime.now(UTC).date()
            practice = None
            if action.links_a_practice:
                async with essaim.db.read() as session:
                    practice = await session.scalar(
                        select(Card.id)
                        .where(Card.collective_id == cid, Card.kind == "practice")
                        .order_by(Card.id)
                        .limit(1)
                    )
            due = None
            if action.due_in_days is not None:
                due = max(today, datetime.now(UTC).date() + timedelta(days=action.due_in_days))
            made_ids[key] = await diagnostic_service.create_action(
                essaim,
                member,
                made_ids[made.member]["id"],
                ActionIn(
                    title=action.title,
                    theme_id=action.theme,
                    owner_id=member.id,
                    due_on=due,
                    card_ids=[practice] if practice else [],
                ),
            )

        return run

    def progress(made: DemoDiagnostic, action: DemoAction, key: str) -> Action:
        async def run() -> None:
            created = made_ids[key]
            await diagnostic_service.update_action(
                essaim,
                users[made.member],
                created["id"],
                ActionPatch(version=created["version"], status=action.status),
            )

        return run

    for made in DIAGNOSTICS:
        out.append((made.days_ago, 6, make(made)))
        for n, action in enumerate(made.actions):
            key = f"{made.member}:{n}"
            out.append((made.days_ago - 0.1 - n * 0.01, 6, plan(made, action, key)))
            if action.status != "todo":
                out.append((max(made.days_ago - 5, 0.5), 6, progress(made, action, key)))
    return out


async def _set_profile(
    essaim: Essaim, boss: User, cid: int, user: User, person: DemoPerson
) -> None:
    profile = MemberPatch(
        organisation=person.organisation,
        trade=person.trade,
        skills=[s.lower() for s in person.skills],
    )
    await collectives.update_member(essaim, boss, cid, user.id, profile)


def _joining(essaim: Essaim, boss: User, cid: int, user: User, person: DemoPerson) -> Action:
    async def run() -> None:
        invitation = await collectives.create_invitation(
            essaim, boss, cid, InvitationIn(role=Role(person.role)), "http://demo"
        )
        token = invitation.url.rsplit("/", 1)[1]
        await collectives.accept_invitation(essaim, user, token)
        await _set_profile(essaim, boss, cid, user, person)

    return run


def _history(
    essaim: Essaim,
    users: dict[str, User],
    content: DemoCollective,
    board_ids: list[int],
    board_columns: list[list[int]],
) -> list[tuple[float, int, Action]]:
    """Every card, comment, reaction and move as (days ago, tie-break, action)."""
    history: list[tuple[float, int, Action]] = []
    card_ids: dict[tuple[int, int], int] = {}

    def create(b: int, c: int, card: DemoCard) -> Action:
        async def run() -> None:
            body = CardIn(
                kind=CardKind(card.kind), title=card.title, body=card.body, tags=list(card.tags)
            )
            created = await cards.create_card(essaim, users[card.author], board_ids[b], body)
            card_ids[(b, c)] = created["id"]

        return run

    def comment(b: int, c: int, who: str, text: str) -> Action:
        async def run() -> None:
            body = CommentIn(body=text)
            await discussion.add_comment(essaim, users[who], card_ids[(b, c)], body)

        return run

    def react(b: int, c: int, who: str, kind: str) -> Action:
        async def run() -> None:
            body = ReactionIn(kind=ReactionKind(kind))
            await discussion.add_reaction(essaim, users[who], card_ids[(b, c)], body)

        return run

    def move(b: int, c: int, who: str, column: int) -> Action:
        async def run() -> None:
            current = await cards.get_card(essaim, users[who], card_ids[(b, c)])
            body = CardPatch(version=current["version"], column_id=board_columns[b][column])
            await cards.update_card(essaim, users[who], card_ids[(b, c)], body)

        return run

    for b, board in enumerate(content.boards):
        for c, card in enumerate(board.cards):
            history.append((card.days_ago, 0, create(b, c, card)))
            for demo_comment in card.comments:
                history.append(
                    (
                        demo_comment.days_ago,
                        1,
                        comment(b, c, demo_comment.author, demo_comment.body),
                    )
                )
            for index, (who, kind) in enumerate(card.reactions):
                # Reactions trickle in over the card's first days.
                days = max(card.days_ago - 0.3 - 0.4 * index, 0.02)
                history.append((days, 2, react(b, c, who, kind)))
            if card.column:
                latest = min([m.days_ago for m in card.comments] or [card.days_ago * 0.5])
                history.append((max(latest - 0.1, 0.01), 3, move(b, c, card.author, card.column)))
    return history


def _meeting(
    essaim: Essaim,
    boss: User,
    cid: int,
    meeting: DemoMeeting,
    held_on: date,
    attendees: list[int],
) -> Action:
    async def run() -> None:
        body = MeetingIn(
            title=meeting.title,
            kind=MeetingKind(meeting.kind),
            held_on=held_on,
            notes=meeting.notes,
        )
        created = await meetings.create_meeting(essaim, boss, cid, body)
        await meetings.set_attendance(essaim, boss, created["id"], AttendanceIn(user_ids=attendees))

    return run


async def _pin_and_flag(
    essaim: Essaim, users: dict[str, User], boss: User, board_ids: list[int]
) -> None:
    """Pin a card and leave one open flag, so the moderation screens show something."""

    async def nth_card(board: int, index: int) -> dict[str, Any]:
        found = await boards.get_board(essaim, boss, board_ids[board])
        cards_by_id = sorted(
            (card for column in found["columns"] for card in column["cards"]),
            key=lambda card: card["id"],
        )
        return dict(cards_by_id[index])

    pinned = await nth_card(*PINNED_CARD)
    await cards.update_card(
        essaim, boss, pinned["id"], CardPatch(version=pinned["version"], pinned=True)
    )
    board, index, who, reason, note = OPEN_FLAG
    flagged = await nth_card(board, index)
    body = FlagIn(reason=FlagReason(reason), note=note)
    await moderation.flag_card(essaim, users[who], flagged["id"], body)


def _first_activity(content: DemoCollective) -> dict[str, float]:
    seen: dict[str, float] = {}
    for board in content.boards:
        for card in board.cards:
            moments = [(card.author, card.days_ago)]
            moments += [(c.author, c.days_ago) for c in card.comments]
            moments += [(who, card.days_ago - 0.3) for who, _ in card.reactions]
            for who, days in moments:
                seen[who] = max(seen.get(who, 0.0), days)
    return seen


def _day(today: date, offset: int) -> date:
    return today + timedelta(days=offset)


def _animation_history(
    essaim: Essaim,
    users: dict[str, User],
    content: DemoCollective,
    cid: int,
    board_ids: list[int],
    joined_days: dict[str, float],
) -> list[tuple[float, int, Action]]:
    """Visits: on the days one writes, weekly otherwise, every few days for readers, and none
    after the fading member went silent; so that figures and alerts are real at "now"."""
    history: list[tuple[float, int, Action]] = []
    moments = _moments(content)

    def visit(who: str) -> Action:
        async def run() -> None:
            await visits.record_visit(essaim, users[who], cid, None, None)

        return run

    for person in content.people:
        key = person.key
        joined = joined_days.get(key, -content.starts_on_offset_days)
        mine = moments.get(key, [])
        every = READER_VISIT_EVERY_DAYS if key in READERS else VISIT_EVERY_DAYS
        # The fading member stops coming when they stop writing.
        until = min(mine) if key == FADING_MEMBER and mine else 0.2
        days = [d + 0.01 for d in mine]
        day = joined - 0.5
        while day > until:
            days.append(day)
            day -= every
        history += [(d, 5, visit(key)) for d in days if d < joined]

    return history


def _moments(content: DemoCollective) -> dict[str, list[float]]:
    """Person key → when (days ago) they posted, commented or reacted."""
    seen: dict[str, list[float]] = {}
    for board in content.boards:
        for card in board.cards:
            seen.setdefault(card.author, []).append(card.days_ago)
            for comment in card.comments:
                seen.setdefault(comment.author, []).append(comment.days_ago)
            for index, (who, _) in enumerate(card.reactions):
                seen.setdefault(who, []).append(max(card.days_ago - 0.3 - 0.4 * index, 0.02))
    return seen


def register(commands: Commands) -> None:
    add_command(
        commands, "demo", "Load the French demo collective (energy-renovation artisans)."
    ).set_defaults(run=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    result = with_platform(settings_from(args), load_demo)
    if result.already_loaded:
        print("La collective de démonstration est déjà chargée.")
    else:
        print(f"Collective de démonstration chargée (id {result.collective_id}).")
    print(f"Connectez-vous avec {result.animator_email} / {result.password} (animatrice).")
    return 0
