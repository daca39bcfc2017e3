"""The collective agenda: what the companies' diagnostics say together — the themes where most
are weak, their median maturity, the actions planned on each — and turning one into a
collective step (a meeting or a phase, and a board pre-filled with the question).

Never fewer than five companies (``MIN_COMPANIES``): below, nothing but the number diagnosed,
and a theme is listed only when five companies or more answered it, so no figure is one
company's. A company counts once, by its latest finished diagnostic of the template.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, InvalidInput
from server.core.models import (
    DEFAULT_COLUMNS,
    Board,
    BoardColumn,
    BoardKind,
    Card,
    CardKind,
    Diagnostic,
    DiagnosticStatus,
    Meeting,
    MeetingKind,
    Phase,
    PhaseKind,
    PlanAction,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.access import Action, membership
from server.domain.cards import insert_card
from server.domain.diagnostics.answers import WEAK_BELOW, median_of, theme_scores
from server.domain.diagnostics.schemas import NeedStepIn
from server.domain.meetings import meeting_view
from server.domain.views import board_view, column_view, phase_view
from server.events.kinds import EventKind
from server.events.write import write

MIN_COMPANIES = 5
NEED_TAG = "besoin-"  # the question card of a need made into a step: « besoin-<theme> »


def company_key(diagnostic: Diagnostic) -> str:
    name = diagnostic.company.strip().casefold()
    return f"company:{name}" if name else f"member:{diagnostic.member_id}"


async def latest_by_company(
    session: AsyncSession, collective_id: int, template_key: str
) -> list[Diagnostic]:
    """Each company's latest finished diagnostic of the template."""
    rows = await session.scalars(
        select(Diagnostic)
        .where(
            Diagnostic.collective_id == collective_id,
            Diagnostic.template_key == template_key,
            Diagnostic.status == DiagnosticStatus.done,
        )
        .order_by(Diagnostic.completed_at, Diagnostic.id)
    )
    latest: dict[str, Diagnostic] = {}
    for diagnostic in rows:
        latest[company_key(diagnostic)] = diagnostic
    return list(latest.values())


async def collective_medians(
    session: AsyncSession, collective_id: int, template_key: str
) -> dict[str, float] | None:
    """The median maturity per theme over five companies or more (None below five)."""
    themes = await _themes(session, collective_id, template_key)
    if themes is None:
        return None
    return {t["theme_id"]: t["median"] for t in themes}


async def _themes(
    session: AsyncSession, collective_id: int, template_key: str
) -> list[dict[str, Any]] | None:
    diagnostics = await latest_by_company(session, collective_id, template_key)
    if len(diagnostics) < MIN_COMPANIES:
        return None
    titles: dict[str, str] = {}
    scores: dict[str, list[float]] = {}
    for diagnostic in diagnostics:
        for theme in diagnostic.themes:
            titles.setdefault(theme["id"], theme["title"])
        for theme_id, score in theme_scores(diagnostic.themes, diagnostic.answers).items():
            if score is not None:
                scores.setdefault(theme_id, []).append(score)
    planned: Counter[str] = Counter()
    ids = [d.id for d in diagnostics]
    for planned_on in await session.scalars(
        select(PlanAction.theme_id).where(
            PlanAction.diagnostic_id.in_(ids), PlanAction.theme_id.is_not(None)
        )
    ):
        planned[str(planned_on)] += 1
    out: list[dict[str, Any]] = [
        {
            "theme_id": theme_id,
            "title": titles[theme_id],
            "median": median_of(values),
            "companies": len(values),
            "weak": sum(1 for v in values if v < WEAK_BELOW),
            "actions_planned": planned[theme_id],
        }
        for theme_id, values in scores.items()
        if len(values) >= MIN_COMPANIES
    ]
    out.sort(key=lambda t: (-t["weak"], t["median"], t["title"]))
    return out


async def _templates_used(session: AsyncSession, collective_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Diagnostic.template_key, Diagnostic.template_name).where(
            Diagnostic.collective_id == collective_id,
            Diagnostic.status == DiagnosticStatus.done,
        )
    )
    names: dict[str, str] = {}
    for key, name in rows:
        names[key] = name
    used: list[dict[str, Any]] = []
    for key, name in names.items():
        count = len(await latest_by_company(session, collective_id, key))
        used.append({"id": key, "name": name, "diagnosed": count})
    used.sort(key=lambda t: (-t["diagnosed"], t["name"]))
    return used


