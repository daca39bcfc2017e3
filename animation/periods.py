"""A period given in a query string: ``from`` and ``to``, inclusive dates as YYYY-MM-DD.

One parser for the engagement figures and the funders' report, so the same bad input gets the
same answer: 422 ``invalid_input`` naming the field.
"""

from __future__ import annotations

from datetime import date, timedelta

from server.core.errors import InvalidInput

DEFAULT_DAYS = 90  # without ``from``: the 90 days up to ``to``
MAX_DAYS = 3 * 366


def parse_period(
    raw_from: str | None, raw_to: str | None, today: date, default_start: date | None = None
) -> tuple[date, date]:
    """``(from, to)``: ``to`` defaults to ``today``; ``from`` to ``default_start`` when given
    and not after ``to``, else to ``DEFAULT_DAYS`` before ``to``. A malformed date (only
    YYYY-MM-DD), ``to`` before ``from`` or more than ``MAX_DAYS`` days answer 422."""
    fields: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if not raw:
            continue
        try:
            parsed[name] = date.fromisoformat(raw)
            if len(raw) != 10:  # Python also reads 20260105 and 2026-W02
                raise ValueError(raw)
        except ValueError:
            fields[name] = "not a date (YYYY-MM-DD)"
    if fields:
        raise InvalidInput("the period is invalid", fields=fields)
    end = parsed.get("to", today)
    start = parsed.get("from") or (
        default_start if default_start and default_start <= end else None
    )
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidInput("the period ends before it starts", fields={"to": "before from"})
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput("the period is too long", fields={"to": f"at most {MAX_DAYS} days"})
    return start, end
