"""Every CSV cell typed by a person is shown as text, never run as a formula; figures stay
figures."""

from __future__ import annotations

import csv
import io

from server.core.spreadsheet import SpreadsheetWriter


def _written(*cells: str | int | float | None) -> list[str]:
    out = io.StringIO()
    SpreadsheetWriter(out).writerow(cells)
    return next(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))


def test_text_starting_like_a_formula_is_prefixed_with_a_quote() -> None:
    typed = ['=HYPERLINK("http://x","y")', "+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "=1;2"]
    assert _written(*typed) == ["'" + t for t in typed]


def test_other_text_is_unchanged() -> None:
    assert _written("Rénovation Drôme", "a=b", " x", "'quoted", "") == [
        "Rénovation Drôme",
        "a=b",
        " x",
        "'quoted",
        "",
    ]


def test_numbers_stay_numbers_even_negative_with_a_decimal_comma() -> None:
    assert _written(-3, 2.5, -0.25, 0, None) == ["-3", "2,5", "-0,25", "0", ""]
