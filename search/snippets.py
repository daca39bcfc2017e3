"""Snippets: a short excerpt of the original text around the matched words, HTML-escaped,
each match wrapped in ``<mark>``; matching uses the same analysis as the index."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from search.french import APOSTROPHES, STOP_WORDS, fold, stem
from search.query import Word

SNIPPET_WORDS = 24
_TOKEN = re.compile(rf"[^\W_]+|[{APOSTROPHES}]")
_WORD = re.compile(r"[^\W_]+")


def _matches(token: str, stems: set[str], prefixes: tuple[str, ...]) -> bool:
    folded = fold(token)
    if folded in STOP_WORDS and not prefixes:
        return False
    return stem(folded) in stems or (bool(prefixes) and folded.startswith(prefixes))


def snippet(text: str, query: Iterable[Word], width: int = SNIPPET_WORDS) -> str:
    """About ``width`` words of ``text`` around its densest run of matches, marked, escaped."""
    words = list(query)
    stems = {w.stem for w in words}
    prefixes = tuple(p for w in words if w.prefix for p in {w.text, w.stem})
    spans = [m.span() for m in _WORD.finditer(text)]
    hits = [i for i, (a, b) in enumerate(spans) if _matches(text[a:b], stems, prefixes)]
    if not spans:
        return html.escape(text.strip())
    start = 0
    if hits:
        # The window that holds the most matches, starting a few words before the first.
        best = max(hits, key=lambda h: sum(1 for x in hits if h <= x < h + width))
        start = max(0, best - 3)
    end = min(len(spans), start + width)
    start = max(0, min(start, end - width))
    marked = set(hits)
    out: list[str] = ["… " if start > 0 else ""]
    cursor = spans[start][0]
    for i in range(start, end):
        a, b = spans[i]
        out.append(html.escape(text[cursor:a]))
        word = html.escape(text[a:b])
        out.append(f"<mark>{word}</mark>" if i in marked else word)
        cursor = b
    if end < len(spans):
        out.append(" …")
    else:
        out.append(html.escape(text[cursor:]))
    return "".join(out).strip()
