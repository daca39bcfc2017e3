"""What an answer may be, by the kind of its question, and the maturity it gives its theme.

    scale4, scale5   an integer 1..4 or 1..5 (a level)      → maturity (level-1)/(max-1) × 100
    yesno            true or false
    number           a finite number, |x| ≤ 10⁹
    text             a string of at most 5,000 characters

A theme's maturity is the mean of its answered scale questions (None when none is answered).
"""

from __future__ import annotations

import math
from statistics import median
from typing import Any

from server.core.errors import InvalidInput
from server.domain.diagnostics.catalogue import SCALE_MAX

MAX_TEXT = 5_000
MAX_NUMBER = 1e9
WEAK_BELOW = 50.0  # a theme under half its scale is a weakness


def questions_of(themes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for t in themes for q in t["questions"]}


def _problem(question: dict[str, Any], value: Any) -> str | None:
    kind = question["kind"]
    if kind in SCALE_MAX:
        top = SCALE_MAX[kind]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            return f"a level from 1 to {top}"
    elif kind == "yesno":
        if not isinstance(value, bool):
            return "true or false"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "a number"
        # The size first: a huge integer does not convert to a float (OverflowError).
        if abs(value) > MAX_NUMBER or (isinstance(value, float) and not math.isfinite(value)):
            return "a finite number of at most 10⁹"
    elif not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        return f"text of at most {MAX_TEXT} characters"
    return None


def merge_answers(
    themes: list[dict[str, Any]], stored: dict[str, Any], given: dict[str, Any]
) -> dict[str, Any]:
    """``stored`` with ``given`` applied (null removes an answer); 422 naming every unknown
    question and every value off its question's kind, with nothing applied."""
    questions = questions_of(themes)
    problems: dict[str, str] = {}
    for qid, value in given.items():
        if qid not in questions:
            problems[f"answers.{qid}"] = "no such question in this diagnostic"
        elif value is not None and (problem := _problem(questions[qid], value)):
            problems[f"answers.{qid}"] = problem
    if problems:
        raise InvalidInput("some answers do not fit their questions", fields=problems)
    merged = dict(stored)
    for qid, value in given.items():
        if value is None:
            merged.pop(qid, None)
        else:
            merged[qid] = value.strip() if isinstance(value, str) else value
    return merged


def unanswered_scales(themes: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    return [
        q["id"]
        for t in themes
        for q in t["questions"]
        if q["kind"] in SCALE_MAX and q["id"] not in answers
    ]


def theme_scores(themes: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, float | None]:
    """Each theme's maturity, 0–100, rounded to one decimal (None: no scale answered)."""
    out: dict[str, float | None] = {}
    for theme in themes:
        values = [
            (answers[q["id"]] - 1) / (SCALE_MAX[q["kind"]] - 1) * 100
            for q in theme["questions"]
            if q["kind"] in SCALE_MAX and isinstance(answers.get(q["id"]), int)
        ]
        out[theme["id"]] = round(sum(values) / len(values), 1) if values else None
    return out


def median_of(values: list[float]) -> float:
    return round(float(median(values)), 1)
