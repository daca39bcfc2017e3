"""Diagnostic templates, diagnostics of companies and their action plans.

    action                          animator  company's members  other member  observer  outsider
    templates: list, read           yes       yes                yes           yes       404
    templates: create, edit         yes       403                403           403       404
    diagnostic: create, answer      yes       403 (read only)    404           404       404
    diagnostic: read, export        yes       yes                404           404       404
    list the collective's           all       their company's    none          403       404
    plan: read, add, edit actions   yes       yes                404           404       404

A diagnostic is the company's and the animators': anyone else of the collective gets 404, as
an outsider does, so its existence is not told. Who belongs to the company is fixed by an
animator (``company_user_ids``; members who gave the same organisation are only suggested),
never by a member editing their own profile, and leaving the collective leaves its companies.
Diagnostics and plans append no event to the collective's log: even a redacted one would tell
members and observers that a diagnostic was made or finished, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from server.core.models import (
    ActionStatus,
    Card,
    Diagnostic,
    DiagnosticStatus,
    DiagnosticTemplate,
    Membership,
    Moderation,
    PlanAction,
    Role,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.access import Action, is_animator, membership
from server.domain.diagnostics.answers import merge_answers, theme_scores, unanswered_scales
from server.domain.diagnostics.catalogue import SHIPPED
from server.domain.diagnostics.needs import collective_medians
from server.domain.diagnostics.schemas import (
    ActionIn,
    ActionPatch,
    DiagnosticIn,
    DiagnosticPatch,
    TemplateIn,
    TemplatePatch,
)
from server.domain.schemas import custom_id, patch_values
from server.domain.views import iso, user_view
from server.events.write import lock_collective, write

CUSTOM = "custom-"

# --- templates -------------------------------------------------------------------------------


def shipped_view(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": template["key"],
        "name": template["name"],
        "description": template["description"],
        "version": template["version"],
        "themes": template["themes"],
        "shipped": True,
        "collective_id": None,
    }


def template_view(template: DiagnosticTemplate) -> dict[str, Any]:
    return {
        "id": f"{CUSTOM}{template.id}",
        "name": template.name,
        "description": template.description,
        "version": template.version,
        "themes": template.themes,
        "shipped": False,
        "collective_id": template.collective_id,
        "updated_at": iso(template.updated_at),
    }


async def _own_template(session: AsyncSession, key: str) -> DiagnosticTemplate | None:
    found = custom_id(key)
    return await session.get(DiagnosticTemplate, found) if found else None


async def list_templates(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        own = await session.scalars(
            select(DiagnosticTemplate)
            .where(DiagnosticTemplate.collective_id == collective_id)
            .order_by(DiagnosticTemplate.created_at, DiagnosticTemplate.id)
        )
        return [shipped_view(t) for t in SHIPPED.values()] + [template_view(t) for t in own]


async def get_template(essaim: Essaim, user: User, key: str) -> dict[str, Any]:
    """A shipped template (readable by any signed-in user) or a collective's own (its
    members only: 404 for others)."""
    if key in SHIPPED:
        return shipped_view(SHIPPED[key])
    async with essaim.db.read() as session:
        template = await _own_template(session, key)
        if template is None:
            raise NotFound("diagnostic template")
        try:
            await membership(session, user, template.collective_id)
        except NotFound:
            raise NotFound("diagnostic template") from None
        return template_view(template)


def _themes(body: TemplateIn | TemplatePatch) -> list[dict[str, Any]]:
    return [t.model_dump() for t in body.themes or []]


async def create_template(
    essaim: Essaim, user: User, collective_id: int, body: TemplateIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        now = utcnow()
        template = DiagnosticTemplate(
            collective_id=collective_id,
            name=body.name,
            description=body.description,
            version=1,
            themes=_themes(body),
            created_by=user.id,
            created_at=now,
            updated_at=now,
        )
        w.session.add(template)
        await w.session.flush()
        return template_view(template)


async def update_template(
    essaim: Essaim, user: User, key: str, body: TemplatePatch
) -> dict[str, Any]:
    """A new version of the collective's template; shipped ones are not edited (403)."""
    if key in SHIPPED:
        raise Forbidden("a shipped template is not edited: build your own from it")
    async with write(essaim, user) as w:
        template = await _own_template(w.session, key)
        if template is None:
            raise NotFound("diagnostic template")
        await lock_collective(w.session, template.collective_id, reread=template)
        try:
            await membership(w.session, user, template.collective_id, Action.manage)
        except NotFound:
            raise NotFound("diagnostic template") from None
        values = patch_values(body)
        before = (template.name, template.description, template.themes)
        if "name" in values:
            template.name = str(values["name"])
        if "description" in values:
            template.description = str(values["description"])
        if body.themes is not None:
            template.themes = _themes(body)
        if (template.name, template.description, template.themes) != before:
            template.version += 1
            template.updated_at = utcnow()
        await w.session.flush()
        return template_view(template)