async def collective_needs(
    essaim: Essaim, user: User, collective_id: int, template_key: str | None
) -> dict[str, Any]:
    """The needs for one template (by default the one most companies were diagnosed with):
    readable by every role of the collective, as aggregates over five companies or more."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        return await _needs(session, collective_id, template_key)


async def _needs(
    session: AsyncSession, collective_id: int, template_key: str | None
) -> dict[str, Any]:
    used = await _templates_used(session, collective_id)
    if template_key is None and used:
        template_key = used[0]["id"]
    chosen = next((t for t in used if t["id"] == template_key), None)
    diagnosed = chosen["diagnosed"] if chosen else 0
    themes = await _themes(session, collective_id, template_key) if template_key else None
    return {
        "template": chosen,
        "templates": used,
        "diagnosed": diagnosed,
        "minimum": MIN_COMPANIES,
        "available": themes is not None,
        "themes": themes or [],
    }


async def create_step(
    essaim: Essaim, user: User, collective_id: int, theme_id: str, body: NeedStepIn
) -> dict[str, Any]:
    """One click from a shared need to a collective step: a meeting (« Atelier Export :
    7 entreprises concernées ») or a phase, and a board with the question as its first card."""
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        themes = await _themes(w.session, collective_id, body.template_id)
        if themes is None:
            raise Conflict(
                f"the needs show once {MIN_COMPANIES} companies are diagnosed",
                code=ErrorCode.NOT_ENOUGH_DIAGNOSTICS,
            )
        theme = next((t for t in themes if t["theme_id"] == theme_id), None)
        if theme is None:
            raise InvalidInput("unknown theme", fields={"theme_id": "not among the needs"})
        count = theme["weak"] or theme["companies"]
        concerned = (
            f"{count} entreprise{'s' if count > 1 else ''} concernée{'s' if count > 1 else ''}"
        )
        title = f"Atelier {theme['title'].lower()} : {concerned}"
        today = utcnow().astimezone(PARIS).date()
        result: dict[str, Any] = {"theme_id": theme_id, "title": title}
        phase_id = None
        if body.kind == "phase":
            starts = body.starts_on or today
            ends = body.ends_on or starts + timedelta(days=30)
            if ends < starts:
                raise InvalidInput(
                    "the phase ends before it starts", fields={"ends_on": "before starts_on"}
                )
            phase = Phase(
                collective_id=collective_id,
                name=title[:160],
                kind=PhaseKind.collective,
                description=f"Thème des diagnostics : {theme['title']}.",
                starts_on=starts,
                ends_on=ends,
            )
            w.session.add(phase)
            await w.session.flush()
            phase_id = phase.id
            await w.emit(collective_id, EventKind.phase_created, phase_view(phase))
            result["phase_id"] = phase.id
        else:
            now = utcnow()
            meeting = Meeting(
                collective_id=collective_id,
                title=title[:160],
                kind=MeetingKind.workshop,
                held_on=body.held_on or today,
                created_by=user.id,
                created_at=now,
                updated_at=now,
            )
            w.session.add(meeting)
            await w.session.flush()
            await w.emit(collective_id, EventKind.meeting_created, meeting_view(meeting, None, 0))
            result["meeting_id"] = meeting.id
        board = Board(
            collective_id=collective_id,
            name=f"Atelier {theme['title']}"[:160],
            kind=BoardKind.ideas,
            description=(
                f"{theme['companies']} entreprises diagnostiquées, médiane {theme['median']:.0f} %"
                f" ; {theme['weak']} sous la moitié de l'échelle."
            ).replace(".0 %", " %"),
            phase_id=phase_id,
            created_by=user.id,
        )
        w.session.add(board)
        await w.session.flush()
        columns = [
            BoardColumn(board_id=board.id, name=n, position=i)
            for i, n in enumerate(DEFAULT_COLUMNS[BoardKind.ideas])
        ]
        w.session.add_all(columns)
        await w.session.flush()
        view = {**board_view(board), "columns": [column_view(c) for c in columns]}
        await w.emit(collective_id, EventKind.board_created, view, board_id=board.id)
        now = utcnow()
        card = Card(
            collective_id=collective_id,
            board_id=board.id,
            column_id=columns[0].id,
            position=0,
            kind=CardKind.question,
            title=f"Comment progresser ensemble en {theme['title'].lower()} ?"[:200],
            body=(
                f"Les diagnostics montrent un besoin partagé : {concerned} sur"
                f" {theme['companies']}. Proposez vos idées, vos pratiques et vos contacts."
            ),
            tags=["diagnostic", f"{NEED_TAG}{theme_id}"[:40]],
            author_id=user.id,
            created_at=now,
            updated_at=now,
        )
        await insert_card(w, card, user, None)
        result |= {"board_id": board.id, "card_id": card.id}
        return result
