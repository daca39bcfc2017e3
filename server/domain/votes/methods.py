"""The voting methods: what a valid ballot is, its stored form, and the tally of ballots.

Pure functions: no database, no I/O. ``normalise_ballot`` turns the JSON a voter sent into
the stored form or raises ``InvalidInput`` whose ``fields`` name what is wrong (``dots.12``,
``grades``, ``approve.0``, ``reason``...); ``tally`` counts stored ballots (each voter once)
into JSON-ready results, options in the vote's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum, unique
from fractions import Fraction
from typing import Any

from server.core.errors import InvalidInput
from server.domain.votes.majority import GRADE_LABELS, GRADES, Grade, majority_grade, ranks

__all__ = [
    "GRADE_LABELS",
    "Consent",
    "Grade",
    "Method",
    "REASON_MAX",
    "Rules",
    "SCORE_MAX",
    "SCORE_MIN",
    "normalise_ballot",
    "tally",
]

SCORE_MIN, SCORE_MAX = 1, 5
REASON_MAX = 1_000
"""The longest reason a consent ballot may give, in characters."""


@unique
class Method(StrEnum):
    """How a vote counts its ballots."""

    dot = "dot"
    majority = "majority"
    approval = "approval"
    score = "score"
    consent = "consent"


@unique
class Consent(StrEnum):
    """A consent ballot's position (d'accord, réserves, objection)."""

    agree = "agree"
    reserve = "reserve"
    object = "object"


@dataclass(frozen=True)
class Rules:
    """What a vote's ballots may hold: its method, its options in display order, the dot
    budget. Refuses (422) an unknown method, a budget or per-option cap below 1, no option, a
    repeated option, or a consent vote on anything but one proposal."""

    method: Method
    option_ids: tuple[int, ...]
    budget: int = 3
    max_per_option: int | None = None

    def __post_init__(self) -> None:
        bad: dict[str, str] = {}
        if self.method not in Method.__members__:
            bad["method"] = "one of " + ", ".join(Method)
        else:
            object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "option_ids", tuple(self.option_ids))
        if not self.option_ids:
            bad["options"] = "a vote needs at least one option"
        elif len(set(self.option_ids)) != len(self.option_ids):
            bad["options"] = "an option is listed twice"
        elif self.method is Method.consent and len(self.option_ids) != 1:
            bad["options"] = "a consent vote has exactly one proposal"
        if not _is_int(self.budget) or self.budget < 1:
            bad["budget"] = "a whole number of at least 1"
        if self.max_per_option is not None and (
            not _is_int(self.max_per_option) or self.max_per_option < 1
        ):
            bad["max_per_option"] = "a whole number of at least 1"
        if bad:
            raise InvalidInput("these vote settings are invalid", fields=bad)

    @property
    def per_option(self) -> int:
        """The most dots one option may receive from one voter."""
        cap = self.budget if self.max_per_option is None else self.max_per_option
        return min(cap, self.budget)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------- ballots


class _Problems:
    """The fields of one ballot found wrong so far (all are reported at once)."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def raise_any(self) -> None:
        if self.fields:
            raise InvalidInput("this ballot is invalid", fields=self.fields)


def _option_key(rules: Rules, field: str, key: object, problems: _Problems) -> int | None:
    """The option a JSON key names, or None after noting why it names none."""
    if not isinstance(key, str):
        problems.add(field, "option ids are given as strings")
        return None
    name = f"{field}.{key}"
    try:
        option_id = int(key)
    except ValueError:
        problems.add(name, "not an option id")
        return None
    if str(option_id) != key:  # " 12", "012", "+12", non-ASCII digits
        problems.add(name, "not an option id")
        return None
    if option_id not in rules.option_ids:
        problems.add(name, "no such option in this vote")
        return None
    return option_id


def _per_option(
    rules: Rules, raw: Mapping[str, Any], field: str, problems: _Problems
) -> dict[int, Any]:
    """The ``{"<option_id>": value}`` object under ``field``, keyed by known option ids."""
    if field not in raw:
        problems.add(field, "required")
        return {}
    values = raw[field]
    if not isinstance(values, Mapping):
        problems.add(field, "must be an object keyed by option id")
        return {}
    found: dict[int, Any] = {}
    for key, value in values.items():
        option_id = _option_key(rules, field, key, problems)
        if option_id is not None:
            found[option_id] = value
    return found


