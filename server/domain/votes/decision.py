"""The body of a decision card: what was asked, how, who took part and what won, in French
Markdown, with links to the chosen cards (what the search finds and the report quotes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.core.models import Vote, VoteOption
from server.domain.votes.methods import GRADE_LABELS, Grade, Method

DECISIONS_BOARD = "Décisions"

METHOD_NAMES = {
    Method.dot: "vote par points",
    Method.majority: "jugement majoritaire",
    Method.approval: "vote par approbation",
    Method.score: "vote par notes (de 1 à 5)",
    Method.consent: "décision par consentement",
}


def _escape(text: str) -> str:
    """A label as literal Markdown text (no link, emphasis or heading of its own)."""
    for mark in "\\`*_[]<>#|":
        text = text.replace(mark, "\\" + mark)
    return text


def option_name(option: VoteOption) -> str:
    label = _escape(option.label)
    return f"[{label}](/cards/{option.card_id})" if option.card_id else label


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n in (0, 1) else many}"


def option_result(method: Method, row: Mapping[str, Any]) -> str:
    """One option's line of the result, in words."""
    if method in (Method.dot, Method.approval):
        count = int(row.get("count", row.get("total", 0)) or 0)
        unit = ("point", "points") if method == Method.dot else ("approbation", "approbations")
        return _plural(count, *unit)
    if method == Method.score:
        mean = row.get("mean")
        return f"moyenne {mean:.2f} / 5".replace(".", ",") if mean is not None else "aucune note"
    if method == Method.majority:
        grade = str(row.get("median_grade"))
        name = GRADE_LABELS[Grade(grade)] if grade in Grade.__members__ else "aucune"
        return f"mention majoritaire : {name}"
    tally = row.get("counts", {})
    counts = [
        _plural(int(tally.get("agree", 0)), "d'accord", "d'accord"),
        _plural(int(tally.get("reserve", 0)), "réserve", "réserves"),
        _plural(int(tally.get("object", 0)), "objection", "objections"),
    ]
    return ", ".join(counts)


def decision_markdown(vote: Vote, options: list[VoteOption], results: Mapping[str, Any]) -> str:
    method = Method(vote.method)
    by_id = {o.id: o for o in options}
    rows = {int(r["id"]): r for r in results.get("options", [])}
    voters = int(results.get("turnout", 0))
    how = METHOD_NAMES[method]
    if method == Method.dot:
        how += f" ({_plural(vote.budget, 'point', 'points')} par personne)"
    lines = [
        f"**Question :** {_escape(vote.title)}",
        "",
        f"**Méthode :** {how}, vote {'anonyme' if vote.anonymous else 'à bulletins nominatifs'}",
        "",
        f"**Participation :** {_plural(voters, 'votant·e', 'votant·es')} (vote n° {vote.id})",
        "",
        "## Résultat",
        "",
    ]
    lines += [f"- {option_name(o)} : {option_result(method, rows.get(o.id, {}))}" for o in options]
    winners = [by_id[i] for i in results.get("winner", []) if i in by_id]
    lines += ["", "## Décision", ""]
    if method == Method.consent:
        proposal = option_name(options[0])
        if winners:
            lines.append(f"Proposition adoptée, sans objection : {proposal}")
        else:
            lines.append(f"Proposition non adoptée : {proposal}")
    elif winners:
        chosen = ", ".join(option_name(o) for o in winners)
        lines.append(f"{'Retenues' if len(winners) > 1 else 'Retenue'} : {chosen}")
    else:
        lines.append("Aucune option retenue (aucun bulletin).")
    return "\n".join(lines) + "\n"
