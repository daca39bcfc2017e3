"""A user's search as every backend receives it: analysed words, filters, page, visibility."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.french import STOP_WORDS, stem, words

# At most this many words of a query are used: longer queries are pasted text, not searches.
MAX_WORDS = 12


@dataclass(frozen=True)
class Word:
    """One query word: as typed (folded), its stem, and whether it may be a prefix."""

    text: str
    stem: str
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """A search restricted to ``collective_ids``; hidden content only where the user animates.

    ``words`` is empty when the text holds only stop words: such a query matches nothing.
    """

    text: str
    words: tuple[Word, ...]
    collective_ids: tuple[int, ...]
    animated_ids: tuple[int, ...] = ()
    kind: str | None = None
    tag: str | None = None
    board_id: int | None = None
    author_id: int | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    card_id: int
    collective_id: int
    board_id: int
    title: str
    snippet: str


@dataclass
class Result:
    """A page of hits with the total and facets; ``total_exact`` is false when the total is
    an estimate (the database backends count exactly up to a bounded candidate set)."""

    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"kind": {}, "tag": {}, "board": {}}
    )
    total_exact: bool = True


def parse_words(text: str) -> tuple[Word, ...]:
    """The searchable words of ``text``; the last one is a prefix while it is being typed.

    A query made only of stop words keeps its last one as a prefix when it is being typed:
    « le » may be the start of « leasing ».
    """
    found = words(text)
    typing = bool(text) and text[-1].isalnum()
    out: list[Word] = []
    for n, word in enumerate(found):
        last = typing and n == len(found) - 1
        if word not in STOP_WORDS:
            out.append(Word(word, stem(word), prefix=last))
    if not out and typing and found and len(found[-1]) >= 2:
        out.append(Word(found[-1], found[-1], prefix=True))
    return tuple(out[:MAX_WORDS])
