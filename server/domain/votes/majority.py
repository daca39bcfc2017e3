"""Majority judgment (Balinski–Laraki): the grades, an option's majority grade and gauge, and
the ranking of options by their merit profiles.

A merit profile is the number of voters who gave each grade, best grade first. The majority
grade is the lower middlemost grade: the best grade that an absolute majority of the voters
gave or exceeded (for an even number of grades, the lower of the two middle ones). Options
are ranked by majority grade, then by the majority gauge (p: share of grades strictly better
than the majority grade, q: share strictly worse; "+" when p > q beats "−"; among "+" the
larger p wins, among "−" the smaller q), then by the whole majority value: the sequence of
majority grades found by removing one majority grade after another. Only options whose whole
majority value is equal tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum, unique
from fractions import Fraction


@unique
class Grade(StrEnum):
    """A grade of majority judgment, best first (the API values)."""

    excellent = "excellent"
    tres_bien = "tres_bien"
    bien = "bien"
    assez_bien = "assez_bien"
    passable = "passable"
    insuffisant = "insuffisant"
    a_rejeter = "a_rejeter"


GRADES: tuple[Grade, ...] = tuple(Grade)
"""Every grade, best first: a grade's index in it is its position in a merit profile."""

GRADE_LABELS: dict[Grade, str] = {
    Grade.excellent: "Excellent",
    Grade.tres_bien: "Très bien",
    Grade.bien: "Bien",
    Grade.assez_bien: "Assez bien",
    Grade.passable: "Passable",
    Grade.insuffisant: "Insuffisant",
    Grade.a_rejeter: "À rejeter",
}

Profile = Sequence[int]
"""A merit profile: how many voters gave each grade, in the order of ``GRADES``."""

# The ranking key of an option: majority grade (0 = best), 0 for "+" and 1 for "−", the
# gauge share that decides (−p or q, smaller is better), then the whole majority value.
MeritKey = tuple[int, int, Fraction, tuple[int, ...]]


def _check(profile: Profile) -> None:
    if len(profile) != len(GRADES) or any(count < 0 for count in profile):
        raise ValueError(f"a merit profile has {len(GRADES)} counts >= 0, not {profile!r}")


def _middle(profile: Profile, voters: int) -> int:
    """The index of the grade at position ``voters // 2`` of the grades sorted best first."""
    position = voters // 2
    seen = 0
    for index, count in enumerate(profile):
        seen += count
        if seen > position:
            return index
    raise AssertionError("unreachable: the position is below the number of voters")


def majority_grade(profile: Profile) -> Grade | None:
    """The lower middlemost grade of the profile, None when nobody graded."""
    _check(profile)
    voters = sum(profile)
    return GRADES[_middle(profile, voters)] if voters else None


def gauge(profile: Profile) -> tuple[Grade, Fraction, Fraction] | None:
    """(majority grade, p, q): the shares of grades strictly better and strictly worse than
    the majority grade; None when nobody graded."""
    _check(profile)
    voters = sum(profile)
    if not voters:
        return None
    index = _middle(profile, voters)
    better = sum(profile[:index])
    worse = sum(profile[index + 1 :])
    return GRADES[index], Fraction(better, voters), Fraction(worse, voters)


def majority_value(profile: Profile) -> tuple[Grade, ...]:
    """The majority grades found by removing, one at a time, a majority grade of what remains
    (as many as there are voters)."""
    _check(profile)
    remaining = list(profile)
    voters = sum(remaining)
    grades: list[Grade] = []
    while voters:
        index = _middle(remaining, voters)
        grades.append(GRADES[index])
        remaining[index] -= 1
        voters -= 1
    return tuple(grades)


def merit_key(profile: Profile) -> MeritKey:
    """What ranks an option: a smaller key is better; equal keys are exact ties."""
    found = gauge(profile)
    if found is None:
        raise ValueError("nobody graded this option: it has no rank")
    grade, p, q = found
    plus = p > q
    value = tuple(GRADES.index(g) for g in majority_value(profile))
    return GRADES.index(grade), 0 if plus else 1, -p if plus else q, value


def ranks(profiles: Sequence[Profile]) -> list[int]:
    """The rank of each profile (1 = best; exact ties share a rank, and the next rank skips
    as many places, as in 1, 1, 3)."""
    keys = [merit_key(profile) for profile in profiles]
    return [1 + sum(other < key for other in keys) for key in keys]