async def _template_content(
    session: AsyncSession, collective_id: int, key: str
) -> tuple[str, int, list[dict[str, Any]]]:
    if key in SHIPPED:
        shipped = SHIPPED[key]
        return shipped["name"], shipped["version"], shipped["themes"]
    own = await _own_template(session, key)
    if own is None or own.collective_id != collective_id:
        names = ", ".join(SHIPPED)
        raise InvalidInput(
            "unknown diagnostic template", fields={"template_id": f"{names} or custom-<id>"}
        )
    return own.name, own.version, own.themes


# --- who sees a diagnostic -------------------------------------------------------------------


def may_see(diagnostic: Diagnostic, user_id: int, member: Membership) -> bool:
    """Whether the member ``user_id`` (whose membership is ``member``) sees the diagnostic."""
    return is_animator(member) or (
        member.role != Role.observer and user_id in diagnostic.company_user_ids
    )


async def diagnostic_for(
    session: AsyncSession, user: User, diagnostic_id: int, *, manage: bool = False
) -> tuple[Diagnostic, Membership]:
    """The diagnostic if ``user`` may see it (``manage``: may answer it: animators only, 403
    for the company); 404 for everyone else, outsiders and other members alike."""
    diagnostic = await session.get(Diagnostic, diagnostic_id)
    if diagnostic is None:
        raise NotFound("diagnostic")
    await lock_collective(session, diagnostic.collective_id, reread=diagnostic)
    try:
        member = await membership(session, user, diagnostic.collective_id)
    except NotFound:
        raise NotFound("diagnostic") from None
    if not may_see(diagnostic, user.id, member):
        raise NotFound("diagnostic")
    if manage and not is_animator(member):
        raise Forbidden("animators fill in diagnostics, with the company")
    return diagnostic, member


async def _company(
    session: AsyncSession, collective_id: int, member_id: int, chosen: Sequence[int] | None
) -> tuple[str, list[int]]:
    """The company's name and people: the diagnosed member first, then ``chosen`` (members,
    not observers, of the collective). Nobody else by default: a colleague who gave the same
    organisation is only suggested to the animator (``company_suggestions``), since anyone
    may type any organisation in their own profile."""
    diagnosed = await session.scalar(
        select(Membership).where(
            Membership.collective_id == collective_id, Membership.user_id == member_id
        )
    )
    if diagnosed is None or diagnosed.role == Role.observer:
        raise InvalidInput(
            "only a member of this collective is diagnosed",
            fields={"member_id": "not a member of this collective"},
        )
    name = diagnosed.organisation.strip()
    people = (
        await session.scalars(
            select(Membership).where(
                Membership.collective_id == collective_id, Membership.role != Role.observer
            )
        )
    ).all()
    members = {m.user_id: m for m in people}
    chosen = chosen or []
    unknown = {
        f"company_user_ids.{i}": "not a member of this collective"
        for i, uid in enumerate(chosen)
        if uid not in members
    }
    if unknown:
        raise InvalidInput("the company's people must be members here", fields=unknown)
    return name, [member_id, *[u for u in dict.fromkeys(chosen) if u != member_id]]


# --- views -----------------------------------------------------------------------------------


