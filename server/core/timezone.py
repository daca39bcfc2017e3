"""The platform's local time: action collectives are French, so days, digests, quiet hours and
due dates are Paris days and hours (stored times stay UTC)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(at: datetime) -> datetime:
    return at.astimezone(PARIS)


def paris_day(at: datetime) -> date:
    return at.astimezone(PARIS).date()
