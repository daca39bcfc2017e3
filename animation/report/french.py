"""How the report reads in French: dates, months and figures (decimal comma, rates as
percentages), shared by its CSV and its printable page."""

from __future__ import annotations

from datetime import date
from typing import Any

from server.core.spreadsheet import cell

MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def french_date(value: str) -> str:
    """``2026-03-05`` → ``5 mars 2026``."""
    day = date.fromisoformat(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def french_month(value: str) -> str:
    """``2026-03`` → ``mars 2026``."""
    year, month = value.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def period_label(period: dict[str, str]) -> str:
    """``du 5 mars 2026 au 4 juin 2026``."""
    return f"du {french_date(period['from'])} au {french_date(period['to'])}"


def figure(value: Any, unit: str = "") -> float | int | None:
    """A figure as shown: rates as percentages."""
    if value is None or unit != "%":
        return value  # type: ignore[no-any-return]
    return round(float(value) * 100, 1)


def display(value: Any, unit: str = "") -> str:
    """A figure for reading: French decimals (as in the CSV), units, a dash when unknown."""
    if value is None:
        return "—"
    text = cell(figure(value, unit))
    return f"{text} %" if unit == "%" else f"{text} h" if unit == "h" else text
