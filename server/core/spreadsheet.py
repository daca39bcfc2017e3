"""CSV for spreadsheets that never runs what people typed (OWASP "CSV injection").

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (tab and
carriage return are read past, so they are dangerous too): a display name
``=HYPERLINK("http://evil","…")`` becomes a live link in the animator's spreadsheet. Every CSV
the app produces goes through :class:`SpreadsheetWriter`: a text cell with such a start is
prefixed with ``'``, which spreadsheets show as text. Numbers are passed as ``int``/``float``
and stay numbers (a negative figure is a number, not a formula); only text is neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


class _Text(Protocol):
    def write(self, s: str, /) -> object: ...


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it, never as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Cell, decimal: str = ",") -> str:
    """One cell's text: numbers formatted (French decimal comma), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", decimal)
    return neutralise(value)


class SpreadsheetWriter:
    """``csv.writer`` whose rows are made of :data:`Cell` values, each made safe by :func:`cell`."""

    def __init__(self, out: _Text, delimiter: str = ";", decimal: str = ",") -> None:
        self._rows = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        self._decimal = decimal

    def writerow(self, row: Iterable[Cell]) -> None:
        self._rows.writerow([cell(value, self._decimal) for value in row])
