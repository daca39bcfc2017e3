"""Lexical similarity of cards, with no model: TF-IDF cosine over the search analyser's terms
(folded, elisions split, stop words dropped, Snowball French stems), title and tags counting
twice the body. An inverted index makes a suggestion cost what the query's terms' postings
cost, not what the collective's size costs. Pure: no database, no I/O."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from search.french import STOP_WORDS, stem, words
from search.similar.thesaurus import canonical

TITLE_WEIGHT = 2.0
TAG_WEIGHT = 2.0
BODY_WEIGHT = 1.0
# Norms are computed with the idf of the moment; they are all computed again when the index
# has grown or shrunk by this share since (idf drifts slowly).
RENORM_DRIFT = 0.2


def analysed(text: str, thesaurus: bool = True) -> list[str]:
    """The search analyser's terms of ``text`` (folded, elisions split, stop words dropped,
    stemmed), each word first replaced by its thesaurus group's (``thesaurus``)."""
    found = [w for w in words(text) if w not in STOP_WORDS]
    return [stem(canonical(w) if thesaurus else w) for w in found]


def card_terms(
    title: str, body: str, tags: list[str] | tuple[str, ...] = (), *, thesaurus: bool = True
) -> dict[str, float]:
    """Weighted term counts of a card (or of what someone is typing)."""
    counts: dict[str, float] = {}
    parts = ((title, TITLE_WEIGHT), (body, BODY_WEIGHT), *((t, TAG_WEIGHT) for t in tags))
    for text, weight in parts:
        for term in analysed(text, thesaurus):
            counts[term] = counts.get(term, 0.0) + weight
    return counts


def _tf(weight: float) -> float:
    return 1.0 + math.log(weight) if weight >= 1 else weight


@dataclass
class _Doc:
    tf: dict[str, float]
    norm: float = 1.0


class LexicalIndex:
    """The cards of one collective, ready to be compared with a text."""

    def __init__(self) -> None:
        self._docs: dict[int, _Doc] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._normed_at = 0  # the size when the norms were last all computed

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, card_id: int) -> bool:
        return card_id in self._docs

    def idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        return math.log((len(self._docs) + 1) / (df + 1)) + 1.0

    def put(self, card_id: int, counts: dict[str, float]) -> None:
        """Add or replace a card."""
        self.remove(card_id)
        tf = {term: _tf(weight) for term, weight in counts.items() if weight > 0}
        doc = _Doc(tf)
        self._docs[card_id] = doc
        for term, weight in tf.items():
            self._postings.setdefault(term, {})[card_id] = weight
        doc.norm = self._norm(tf)
        self._maybe_renorm()

    def remove(self, card_id: int) -> None:
        doc = self._docs.pop(card_id, None)
        if doc is None:
            return
        for term in doc.tf:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(card_id, None)
                if not posting:
                    del self._postings[term]
        self._maybe_renorm()

    def _norm(self, tf: dict[str, float]) -> float:
        return math.sqrt(sum((w * self.idf(t)) ** 2 for t, w in tf.items())) or 1.0

    def _maybe_renorm(self) -> None:
        size = len(self._docs)
        if abs(size - self._normed_at) > max(8, RENORM_DRIFT * self._normed_at):
            for doc in self._docs.values():
                doc.norm = self._norm(doc.tf)
            self._normed_at = size

    def similar(
        self, counts: dict[str, float], limit: int, exclude: set[int] | frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The ``limit`` cards closest to ``counts`` (cosine, 0–1), best first."""
        query = {term: _tf(weight) * self.idf(term) for term, weight in counts.items()}
        qnorm = math.sqrt(sum(w * w for w in query.values())) or 1.0
        scores: dict[int, float] = {}
        for term, qweight in query.items():
            posting = self._postings.get(term)
            if not posting:
                continue
            idf = self.idf(term)
            for card_id, weight in posting.items():
                scores[card_id] = scores.get(card_id, 0.0) + qweight * weight * idf
        docs = self._docs
        ranked = heapq.nsmallest(
            limit,
            (
                (-score / (qnorm * docs[card_id].norm), card_id)
                for card_id, score in scores.items()
                if card_id not in exclude
            ),
        )
        return [(card_id, min(-negative, 1.0)) for negative, card_id in ranked]
