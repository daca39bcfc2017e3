"""The ``from``/``to`` period of the engagement figures and the report."""

from __future__ import annotations

from datetime import date

import pytest

from animation.periods import DEFAULT_DAYS, MAX_DAYS, parse_period
from server.core.errors import InvalidInput

TODAY = date(2026, 6, 15)


def test_by_default_the_90_days_up_to_today() -> None:
    assert parse_period(None, None, TODAY) == (date(2026, 3, 18), TODAY)
    assert (TODAY - parse_period(None, None, TODAY)[0]).days == DEFAULT_DAYS - 1


def test_a_default_start_is_taken_unless_after_the_end() -> None:
    start = date(2026, 1, 5)
    assert parse_period(None, None, TODAY, start) == (start, TODAY)
    assert parse_period(None, "2025-12-31", TODAY, start)[0] == date(2025, 10, 3)
    assert parse_period("2026-05-01", None, TODAY, start) == (date(2026, 5, 1), TODAY)


@pytest.mark.parametrize(
    ("raw_from", "raw_to", "field"),
    [
        ("2026-13-01", None, "from"),
        ("20260105", None, "from"),  # Python reads it, the API does not
        (None, "2026-W02", "to"),
        ("2026-06-10", "2026-06-01", "to"),  # ends before it starts
        ("2020-01-01", "2026-01-01", "to"),  # too long
    ],
)
def test_bad_periods_name_the_field(raw_from: str | None, raw_to: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_period(raw_from, raw_to, TODAY)
    assert list(raised.value.fields) == [field]


def test_the_longest_period_is_accepted() -> None:
    start = date(2024, 1, 1)
    end = date.fromordinal(start.toordinal() + MAX_DAYS - 1)
    assert parse_period(start.isoformat(), end.isoformat(), TODAY) == (start, end)
