"""Typo tolerance for the database backends, on the same rules as Meilisearch's defaults:
words of 5+ letters may have one typo, words of 9+ letters two (insertions, deletions,
substitutions and swaps of two neighbours); the first letter must be right, which keeps the
candidate list short enough to check in Python."""

from __future__ import annotations

from collections.abc import Iterable

ONE_TYPO = 5
TWO_TYPOS = 9


def allowed_typos(word: str) -> int:
    if len(word) >= TWO_TYPOS:
        return 2
    return 1 if len(word) >= ONE_TYPO else 0


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b``, or ``limit + 1`` if above."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates nearest to ``word`` within its allowed typos (ties all kept)."""
    limit = allowed_typos(word)
    if limit == 0:
        return []
    best, found = limit + 1, []
    for candidate in candidates:
        d = distance(word, candidate, limit)
        if d < best:
            best, found = d, [candidate]
        elif d == best and d <= limit:
            found.append(candidate)
    return found if best <= limit else []
