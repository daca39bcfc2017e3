"""A company's diagnostic and plan to take away: JSON (the API's view) and a printable page
(the radar, the answers, the plan), which WeasyPrint turns into the PDF."""

from __future__ import annotations

from html import escape
from typing import Any

from server.core.errors import PdfUnavailable
from server.core.models import User
from server.core.platform import Essaim
from server.domain.diagnostics.catalogue import SCALE_MAX
from server.domain.diagnostics.radar import radar_svg
from server.domain.diagnostics.service import diagnostic_for, full_view

STATUS_NAMES = {"todo": "à faire", "doing": "en cours", "done": "fait", "dropped": "abandonné"}

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font: 11pt/1.45 system-ui, "DejaVu Sans", sans-serif; color: #1b1f24; max-width: 48rem;
  margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 18pt; margin: 0 0 .2rem; } h2 { font-size: 13pt; margin-top: 1.4rem;
  border-bottom: 1px solid #c9ced6; padding-bottom: .15rem; } h3 { font-size: 11.5pt; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #c9ced6; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; } .radar { text-align: center; } .radar svg { max-width: 100%;
  height: auto; } .muted { color: #4a5260; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; } }
"""


async def export_data(essaim: Essaim, user: User, diagnostic_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        diagnostic, _ = await diagnostic_for(session, user, diagnostic_id)
        return await full_view(session, diagnostic)


def radar_of(view: dict[str, Any]) -> str:
    company = view["company"] or (view["member"] or {}).get("display_name", "")
    title = f"Maturité par thème — {company}"
    return radar_svg(title, view["scores"])


def _answer(question: dict[str, Any], value: Any) -> str:
    if value is None:
        return "—"
    if question["kind"] in SCALE_MAX:
        top = SCALE_MAX[question["kind"]]
        level = question["levels"][value - 1] if value - 1 < len(question["levels"]) else ""
        return f"{value} / {top} — {level}"
    if question["kind"] == "yesno":
        return "oui" if value else "non"
    if question["kind"] == "number":
        unit = question.get("unit", "")
        return (
            f"{value:g} {unit}".strip() if isinstance(value, float) else f"{value} {unit}".strip()
        )
    return str(value)


def export_html(view: dict[str, Any]) -> str:
    company = view["company"] or (view["member"] or {}).get("display_name", "")
    status = "terminé" if view["status"] == "done" else "brouillon"
    rows = []
    for score in view["scores"]:
        value = "—" if score["score"] is None else f"{score['score']:.0f} %"
        median = "" if score["median"] is None else f"{score['median']:.0f} %"
        cells = f"<td>{escape(score['title'])}</td><td>{value}</td>"
        if view["collective_median_shown"]:
            cells += f"<td>{median}</td>"
        rows.append(f"<tr>{cells}</tr>")
    median_head = "<th>Médiane du collectif</th>" if view["collective_median_shown"] else ""
    answers = []
    for theme in view["themes"]:
        answers.append(f"<h3>{escape(theme['title'])}</h3><table>")
        answers.append("<tr><th>Question</th><th>Réponse</th></tr>")
        for question in theme["questions"]:
            value = _answer(question, view["answers"].get(question["id"]))
            answers.append(f"<tr><td>{escape(question['text'])}</td><td>{escape(value)}</td></tr>")
        answers.append("</table>")
    themes = {t["id"]: t["title"] for t in view["themes"]}
    plan = []
    for action in view["actions"]:
        owner = (action["owner"] or {}).get("display_name", "—")
        plan.append(
            "<tr>"
            f"<td>{escape(action['title'])}</td>"
            f"<td>{escape(themes.get(action['theme_id'] or '', '—'))}</td>"
            f"<td>{escape(owner)}</td>"
            f"<td>{escape(action['due_on'] or '—')}</td>"
            f"<td>{STATUS_NAMES.get(action['status'], action['status'])}</td>"
            "</tr>"
        )
    plan_table = (
        "<table><tr><th>Action</th><th>Thème</th><th>Responsable</th><th>Échéance</th>"
        "<th>État</th></tr>" + "".join(plan) + "</table>"
        if plan
        else '<p class="muted">Aucune action pour l\'instant.</p>'
    )
    note = (
        ""
        if view["collective_median_shown"]
        else '<p class="muted">La médiane du collectif s\'affiche à partir de cinq entreprises'
        " diagnostiquées.</p>"
    )
    title = f"Diagnostic — {company}"
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="muted">{escape(view["template"]["name"])} (version'
        f" {view['template']['version']}), {status}.</p>\n"
        f'<h2>Maturité par thème</h2>\n<div class="radar">{radar_of(view)}</div>\n'
        f"<table><tr><th>Thème</th><th>Maturité</th>{median_head}</tr>{''.join(rows)}</table>\n"
        f"{note}\n<h2>Réponses</h2>\n{''.join(answers)}\n"
        f"<h2>Plan d'action</h2>\n{plan_table}\n</main>\n</body>\n</html>\n"
    )


def export_pdf(page: str) -> bytes:
    """The printable page as PDF (WeasyPrint; blocking: run it in a thread). Imported here,
    so that the server starts without Pango on a machine that never exports a PDF."""
    try:
        from weasyprint import HTML
    except (OSError, ImportError) as missing:  # cffi could not load Pango
        raise PdfUnavailable("this server cannot make PDFs: use format=html") from missing
    pdf: bytes = HTML(string=page).write_pdf()
    return pdf