def _in_order(rules: Rules, values: Mapping[int, Any]) -> dict[str, Any]:
    return {str(o): values[o] for o in rules.option_ids if o in values}


def _dots(rules: Rules, raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    dots: dict[int, int] = {}
    for option_id, count in _per_option(rules, raw, "dots", problems).items():
        name = f"dots.{option_id}"
        if not _is_int(count):
            problems.add(name, "a whole number of dots")
        elif count < 0:
            problems.add(name, "may not be negative")
        elif count > rules.per_option:
            problems.add(name, f"at most {rules.per_option} dots on one option")
        elif count:
            dots[option_id] = count
    spent = sum(dots.values())
    if spent > rules.budget:
        problems.add("dots", f"{spent} dots for a budget of {rules.budget}")
    return {"dots": _in_order(rules, dots)}


def _grades(rules: Rules, raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    grades: dict[int, str] = {}
    for option_id, grade in _per_option(rules, raw, "grades", problems).items():
        if isinstance(grade, str) and grade in Grade.__members__:
            grades[option_id] = Grade(grade).value
        else:
            problems.add(f"grades.{option_id}", "not a grade: " + ", ".join(GRADES))
    if "grades" in raw and isinstance(raw["grades"], Mapping):
        for option_id in rules.option_ids:
            if str(option_id) not in raw["grades"]:
                problems.add(f"grades.{option_id}", "grade every option")
    return {"grades": _in_order(rules, grades)}


def _approve(rules: Rules, raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    if "approve" not in raw:
        problems.add("approve", "required")
        return {}
    listed = raw["approve"]
    if not isinstance(listed, list | tuple):
        problems.add("approve", "must be a list of option ids")
        return {}
    approved: set[int] = set()
    for index, option_id in enumerate(listed):
        name = f"approve.{index}"
        if not _is_int(option_id):
            problems.add(name, "not an option id")
        elif option_id not in rules.option_ids:
            problems.add(name, "no such option in this vote")
        elif option_id in approved:
            problems.add(name, "listed twice")
        else:
            approved.add(option_id)
    return {"approve": [o for o in rules.option_ids if o in approved]}


def _scores(rules: Rules, raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    scores: dict[int, int] = {}
    for option_id, score in _per_option(rules, raw, "scores", problems).items():
        if _is_int(score) and SCORE_MIN <= score <= SCORE_MAX:
            scores[option_id] = score
        else:
            problems.add(f"scores.{option_id}", f"a whole number from {SCORE_MIN} to {SCORE_MAX}")
    return {"scores": _in_order(rules, scores)}


def _consent(rules: Rules, raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    position = raw.get("consent")
    if "consent" not in raw:
        problems.add("consent", "required")
    elif not (isinstance(position, str) and position in Consent.__members__):
        problems.add("consent", "one of " + ", ".join(Consent))
        position = None
    reason = raw.get("reason")
    if reason is not None and not isinstance(reason, str):
        problems.add("reason", "must be text")
        reason = None
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        problems.add("reason", f"at most {REASON_MAX} characters")
    elif reason is not None and "\x00" in reason:
        problems.add("reason", "may not contain NUL characters")
    elif reason is None and position == Consent.object:
        problems.add("reason", "say why you object")
    return {"consent": position, "reason": reason}


_Normaliser = Callable[[Rules, Mapping[str, Any], _Problems], dict[str, Any]]

_BALLOTS: dict[Method, tuple[frozenset[str], _Normaliser]] = {
    Method.dot: (frozenset({"dots"}), _dots),
    Method.majority: (frozenset({"grades"}), _grades),
    Method.approval: (frozenset({"approve"}), _approve),
    Method.score: (frozenset({"scores"}), _scores),
    Method.consent: (frozenset({"consent", "reason"}), _consent),
}


def normalise_ballot(rules: Rules, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of a ballot, or InvalidInput (422, ``fields`` naming what is wrong)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("a ballot is a JSON object", fields={"": "not an object"})
    keys, normalise = _BALLOTS[rules.method]
    problems = _Problems()
    for key in raw:
        if key not in keys:
            problems.add(str(key), f"not part of a {rules.method.value} ballot")
    ballot = normalise(rules, raw, problems)
    problems.raise_any()
    return ballot


# ---------------------------------------------------------------- tally


def _winners(rules: Rules, measure: Mapping[int, Fraction | int | None]) -> list[int]:
    """The options with the greatest measure (all tied ones); none if no option got any."""
    best = max((m for m in measure.values() if m is not None), default=None)
    if not best:
        return []
    return [o for o in rules.option_ids if measure[o] == best]


def _tally_counts(rules: Rules, ballots: list[Mapping[str, Any]]) -> dict[str, Any]:
    """dot: dots per option out of all dots; approval: approvals out of the ballots."""
    counts = dict.fromkeys(rules.option_ids, 0)
    for ballot in ballots:
        if rules.method is Method.dot:
            for key, dots in ballot["dots"].items():
                if int(key) in counts:
                    counts[int(key)] += dots
        else:
            for option_id in ballot["approve"]:
                if option_id in counts:
                    counts[option_id] += 1
    total = sum(counts.values()) if rules.method is Method.dot else len(ballots)
    return {
        "options": [{"id": o, "count": counts[o], "total": total} for o in rules.option_ids],
        "winner": _winners(rules, counts),
    }


def _tally_scores(rules: Rules, ballots: list[Mapping[str, Any]]) -> dict[str, Any]:
    sums = dict.fromkeys(rules.option_ids, 0)
    counts = dict.fromkeys(rules.option_ids, 0)
    for ballot in ballots:
        for key, score in ballot["scores"].items():
            if int(key) in sums:
                sums[int(key)] += score
                counts[int(key)] += 1
    means = {o: Fraction(sums[o], counts[o]) if counts[o] else None for o in rules.option_ids}
    shown = {o: None if m is None else round(float(m), 2) for o, m in means.items()}
    return {
        "options": [{"id": o, "mean": shown[o], "count": counts[o]} for o in rules.option_ids],
        # The exact means decide: two means shown alike once rounded may still differ.
        "winner": _winners(rules, means),
    }


def _tally_majority(rules: Rules, ballots: list[Mapping[str, Any]]) -> dict[str, Any]:
    profiles = {o: [0] * len(GRADES) for o in rules.option_ids}
    for ballot in ballots:
        for key, grade in ballot["grades"].items():
            if int(key) in profiles:
                profiles[int(key)][GRADES.index(Grade(grade))] += 1
    graded = [o for o in rules.option_ids if sum(profiles[o])]
    rank = dict(zip(graded, ranks([profiles[o] for o in graded]), strict=True))
    options = []
    for o in rules.option_ids:
        median = majority_grade(profiles[o])
        options.append(
            {
                "id": o,
                "median_grade": None if median is None else median.value,
                "profile": {g.value: n for g, n in zip(GRADES, profiles[o], strict=True)},
                "rank": rank.get(o),
            }
        )
    return {"options": options, "winner": [o for o in rules.option_ids if rank.get(o) == 1]}


# Reasons are listed objections first, then by text: never in the order ballots came in,
# which could tell who wrote which.
_REASON_ORDER = {Consent.object: 0, Consent.reserve: 1, Consent.agree: 2}


def _tally_consent(rules: Rules, ballots: list[Mapping[str, Any]]) -> dict[str, Any]:
    counts = {c.value: 0 for c in Consent}
    reasons: list[dict[str, str]] = []
    for ballot in ballots:
        position = Consent(ballot["consent"])
        counts[position.value] += 1
        if ballot.get("reason"):
            reasons.append({"consent": position.value, "reason": ballot["reason"]})
    reasons.sort(key=lambda r: (_REASON_ORDER[Consent(r["consent"])], r["reason"]))
    passed = bool(ballots) and counts[Consent.object.value] == 0
    proposal = rules.option_ids[0]
    return {
        "options": [{"id": proposal, "counts": dict(counts)}],
        "counts": counts,
        "reasons": reasons,
        "passed": passed,
        "winner": [proposal] if passed else [],
    }


_TALLIES: dict[Method, Callable[[Rules, list[Mapping[str, Any]]], dict[str, Any]]] = {
    Method.dot: _tally_counts,
    Method.approval: _tally_counts,
    Method.score: _tally_scores,
    Method.majority: _tally_majority,
    Method.consent: _tally_consent,
}


def tally(rules: Rules, ballots: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Results of normalised ballots (each voter once): JSON-ready, options in rules order.
    Votes for an option no longer in ``rules`` are not counted."""
    counted = list(ballots)
    results = {"method": rules.method.value, "turnout": len(counted)}
    results.update(_TALLIES[rules.method](rules, counted))
    return results
