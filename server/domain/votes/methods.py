"""TEMPORARY stand-in for v13-methods (replaced when that branch is merged)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.core.errors import InvalidInput


class Method(StrEnum):
    dot = "dot"
    majority = "majority"
    approval = "approval"
    score = "score"
    consent = "consent"


class Grade(StrEnum):
    excellent = "excellent"
    tres_bien = "tres_bien"
    bien = "bien"
    assez_bien = "assez_bien"
    passable = "passable"
    insuffisant = "insuffisant"
    a_rejeter = "a_rejeter"


class Consent(StrEnum):
    agree = "agree"
    reserve = "reserve"
    object = "object"


@dataclass(frozen=True)
class Rules:
    method: Method
    option_ids: tuple[int, ...]
    budget: int = 3
    max_per_option: int | None = None


def _ids(rules: Rules, keys: Iterable[object], field: str) -> list[int]:
    out = []
    for key in keys:
        try:
            value = int(str(key))
        except ValueError:
            raise InvalidInput("unknown option", fields={field: f"no option {key}"}) from None
        if value not in rules.option_ids:
            raise InvalidInput("unknown option", fields={field: f"no option {key}"})
        out.append(value)
    return out


def normalise_ballot(rules: Rules, raw: Mapping[str, Any]) -> dict[str, Any]:
    key = {
        Method.dot: "dots",
        Method.majority: "grades",
        Method.approval: "approve",
        Method.score: "scores",
        Method.consent: "consent",
    }[rules.method]
    extra = set(raw) - {key, "reason"} if rules.method == Method.consent else set(raw) - {key}
    if key not in raw or extra:
        raise InvalidInput("wrong ballot", fields={key: "required for this method"})
    value = raw[key]
    if rules.method == Method.dot:
        ids = _ids(rules, value, "dots")
        dots = {str(i): int(value[str(i)] if str(i) in value else value[i]) for i in ids}
        if any(n < 0 for n in dots.values()) or sum(dots.values()) > rules.budget:
            raise InvalidInput("over budget", fields={"dots": f"at most {rules.budget} dots"})
        if rules.max_per_option is not None and any(
            n > rules.max_per_option for n in dots.values()
        ):
            raise InvalidInput("too many", fields={"dots": "over max_per_option"})
        return {"dots": {k: n for k, n in dots.items() if n}}
    if rules.method == Method.majority:
        ids = _ids(rules, value, "grades")
        grades = {str(i): value[str(i)] for i in ids}
        if any(g not in set(Grade) for g in grades.values()):
            raise InvalidInput("off the scale", fields={"grades": "not a grade"})
        return {"grades": grades}
    if rules.method == Method.approval:
        return {"approve": sorted(set(_ids(rules, value, "approve")))}
    if rules.method == Method.score:
        ids = _ids(rules, value, "scores")
        scores = {str(i): value[str(i)] for i in ids}
        if any(not isinstance(s, int) or not 1 <= s <= 5 for s in scores.values()):
            raise InvalidInput("off the scale", fields={"scores": "1..5"})
        return {"scores": scores}
    if value not in set(Consent):
        raise InvalidInput("bad consent", fields={"consent": "agree, reserve or object"})
    return {"consent": value, "reason": raw.get("reason") or ""}


def tally(rules: Rules, ballots: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    ballots = list(ballots)
    options: list[dict[str, Any]] = []
    for oid in rules.option_ids:
        key = str(oid)
        if rules.method == Method.dot:
            options.append({"id": oid, "count": sum(b["dots"].get(key, 0) for b in ballots)})
        elif rules.method == Method.approval:
            options.append({"id": oid, "count": sum(oid in b["approve"] for b in ballots)})
        elif rules.method == Method.score:
            values = [b["scores"][key] for b in ballots if key in b["scores"]]
            options.append({"id": oid, "mean": statistics.fmean(values) if values else None})
        elif rules.method == Method.majority:
            order = list(Grade)
            ranks = sorted(order.index(Grade(b["grades"].get(key, "a_rejeter"))) for b in ballots)
            median = order[ranks[(len(ranks) - 1) // 2]] if ranks else None
            options.append({"id": oid, "median_grade": median})
        else:
            counts = {c.value: sum(b["consent"] == c for b in ballots) for c in Consent}
            options.append({"id": oid, **counts})
    winner: list[int] = []
    if ballots:
        if rules.method in (Method.dot, Method.approval):
            best = max(o["count"] for o in options)
            winner = [o["id"] for o in options if o["count"] == best]
        elif rules.method == Method.score:
            best = max(o["mean"] or 0 for o in options)
            winner = [o["id"] for o in options if (o["mean"] or 0) == best]
        elif rules.method == Method.majority:
            order = list(Grade)
            best_rank = min(order.index(o["median_grade"]) for o in options)
            winner = [o["id"] for o in options if order.index(o["median_grade"]) == best_rank]
        elif not options[0]["object"]:
            winner = [options[0]["id"]]
    return {
        "method": rules.method.value,
        "turnout": len(ballots),
        "options": options,
        "winner": winner,
    }