def diagnostic_view(
    diagnostic: Diagnostic,
    people: dict[int, User],
    actions: Sequence[PlanAction],
    medians: dict[str, float] | None = None,
) -> dict[str, Any]:
    """``medians``: the collective's median per theme (five companies or more), else None."""
    scores = theme_scores(diagnostic.themes, diagnostic.answers)
    member = people.get(diagnostic.member_id)
    return {
        "id": diagnostic.id,
        "collective_id": diagnostic.collective_id,
        "member": user_view(member) if member else None,
        "company": diagnostic.company,
        "company_members": [
            user_view(people[u]) for u in diagnostic.company_user_ids if u in people
        ],
        "template": {
            "id": diagnostic.template_key,
            "name": diagnostic.template_name,
            "version": diagnostic.template_version,
        },
        "themes": diagnostic.themes,
        "answers": diagnostic.answers,
        "scores": [
            {
                "theme_id": t["id"],
                "title": t["title"],
                "score": scores[t["id"]],
                "median": medians.get(t["id"]) if medians else None,
            }
            for t in diagnostic.themes
        ],
        "collective_median_shown": medians is not None,
        "status": diagnostic.status,
        "version": diagnostic.version,
        "actions": [action_view(a, people, theme_titles(diagnostic)) for a in actions],
        "created_at": iso(diagnostic.created_at),
        "updated_at": iso(diagnostic.updated_at),
        "completed_at": iso(diagnostic.completed_at),
    }


def theme_titles(diagnostic: Diagnostic) -> dict[str, str]:
    return {t["id"]: t["title"] for t in diagnostic.themes}


def action_view(
    action: PlanAction, people: dict[int, User], themes: dict[str, str]
) -> dict[str, Any]:
    """``themes``: the diagnostic's theme titles by id."""
    owner = people.get(action.owner_id) if action.owner_id else None
    return {
        "id": action.id,
        "diagnostic_id": action.diagnostic_id,
        "collective_id": action.collective_id,
        "title": action.title,
        "theme_id": action.theme_id,
        "theme_title": themes.get(action.theme_id) if action.theme_id else None,
        "owner": user_view(owner) if owner else None,
        "due_on": iso(action.due_on),
        "status": action.status,
        "notes": action.notes,
        "card_ids": list(action.card_ids),
        "version": action.version,
        "created_at": iso(action.created_at),
        "updated_at": iso(action.updated_at),
    }


async def _people(session: AsyncSession, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in await session.scalars(select(User).where(User.id.in_(ids)))}


async def _actions(session: AsyncSession, diagnostic_id: int) -> list[PlanAction]:
    return list(
        await session.scalars(
            select(PlanAction)
            .where(PlanAction.diagnostic_id == diagnostic_id)
            .order_by(PlanAction.due_on.is_(None), PlanAction.due_on, PlanAction.id)
        )
    )


async def full_view(
    session: AsyncSession, diagnostic: Diagnostic, *, animator: bool = False
) -> dict[str, Any]:
    """The diagnostic with its plan and medians; ``animator``: with the company's suggested
    colleagues (members who gave the same organisation, not in it yet) for them to confirm."""
    actions = await _actions(session, diagnostic.id)
    ids = {diagnostic.member_id, *diagnostic.company_user_ids}
    ids |= {a.owner_id for a in actions if a.owner_id}
    medians = await collective_medians(session, diagnostic.collective_id, diagnostic.template_key)
    view = diagnostic_view(diagnostic, await _people(session, ids), actions, medians)
    if animator:
        view["company_suggestions"] = await _suggestions(session, diagnostic)
    return view


async def _suggestions(session: AsyncSession, diagnostic: Diagnostic) -> list[dict[str, Any]]:
    name = diagnostic.company.strip().casefold()
    if not name:
        return []
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.collective_id == diagnostic.collective_id,
            Membership.role != Role.observer,
        )
        .order_by(User.display_name, User.id)
    )
    return [
        user_view(u)
        for m, u in rows
        if m.organisation.strip().casefold() == name and u.id not in diagnostic.company_user_ids
    ]


async def forget_member(session: AsyncSession, collective_id: int, user_id: int) -> None:
    """Someone left the collective: they leave its companies too (coming back, an animator
    names them again), and no action of a plan stays theirs."""
    for diagnostic in await session.scalars(
        select(Diagnostic).where(Diagnostic.collective_id == collective_id)
    ):
        if user_id in diagnostic.company_user_ids:
            diagnostic.company_user_ids = [u for u in diagnostic.company_user_ids if u != user_id]
    for action in await session.scalars(
        select(PlanAction).where(
            PlanAction.collective_id == collective_id, PlanAction.owner_id == user_id
        )
    ):
        action.owner_id = None


# --- diagnostics -----------------------------------------------------------------------------


