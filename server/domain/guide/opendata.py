"""The practice guide as open data: a JSON document and a CSV table (one row per practice),
under the collective's licence. Images are named by their filename, their bytes stay out."""

from __future__ import annotations

import io
from typing import Any

from server.core.spreadsheet import SpreadsheetWriter
from server.domain.guide.model import Guide, Practice, Section

LICENCE_URLS = {
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
}

CSV_COLUMNS = (
    "id",
    "title",
    "kind",
    "theme",
    "summary",
    "tags",
    "author",
    "context",
    "steps",
    "results",
    "costs",
    "vigilance",
    "contacts",
    "tried_by",
    "images",
    "capitalised_on",
    "collective",
    "licence",
    "licence_url",
)


def licence_url(licence: str) -> str | None:
    """The Creative Commons deed of ``licence``, or None (« Tous droits réservés »)."""
    return LICENCE_URLS.get(licence)


def _practice_json(section: Section, practice: Practice) -> dict[str, Any]:
    return {
        "id": practice.id,
        "title": practice.title,
        "kind": practice.kind,
        "theme": section.title,
        "summary": practice.summary,
        "tags": list(practice.tags),
        "author": practice.author,
        "context": practice.context,
        "steps": list(practice.steps),
        "results": practice.results,
        "costs": practice.costs,
        "vigilance": practice.vigilance,
        "contacts": practice.contacts,
        "tried_by": [{"who": t.who, "comment": t.comment} for t in practice.tried_by],
        "images": [image.filename for image in practice.images],
        "capitalised_on": practice.capitalised_on.isoformat() if practice.capitalised_on else None,
    }


def guide_json(guide: Guide) -> dict[str, Any]:
    """The guide as a JSON-ready dict: the collective, its licence, then every practice."""
    return {
        "collective": guide.collective,
        "territory": guide.territory,
        "funders": list(guide.funders),
        "starts_on": guide.starts_on.isoformat() if guide.starts_on else None,
        "ends_on": guide.ends_on.isoformat() if guide.ends_on else None,
        "made_on": guide.made_on.isoformat(),
        "licence": guide.licence,
        "licence_url": licence_url(guide.licence),
        "practices": [
            _practice_json(section, practice)
            for section in guide.sections
            for practice in section.practices
        ],
    }


def _tried_by(practice: Practice) -> str:
    return "; ".join(f"{t.who}: {t.comment}" if t.comment else t.who for t in practice.tried_by)


def guide_csv(guide: Guide) -> str:
    """The practices as CSV (comma-separated, header first), cells never read as formulas."""
    out = io.StringIO()
    rows = SpreadsheetWriter(out, delimiter=",")
    rows.writerow(CSV_COLUMNS)
    url = licence_url(guide.licence) or ""
    for section in guide.sections:
        for p in section.practices:
            rows.writerow(
                (
                    p.id,
                    p.title,
                    p.kind,
                    section.title,
                    p.summary,
                    ", ".join(p.tags),
                    p.author,
                    p.context,
                    " | ".join(p.steps),
                    p.results,
                    p.costs,
                    p.vigilance,
                    p.contacts,
                    _tried_by(p),
                    ", ".join(image.filename for image in p.images),
                    p.capitalised_on.isoformat() if p.capitalised_on else "",
                    guide.collective,
                    guide.licence,
                    url,
                )
            )
    return out.getvalue()
