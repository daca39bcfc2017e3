"""Small builders of records for the animation tests; times are offsets from ``T0``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from animation.records import Activity, Kind, Member

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, before the switch to summer time


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def post(who: int, card: int, when: datetime, kind: str = "idea", board: int = 1) -> Activity:
    return Activity(when, who, Kind.post, card, board, kind, who)


def comment(
    who: int, card: int, author: int, when: datetime, kind: str = "idea", board: int = 1
) -> Activity:
    return Activity(when, who, Kind.comment, card, board, kind, author)


def react(
    who: int, card: int, author: int, when: datetime, reaction: str = "useful", kind: str = "idea"
) -> Activity:
    return Activity(when, who, Kind.reaction, card, 1, kind, author, reaction=reaction)


def move(who: int, card: int, column: int, when: datetime, kind: str = "experiment") -> Activity:
    return Activity(when, who, Kind.move, card, 1, kind, who, column=column)


def member(user_id: int, joined: datetime | None = None, role: str = "member") -> Member:
    return Member(user_id, joined or at(-60), role)