async def create_diagnostic(
    essaim: Essaim, user: User, collective_id: int, body: DiagnosticIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        name, version, themes = await _template_content(w.session, collective_id, body.template_id)
        company, people = await _company(
            w.session, collective_id, body.member_id, body.company_user_ids
        )
        now = utcnow()
        diagnostic = Diagnostic(
            collective_id=collective_id,
            member_id=body.member_id,
            company=company,
            company_user_ids=people,
            template_key=body.template_id,
            template_name=name,
            template_version=version,
            themes=themes,
            answers={},
            status=DiagnosticStatus.draft,
            version=1,
            created_by=user.id,
            created_at=now,
            updated_at=now,
        )
        w.session.add(diagnostic)
        await w.session.flush()
        return await full_view(w.session, diagnostic, animator=True)


async def get_diagnostic(essaim: Essaim, user: User, diagnostic_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        diagnostic, member = await diagnostic_for(session, user, diagnostic_id)
        return await full_view(session, diagnostic, animator=is_animator(member))


async def list_diagnostics(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """Animators: every diagnostic of the collective; a member: their company's; observers:
    403 (they read the needs, aggregates over five companies or more)."""
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        if member.role == Role.observer:
            raise Forbidden("observers see the collective's needs, not diagnostics")
        rows = await session.scalars(
            select(Diagnostic)
            .where(Diagnostic.collective_id == collective_id)
            .order_by(Diagnostic.created_at.desc(), Diagnostic.id.desc())
        )
        visible = [d for d in rows if may_see(d, user.id, member)]
        return [await full_view(session, d, animator=is_animator(member)) for d in visible]


async def update_diagnostic(
    essaim: Essaim, user: User, diagnostic_id: int, body: DiagnosticPatch
) -> dict[str, Any]:
    """Save answers (merged: a draft saved as one types), finish it or reopen it; a stale
    ``version`` gets 409 with the current diagnostic, and nothing is written."""
    async with write(essaim, user) as w:
        diagnostic, _ = await diagnostic_for(w.session, user, diagnostic_id, manage=True)
        if diagnostic.version != body.version:
            raise Conflict(
                "the diagnostic changed since you loaded it",
                code=ErrorCode.VERSION_CONFLICT,
                extra={"current": await full_view(w.session, diagnostic, animator=True)},
            )
        answers = diagnostic.answers
        if body.answers is not None:
            answers = merge_answers(diagnostic.themes, diagnostic.answers, body.answers)
        status = body.status or diagnostic.status
        if status == DiagnosticStatus.done:
            missing = unanswered_scales(diagnostic.themes, answers)
            if missing:
                raise InvalidInput(
                    "answer every level question before finishing",
                    fields={f"answers.{q}": "not answered yet" for q in missing},
                )
        if body.company_user_ids is not None:
            _, diagnostic.company_user_ids = await _company(
                w.session, diagnostic.collective_id, diagnostic.member_id, body.company_user_ids
            )
        diagnostic.answers = answers
        if status != diagnostic.status:
            diagnostic.completed_at = utcnow() if status == DiagnosticStatus.done else None
        diagnostic.status = status
        diagnostic.version += 1
        diagnostic.updated_at = utcnow()
        await w.session.flush()
        return await full_view(w.session, diagnostic, animator=True)


# --- the action plan -------------------------------------------------------------------------


async def _check_action(
    session: AsyncSession,
    diagnostic: Diagnostic,
    *,
    theme_id: str | None,
    owner_id: int | None,
    card_ids: Sequence[int] | None,
) -> None:
    problems: dict[str, str] = {}
    if theme_id is not None and theme_id not in {t["id"] for t in diagnostic.themes}:
        problems["theme_id"] = "no such theme in this diagnostic"
    if owner_id is not None:
        owner = await session.scalar(
            select(Membership).where(
                Membership.collective_id == diagnostic.collective_id,
                Membership.user_id == owner_id,
            )
        )
        if owner is None or not (
            owner.role == Role.animator or owner_id in diagnostic.company_user_ids
        ):
            problems["owner_id"] = "someone of the company, or an animator"
    if card_ids:
        found = set(
            await session.scalars(
                select(Card.id).where(
                    Card.id.in_(card_ids),
                    Card.collective_id == diagnostic.collective_id,
                    Card.moderation == Moderation.published,
                )
            )
        )
        if missing := [c for c in card_ids if c not in found]:
            names = ", ".join(map(str, missing))
            problems["card_ids"] = f"no card {names} in this collective"
    if problems:
        raise InvalidInput("the action does not fit this plan", fields=problems)


def _check_due(due_on: date | None, created: date) -> None:
    if due_on is not None and due_on < created:
        raise InvalidInput(
            "an action is not due before it was planned", fields={"due_on": "before today"}
        )


async def list_actions(essaim: Essaim, user: User, diagnostic_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        diagnostic, _ = await diagnostic_for(session, user, diagnostic_id)
        actions = await _actions(session, diagnostic.id)
        people = await _people(session, {a.owner_id for a in actions if a.owner_id})
        return [action_view(a, people, theme_titles(diagnostic)) for a in actions]


async def create_action(
    essaim: Essaim, user: User, diagnostic_id: int, body: ActionIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        diagnostic, _ = await diagnostic_for(w.session, user, diagnostic_id)
        await _check_action(
            w.session,
            diagnostic,
            theme_id=body.theme_id,
            owner_id=body.owner_id,
            card_ids=body.card_ids,
        )
        now = utcnow()
        _check_due(body.due_on, now.astimezone(PARIS).date())
        action = PlanAction(
            diagnostic_id=diagnostic.id,
            collective_id=diagnostic.collective_id,
            title=body.title,
            theme_id=body.theme_id,
            owner_id=body.owner_id,
            due_on=body.due_on,
            status=body.status,
            status_changed_at=now,
            notes=body.notes,
            card_ids=list(dict.fromkeys(body.card_ids)),
            version=1,
            created_by=user.id,
            created_at=now,
            updated_at=now,
        )
        w.session.add(action)
        await w.session.flush()
        people = await _people(w.session, {body.owner_id} if body.owner_id else set())
        return action_view(action, people, theme_titles(diagnostic))


async def action_for(
    session: AsyncSession, user: User, action_id: int
) -> tuple[PlanAction, Diagnostic]:
    action = await session.get(PlanAction, action_id)
    if action is None:
        raise NotFound("action")
    try:
        diagnostic, _ = await diagnostic_for(session, user, action.diagnostic_id)
    except NotFound:
        raise NotFound("action") from None
    await session.refresh(action)  # read again under the collective's lock
    return action, diagnostic


async def get_action(essaim: Essaim, user: User, action_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        action, diagnostic = await action_for(session, user, action_id)
        people = await _people(session, {action.owner_id} if action.owner_id else set())
        return action_view(action, people, theme_titles(diagnostic))


async def update_action(
    essaim: Essaim, user: User, action_id: int, body: ActionPatch
) -> dict[str, Any]:
    values = patch_values(body, nullable=frozenset({"theme_id", "owner_id", "due_on"}))
    values.pop("version", None)
    async with write(essaim, user) as w:
        action, diagnostic = await action_for(w.session, user, action_id)
        people = await _people(w.session, {action.owner_id} if action.owner_id else set())
        if action.version != body.version:
            raise Conflict(
                "the action changed since you loaded it",
                code=ErrorCode.VERSION_CONFLICT,
                extra={"current": action_view(action, people, theme_titles(diagnostic))},
            )
        await _check_action(
            w.session,
            diagnostic,
            theme_id=body.theme_id,
            owner_id=body.owner_id,
            card_ids=body.card_ids,
        )
        if "due_on" in values:
            _check_due(body.due_on, action.created_at.astimezone(PARIS).date())
        if "status" in values and values["status"] != action.status:
            action.status_changed_at = utcnow()
        for key, value in values.items():
            setattr(action, key, value)
        if body.card_ids is not None:
            action.card_ids = list(dict.fromkeys(body.card_ids))
        if "due_on" in values:
            action.reminded_on = None  # a new date gets its own reminder
        action.version += 1
        action.updated_at = utcnow()
        await w.session.flush()
        people = await _people(w.session, {action.owner_id} if action.owner_id else set())
        return action_view(action, people, theme_titles(diagnostic))


def is_open(action: PlanAction) -> bool:
    return action.status in (ActionStatus.todo, ActionStatus.doing)


async def count_actions(session: AsyncSession, collective_id: int) -> dict[str, int]:
    """The collective's actions by status (aggregates, for the panel and the report)."""
    rows = await session.execute(
        select(PlanAction.status, func.count())
        .where(PlanAction.collective_id == collective_id)
        .group_by(PlanAction.status)
    )
    return {str(status): int(n) for status, n in rows}
