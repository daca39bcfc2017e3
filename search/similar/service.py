"""Similar cards of a collective, for the new-card dialog (« Ces fiches ressemblent à la
vôtre ») and a card's « Fiches proches ».

Each process keeps, per collective asked about, the lexical index of its published cards
(``search.similar.lexical``), brought up to date at each request from the cards changed since
(one indexed read), and — with the ``semantic`` extra — their embeddings, computed in a worker
thread, cached per card version and mixed with the lexical score. What is answered is read
again from the database first: a card hidden, deleted, merged or emptied meanwhile is never
suggested. Only published cards of a collective the caller belongs to are ever answered."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from search.similar import semantic
from search.similar.lexical import LexicalIndex, card_terms
from server.core.models import Card, Collective, Moderation, User
from server.core.platform import Essaim
from server.domain.access import card_for, membership

log = logging.getLogger("essaim.similar")

LIMIT = 5
CANDIDATES = 25
# Below this mixed score a card is not suggested: an unrelated card is worse than none.
MIN_SCORE = 0.12
# Cards changed this long before the last refresh are read again (a transaction that
# committed after a later one, with an earlier ``updated_at``, is not missed).
OVERLAP = timedelta(seconds=5)
EMBED_BATCH = 32
FREEZE_AFTER = 500  # cards indexed at once
LEXICAL_WEIGHT = 0.5  # with embeddings: mixed = this × lexical + the rest × semantic


@dataclass(frozen=True)
class _Card:
    title: str
    kind: str
    board_id: int
    version: int


@dataclass
class _Collective:
    lexical: LexicalIndex = field(default_factory=LexicalIndex)
    cards: dict[int, _Card] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)  # to embed (semantic extra only)
    vectors: dict[int, tuple[int, Any]] = field(default_factory=dict)  # id → (version, vector)
    watermark: datetime | None = None
    seq: int = -1  # the collective's event log position the index has seen
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    embedding: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class Suggestion:
    card_id: int
    score: float
    lexical: float
    semantic: float | None


class SimilarCards:
    """The process's similarity runtime (``app.state.similar``)."""

    def __init__(
        self, essaim: Essaim, *, semantic_on: bool | None = None, thesaurus: bool = True
    ) -> None:
        self.essaim = essaim
        self.semantic_on = semantic.available() if semantic_on is None else semantic_on
        self.thesaurus = thesaurus  # off only to measure what it brings (bench.similar)
        self._collectives: dict[int, _Collective] = {}

    async def stop(self) -> None:
        for state in self._collectives.values():
            if state.embedding is not None:
                state.embedding.cancel()
        for state in self._collectives.values():
            if state.embedding is not None:
                try:
                    await state.embedding
                except (asyncio.CancelledError, Exception):
                    pass
        self._collectives.clear()

    # -------------------------------------------------------------- requests

    async def for_text(
        self, user: User, collective_id: int, text: str, exclude: int | None = None
    ) -> dict[str, Any]:
        """``GET /collectives/{id}/similar?text=…&exclude=…``."""
        async with self.essaim.db.read() as session:
            await membership(session, user, collective_id)
        return await self.answer(collective_id, text, {exclude} if exclude else set())

    async def answer(self, collective_id: int, text: str, exclude: set[int]) -> dict[str, Any]:
        """What the endpoints answer, once the caller's access is checked."""
        found = await self.suggest(collective_id, text, exclude)
        return {"cards": await self._views(collective_id, found)}

    async def for_card(self, user: User, card_id: int) -> dict[str, Any]:
        """``GET /cards/{id}/similar``: the cards close to one the caller may read."""
        async with self.essaim.db.read() as session:
            card, _ = await card_for(session, user, card_id)
            text = "\n".join([card.title, card.body, " ".join(card.tags)])
            collective_id = card.collective_id
        return await self.answer(collective_id, text, {card_id})

    async def suggest(
        self,
        collective_id: int,
        text: str,
        exclude: set[int],
        limit: int = LIMIT,
        *,
        lexical_weight: float = LEXICAL_WEIGHT,
    ) -> list[Suggestion]:
        """The cards of the collective closest to ``text``, best first (no access check);
        ``lexical_weight`` 0 ranks by embeddings alone (the benchmark compares them)."""
        counts = card_terms(text, "", thesaurus=self.thesaurus)
        if not counts:
            return []
        state = await self._fresh(collective_id)
        lexical = dict(state.lexical.similar(counts, CANDIDATES, exclude))
        semantic_scores: dict[int, float] = {}
        if self.semantic_on and state.vectors:
            semantic_scores = await asyncio.to_thread(self._semantic, state, text, exclude)
        found = []
        for card_id in set(lexical) | set(semantic_scores):
            lex = lexical.get(card_id, 0.0)
            if semantic_scores:
                sem = semantic_scores.get(card_id, 0.0)
                score = lexical_weight * lex + (1 - lexical_weight) * sem
                found.append(Suggestion(card_id, score, lex, sem))
            else:
                found.append(Suggestion(card_id, lex, lex, None))
        found.sort(key=lambda s: (-s.score, s.card_id))
        return [s for s in found if s.score >= MIN_SCORE][:limit]

    def _semantic(self, state: _Collective, text: str, exclude: set[int]) -> dict[int, float]:
        import numpy  # present with the semantic extra

        ids = [i for i in state.vectors if i not in exclude and i in state.cards]
        if not ids:
            return {}
        matrix = numpy.stack([state.vectors[i][1] for i in ids])
        scores = matrix @ semantic.query(text)
        best = numpy.argsort(-scores)[:CANDIDATES]
        return {ids[int(k)]: semantic.rescaled(float(scores[int(k)])) for k in best}

    async def _views(self, collective_id: int, found: list[Suggestion]) -> list[dict[str, Any]]:
        """What is answered, read again from the database: only cards still published."""
        if not found:
            return []
        async with self.essaim.db.read() as session:
            rows = {
                c.id: c
                for c in await session.scalars(
                    select(Card).where(
                        Card.id.in_([s.card_id for s in found]),
                        Card.collective_id == collective_id,
                        Card.moderation == Moderation.published,
                        Card.merged_into_id.is_(None),
                    )
                )
            }
        state = self._collectives.get(collective_id)
        views = []
        for s in found:
            card = rows.get(s.card_id)
            if card is None:
                if state is not None:
                    self._forget(state, s.card_id)
                continue
            if (
                state is not None
                and state.cards.get(card.id, _Card("", "", 0, -1)).version != card.version
            ):
                self._put(state, card)  # changed since the index saw it: next time, fresh
            views.append(
                {
                    "id": card.id,
                    "title": card.title,
                    "kind": card.kind,
                    "board_id": card.board_id,
                    "url": f"/cards/{card.id}",
                    "score": round(s.score, 3),
                    "lexical": round(s.lexical, 3),
                    "semantic": None if s.semantic is None else round(s.semantic, 3),
                }
            )
        return views

    # -------------------------------------------------------------- the index

    async def _fresh(self, collective_id: int) -> _Collective:
        state = self._collectives.setdefault(collective_id, _Collective())
        async with state.lock:
            async with self.essaim.db.read() as session:
                await self._refresh(session, collective_id, state)
        if self.semantic_on:
            self._embed_later(state)
        return state

    async def _refresh(self, session: AsyncSession, collective_id: int, state: _Collective) -> None:
        # Every change of a card appends an event: an unchanged position means nothing to read.
        seq = await session.scalar(
            select(Collective.last_seq).where(Collective.id == collective_id)
        )
        if seq is None or seq == state.seq:
            return
        state.seq = seq
        query = select(Card).where(Card.collective_id == collective_id)
        if state.watermark is not None:
            query = query.where(Card.updated_at > state.watermark - OVERLAP)
        latest = state.watermark
        put = 0
        for card in await session.scalars(query):
            if card.moderation == Moderation.published and card.merged_into_id is None:
                if state.cards.get(card.id, _Card("", "", 0, -1)).version != card.version:
                    self._put(state, card)
                    put += 1
            else:
                self._forget(state, card.id)
            if latest is None or card.updated_at > latest:
                latest = card.updated_at
        state.watermark = latest
        if put >= FREEZE_AFTER:
            # Thousands of cards are ~100,000 objects the garbage collector would scan at each
            # full pass (tens of milliseconds, a stall of every request): freeze them out of
            # it, as the realtime hub does for its connections. Frozen objects are still freed
            # once unreferenced; young cycles are collected first.
            gc.collect(1)
            gc.freeze()

    def _put(self, state: _Collective, card: Card) -> None:
        terms = card_terms(card.title, card.body, card.tags, thesaurus=self.thesaurus)
        state.lexical.put(card.id, terms)
        state.cards[card.id] = _Card(card.title, card.kind, card.board_id, card.version)
        if self.semantic_on:
            state.texts[card.id] = semantic.card_text(card.title, card.body, card.tags)
            cached = state.vectors.get(card.id)
            if cached is not None and cached[0] != card.version:
                del state.vectors[card.id]

    def _forget(self, state: _Collective, card_id: int) -> None:
        state.lexical.remove(card_id)
        state.cards.pop(card_id, None)
        state.texts.pop(card_id, None)
        state.vectors.pop(card_id, None)

    def _embed_later(self, state: _Collective) -> None:
        if state.embedding is None or state.embedding.done():
            if any(i not in state.vectors for i in state.cards):
                state.embedding = asyncio.create_task(self._embed(state), name="essaim-embed")

    async def _embed(self, state: _Collective) -> None:
        """Embed the cards that have no vector for their version, a batch at a time, off the
        event loop."""
        while True:
            todo = [i for i in state.cards if i not in state.vectors][:EMBED_BATCH]
            if not todo:
                return
            versions = {i: state.cards[i].version for i in todo}
            texts = [state.texts.get(i, "") for i in todo]
            try:
                matrix = await asyncio.to_thread(semantic.passages, texts)
            except Exception:
                log.exception("embedding cards failed; lexical similarity only meanwhile")
                return
            for card_id, row in zip(todo, matrix, strict=True):
                if card_id in state.cards and state.cards[card_id].version == versions[card_id]:
                    state.vectors[card_id] = (versions[card_id], row)

    async def embedded(self, collective_id: int) -> None:
        """Wait until every card of the collective has its vector (benchmarks, tests)."""
        state = await self._fresh(collective_id)
        while state.embedding is not None and not state.embedding.done():
            await state.embedding
            self._embed_later(state)
