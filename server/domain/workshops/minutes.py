"""A workshop's minutes (compte rendu): what it produced — cards by column, votes and their
results, decisions, participants — as French Markdown, and the same as a printable HTML page.

Anonymous cards stay anonymous here for every reader (the minutes travel beyond the room);
observers get the number of participants, not their names; a vote's results appear only once
they are visible (an anonymous or "at close" vote: after its close). Never a ballot.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.markdown import render_markdown
from server.core.models import (
    Attendance,
    Board,
    BoardColumn,
    Card,
    Collective,
    Meeting,
    Moderation,
    Role,
    User,
    Workshop,
    WorkshopTemplate,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.schemas import custom_id
from server.domain.votes.decision import METHOD_NAMES, option_result
from server.domain.votes.methods import Method
from server.domain.votes.views import full_vote_view
from server.domain.workshops.service import (
    participants_of,
    summarise,
    votes_of,
    workshop_for,
)
from server.domain.workshops.templates import BY_KEY

KIND_NAMES = {
    "idea": "idée",
    "practice": "pratique",
    "question": "question",
    "experiment": "expérimentation",
    "document": "document",
    "resource": "ressource",
    "decision": "décision",
}


def _md(text: str) -> str:
    """Text as literal Markdown (no link, emphasis or heading of its own)."""
    for mark in "\\`*_[]<>#|":
        text = text.replace(mark, "\\" + mark)
    return text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n in (0, 1) else many}"


def _when(value: Any) -> str:
    return value.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M") if value else "—"


async def minutes_data(essaim: Essaim, user: User, workshop_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        workshop, member = await workshop_for(session, user, workshop_id)
        named = member.role != Role.observer
        collective = await session.get(Collective, workshop.collective_id)
        board = await session.get(Board, workshop.board_id)
        assert collective is not None and board is not None
        meeting = await session.get(Meeting, workshop.meeting_id) if workshop.meeting_id else None
        people = await participants_of(session, workshop.id)
        present = await _present(session, meeting) if meeting else []
        # Read now, not as frozen at the end: a vote of the workshop closed since counts.
        summary = await summarise(session, workshop)
        method = await _method_name(session, workshop.template)
        return {
            "collective": collective.name,
            "board": {"id": board.id, "name": board.name},
            "title": workshop.title,
            "method": method,
            "status": workshop.status,
            "started_at": _when(workshop.started_at),
            "ended_at": _when(workshop.ended_at) if workshop.ended_at else None,
            "meeting": {"title": meeting.title, "held_on": meeting.held_on.strftime("%d/%m/%Y")}
            if meeting
            else None,
            "steps": [
                {"title": s.get("title", ""), "minutes": s.get("minutes", 0)}
                for s in workshop.steps
            ],
            "participant_count": len(people),
            "participants": [u.display_name for u in people] if named else None,
            "present": [u.display_name for u in present] if named else None,
            "present_count": len(present),
            "columns": await _cards(session, workshop),
            "votes": await _votes(session, workshop),
            "decisions": summary.get("decisions", []),
            "card_count": summary.get("cards", 0),
        }


async def _method_name(session: AsyncSession, key: str) -> str:
    if key in BY_KEY:
        return BY_KEY[key].name
    found = custom_id(key)
    saved = await session.get(WorkshopTemplate, found) if found else None
    return saved.name if saved else "méthode enregistrée"


async def _present(session: AsyncSession, meeting: Meeting) -> list[User]:
    return list(
        await session.scalars(
            select(User)
            .join(Attendance, Attendance.user_id == User.id)
            .where(Attendance.meeting_id == meeting.id)
            .order_by(User.display_name, User.id)
        )
    )


async def _cards(session: AsyncSession, workshop: Workshop) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Card, BoardColumn.name, User.display_name)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .join(User, User.id == Card.author_id)
        .where(Card.workshop_id == workshop.id, Card.moderation == Moderation.published)
        .order_by(BoardColumn.position, Card.position, Card.id)
    )
    columns: dict[str, list[dict[str, Any]]] = {}
    for card, column, author in rows:
        columns.setdefault(column, []).append(
            {
                "id": card.id,
                "title": card.title,
                "kind": card.kind,
                "author": None if card.anonymous else author,
            }
        )
    return [{"name": name, "cards": cards} for name, cards in columns.items()]


async def _votes(session: AsyncSession, workshop: Workshop) -> list[dict[str, Any]]:
    out = []
    for vote in await session.scalars(votes_of(workshop)):
        view = await full_vote_view(session, vote)
        method = Method(vote.method)
        results = view.get("results")
        rows = {int(r["id"]): r for r in (results or {}).get("options", [])}
        winners = set((results or {}).get("winner", []))
        out.append(
            {
                "id": vote.id,
                "title": vote.title,
                "method": METHOD_NAMES[method],
                "status": view["status"],
                "turnout": view["turnout"],
                "options": [
                    {
                        "label": o["label"],
                        "result": option_result(method, rows[o["id"]]) if o["id"] in rows else None,
                        "winner": o["id"] in winners,
                    }
                    for o in view["options"]
                ],
                "results_shown": results is not None,
            }
        )
    return out


def minutes_markdown(data: dict[str, Any]) -> str:
    lines = [
        f"# Compte rendu — {_md(data['title'])}",
        "",
        f"**Collectif :** {_md(data['collective'])}  ",
        f"**Tableau :** {_md(data['board']['name'])}  ",
        f"**Méthode :** {_md(data['method'])}  ",
        f"**Début :** {data['started_at']}  ",
        f"**Fin :** {data['ended_at'] or 'atelier en cours'}",
    ]
    if data["meeting"]:
        meeting = data["meeting"]
        lines += ["", f"Rencontre : {_md(meeting['title'])}, le {meeting['held_on']}."]
    lines += ["", "## Déroulé", ""]
    lines += [
        f"{i}. {_md(s['title'])} ({s['minutes']} min)" for i, s in enumerate(data["steps"], 1)
    ]
    lines += ["", "## Participants", ""]
    count = _plural(data["participant_count"], "personne a rejoint", "personnes ont rejoint")
    lines.append(f"{count} l'atelier.")
    if data["participants"]:
        lines += ["", *(f"- {_md(name)}" for name in data["participants"])]
    if data["present"] is not None and data["present_count"]:
        present = ", ".join(_md(n) for n in data["present"])
        lines += ["", f"Présence confirmée par l'animation : {present}."]
    elif data["present_count"]:
        lines += ["", f"Présence confirmée : {data['present_count']} personnes."]
    lines += ["", f"## Fiches ({data['card_count']})", ""]
    if not data["columns"]:
        lines.append("Aucune fiche n'a été publiée pendant l'atelier.")
    for column in data["columns"]:
        lines += [f"### {_md(column['name'])}", ""]
        for card in column["cards"]:
            kind = KIND_NAMES.get(card["kind"], card["kind"])
            who = _md(card["author"]) if card["author"] else "anonyme"
            lines.append(f"- [{_md(card['title'])}](/cards/{card['id']}) — {kind}, {who}")
        lines.append("")
    lines += ["## Votes", ""]
    if not data["votes"]:
        lines.append("Aucun vote pendant l'atelier.")
    for vote in data["votes"]:
        state = "clos" if vote["status"] == "closed" else "ouvert"
        voters = _plural(vote["turnout"], "votant·e", "votant·es")
        lines += [f"### {_md(vote['title'])}", "", f"{vote['method']}, {state}, {voters}.", ""]
        if not vote["results_shown"]:
            lines += ["Résultats à la clôture du vote.", ""]
            continue
        for option in vote["options"]:
            mark = " **(retenue)**" if option["winner"] else ""
            lines.append(f"- {_md(option['label'])} : {option['result'] or '—'}{mark}")
        lines.append("")
    lines += ["## Décisions", ""]
    if not data["decisions"]:
        lines.append("Aucune décision n'a été prise.")
    lines += [f"- [{_md(d['title'])}](/cards/{d['card_id']})" for d in data["decisions"]]
    return "\n".join(lines).rstrip() + "\n"


PRINT_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; max-width: 48rem;
  margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #c9ced6;
  padding-bottom: .2rem; margin-top: 2rem; } h3 { font-size: 1.05rem; }
a { color: #0b4f9c; } strong { font-weight: 650; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def minutes_html(data: dict[str, Any], base_url: str = "") -> str:
    """A self-contained printable page (inline style, no script): the Markdown, rendered by
    the one sanitising renderer; links to cards made absolute when ``base_url`` is given."""
    body = render_markdown(minutes_markdown(data))
    if base_url:
        body = body.replace('href="/cards/', f'href="{escape(base_url)}/cards/')
    title = escape(f"Compte rendu — {data['title']}")
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{PRINT_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
