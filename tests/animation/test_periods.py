"""The period of the engagement figures and the report: ``from``/``to`` as YYYY-MM-DD,
defaults, and 422 naming the field for anything else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from animation.periods import DEFAULT_DAYS, MAX_DAYS, parse_period
from server.core.errors import InvalidInput

TODAY = date(2026, 3, 15)


def test_without_dates_the_period_is_the_90_days_up_to_today() -> None:
    start, end = parse_period(None, None, TODAY)
    assert end == TODAY
    assert (end - start).days == DEFAULT_DAYS - 1 == 89


def test_given_dates_are_inclusive_and_from_defaults_to_the_collectives_start() -> None:
    assert parse_period("2026-01-05", "2026-01-05", TODAY) == (date(2026, 1, 5),) * 2
    assert parse_period(None, "2026-02-01", TODAY, default_start=date(2026, 1, 10)) == (
        date(2026, 1, 10),
        date(2026, 2, 1),
    )
    # A start after the end is ignored: the default window instead.
    start, _ = parse_period(None, "2026-02-01", TODAY, default_start=date(2026, 3, 1))
    assert start == date(2025, 11, 4)


@pytest.mark.parametrize("raw", ["20260105", "2026-W02", "2026-1-5", "05/01/2026", "demain"])
def test_only_yyyy_mm_dd_is_a_date(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(raw, None, TODAY)
    assert refused.value.fields == {"from": "not a date (YYYY-MM-DD)"}


def test_both_bad_fields_are_named_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period("hier", "demain", TODAY)
    assert set(refused.value.fields) == {"from", "to"}


def test_a_period_ending_before_it_starts_or_too_long_is_refused() -> None:
    with pytest.raises(InvalidInput) as backwards:
        parse_period("2026-02-02", "2026-02-01", TODAY)
    assert backwards.value.fields == {"to": "before from"}
    longest = (TODAY - timedelta(days=MAX_DAYS - 1)).isoformat()
    assert parse_period(longest, None, TODAY)[0].isoformat() == longest
    with pytest.raises(InvalidInput) as long:
        parse_period((TODAY - timedelta(days=MAX_DAYS)).isoformat(), None, TODAY)
    assert long.value.fields == {"to": f"at most {MAX_DAYS} days"}
