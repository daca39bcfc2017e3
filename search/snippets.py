"""Snippets: a short excerpt of the original text around the matched words, HTML-escaped,
each match wrapped in ``<mark>``; matching uses the same analysis as the index."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from search.french import APOSTROPHES, STOP_WORDS, fold, stem
from search.query import Word

SNIPPET_WORDS = 24
_TOKEN = re.compile(rf"[^\W_]+|[{APOSTROPHES}]")
_WORD = re.compile(r"[^\W_]+")
_START, _STOP = "\ue000", "\ue001"


@lru_cache(maxsize=65536)
def _analysed(token: str) -> tuple[str, str, bool]:
    """A word of the text as (folded, stem, stop word?): words repeat, so this is cached."""
    folded = fold(token)
    return folded, stem(folded), folded in STOP_WORDS


def _matches(token: str, stems: set[str], prefixes: tuple[str, ...]) -> bool:
    folded, stemmed, stop = _analysed(token)
    if stop and not prefixes:
        return False
    return stemmed in stems or (bool(prefixes) and folded.startswith(prefixes))


def _densest(hits: list[int], width: int) -> int:
    """The first match of the window of ``width`` words holding the most matches."""
    best, best_count, end = hits[0], 0, 0
    for n, h in enumerate(hits):
        while end < len(hits) and hits[end] < h + width:
            end += 1
        if end - n > best_count:
            best, best_count = h, end - n
    return best


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
        start = max(0, _densest(hits, width) - 3)
    end = min(len(spans), start + width)
    start = max(0, min(start, end - width))
    marked = set(hits)
    # Escaped once: matches are delimited by private-use characters first, unless the text
    # itself holds them (then each piece is escaped on its own).
    window = text[spans[start][0] : spans[end - 1][1] if end < len(spans) else len(text)]
    if _START in window or _STOP in window:
        return _slow_window(text, spans, start, end, marked)
    out: list[str] = []
    cursor = spans[start][0]
    for i in range(start, end):
        a, b = spans[i]
        if i in marked:
            out += (text[cursor:a], _START, text[a:b], _STOP)
            cursor = b
    out.append(text[cursor : spans[end - 1][1]])
    if end >= len(spans):
        out.append(text[spans[end - 1][1] :])
    body = html.escape("".join(out)).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return (("… " if start > 0 else "") + body + (" …" if end < len(spans) else "")).strip()


def _slow_window(
    text: str, spans: list[tuple[int, int]], start: int, end: int, marked: set[int]
) -> str:
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
