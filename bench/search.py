"""Search benchmarks: relevance on the French judged set, and speed at scale.

    python -m bench.search --docs 20000

Relevance: MRR@10 and recall@10 of each available backend on ``tests/search/judged_set.json``,
and of a raw FTS5 ``unicode61`` table with no French analysis (the baseline). Speed: N
generated French cards indexed through the search layer (SQLite FTS5, the embedded default),
then queries from many users (each in a few of 50 collectives), through the search layer and
as a bare FTS5 query on the same data. The last line sums it up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search.backend import SearchBackend
from search.documents import CardState, Document
from search.query import Query, parse_words
from server.core.db import Database

JUDGED = Path(__file__).resolve().parent.parent / "tests" / "search" / "judged_set.json"


def judged_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(JUDGED.read_text(encoding="utf-8"))
    return data


def judged_documents(data: dict[str, Any]) -> list[Document]:
    """The judged corpus as card pieces of collective 1 (card id = position + 1)."""
    return [
        Document(
            "card",
            n,
            0,
            CardState(n, 1, 1, "practice", tuple(d["tags"]), False),
            1,
            False,
            d["title"],
            d["body"],
        )
        for n, d in enumerate(data["documents"], start=1)
    ]


def scores(ranked: list[list[str]], data: dict[str, Any]) -> tuple[float, float]:
    """MRR@10 and recall@10 of the ranked keys, query by query."""
    mrr = recall = 0.0
    for keys, query in zip(ranked, data["queries"], strict=True):
        relevant = set(query["relevant"])
        top = keys[:10]
        first = next((i for i, k in enumerate(top) if k in relevant), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        recall += len(relevant & set(top)) / len(relevant)
    n = len(data["queries"])
    return mrr / n, recall / n


async def relevance(backend: SearchBackend, data: dict[str, Any]) -> tuple[float, float]:
    """Index the judged corpus in ``backend`` (already prepared) and score its answers."""
    keys = {n: d["key"] for n, d in enumerate(data["documents"], start=1)}
    await backend.upsert(judged_documents(data))
    ranked = []
    for query in data["queries"]:
        result = await backend.search(
            Query(query["q"], parse_words(query["q"]), collective_ids=(1,), limit=10)
        )
        ranked.append([keys[h.card_id] for h in result.hits])
    return scores(ranked, data)


def raw_fts5_relevance(data: dict[str, Any]) -> tuple[float, float]:
    """The baseline: FTS5 unicode61 over the raw text, every typed word required."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tags, tokenize='unicode61')")
    for n, d in enumerate(data["documents"], start=1):
        db.execute(
            "INSERT INTO t (rowid, title, body, tags) VALUES (?, ?, ?, ?)",
            (n, d["title"], d["body"], " ".join(d["tags"])),
        )
    keys = {n: d["key"] for n, d in enumerate(data["documents"], start=1)}
    ranked = []
    for query in data["queries"]:
        match = raw_match(query["q"])
        rows = db.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 3.0, 1.0, 1.0) LIMIT 10",
            (match,),
        ).fetchall()
        ranked.append([keys[r[0]] for r in rows])
    return scores(ranked, data)


def raw_match(text: str) -> str:
    words = re.findall(r"[^\W_]+", text.lower())
    return " AND ".join(f'"{w}"' for w in words) or '""'


# ---------------------------------------------------------------- generated corpus

SUBJECTS = [
    "isolation",
    "chauffage",
    "menuiserie",
    "charpente",
    "plomberie",
    "électricité",
    "maçonnerie",
    "couverture",
    "peinture",
    "carrelage",
    "ventilation",
    "toiture",
    "façade",
    "trésorerie",
    "facturation",
    "devis",
    "recrutement",
    "apprentissage",
    "formation",
    "sécurité",
    "déchets",
    "réemploi",
    "économie",
    "énergie",
    "rénovation",
    "chantier",
    "fournisseur",
    "client",
    "subvention",
    "banque",
    "assurance",
    "qualification",
    "planning",
    "stock",
    "logiciel",
    "numérique",
    "communication",
    "transmission",
    "coopérative",
]
VERBS = [
    "mutualiser",
    "réduire",
    "organiser",
    "négocier",
    "améliorer",
    "partager",
    "former",
    "suivre",
    "mesurer",
    "anticiper",
    "financer",
    "recycler",
    "installer",
    "entretenir",
]
WORDS = (
    "les artisans de la Drôme ont testé une méthode simple pour les chantiers de rénovation"
    " énergétique avec des résultats mesurés sur six mois et un retour d'expérience détaillé"
    " qui montre les économies réalisées par l'entreprise et les difficultés rencontrées avec"
    " les clients les fournisseurs et les salariés pendant la phase collective de l'action"
).split()


def generated_card(rng: random.Random) -> tuple[str, str, list[str]]:
    subject, other = rng.sample(SUBJECTS, 2)
    title = f"{rng.choice(VERBS).capitalize()} {subject} et {other}"
    body_words = [rng.choice(WORDS) for _ in range(rng.randint(30, 120))]
    for _ in range(rng.randint(2, 6)):
        body_words.insert(rng.randrange(len(body_words)), rng.choice(SUBJECTS + VERBS))
    return title, " ".join(body_words) + ".", rng.sample(SUBJECTS, 2)


async def speed(docs: int, queries: int, seed: int = 7) -> dict[str, float]:
    from search.sqlite import SQLiteBackend

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.migrate()
        backend = SQLiteBackend(database)
        await backend.prepare()
        cards = [generated_card(rng) for _ in range(docs)]
        pieces = [
            Document(
                "card",
                n,
                0,
                CardState(n, 1 + n % 50, 1 + n % 200, "practice", tuple(tags), False),
                1 + n % 300,
                n % 97 == 0,
                title,
                body,
            )
            for n, (title, body, tags) in enumerate(cards, start=1)
        ]
        started = time.perf_counter()
        for start in range(0, len(pieces), 1000):
            await backend.upsert(pieces[start : start + 1000])
        index_rate = docs / (time.perf_counter() - started)
        raw = sqlite3.connect(path)
        raw.execute("CREATE VIRTUAL TABLE raw_fts USING fts5(title, body, tokenize='unicode61')")
        raw.executemany(
            "INSERT INTO raw_fts (rowid, title, body) VALUES (?, ?, ?)",
            [(n, t, b) for n, (t, b, _) in enumerate(cards, start=1)],
        )
        raw.commit()
        texts = [
            " ".join(rng.sample(SUBJECTS + VERBS, rng.randint(1, 2)))
            + ("" if rng.random() < 0.5 else " ")
            for _ in range(queries)
        ]
        ours: list[float] = []
        for n, text in enumerate(texts):
            user_collectives = tuple(sorted({1 + (n * k) % 50 for k in (1, 7, 13)}))
            query = Query(
                text,
                parse_words(text),
                collective_ids=user_collectives,
                animated_ids=user_collectives[:1] if n % 10 == 0 else (),
                limit=20,
            )
            t0 = time.perf_counter()
            await backend.search(query)
            ours.append((time.perf_counter() - t0) * 1000)
        bare: list[float] = []
        for text in texts:
            t0 = time.perf_counter()
            raw.execute(
                "SELECT rowid, title FROM raw_fts WHERE raw_fts MATCH ? ORDER BY rank LIMIT 20",
                (raw_match(text),),
            ).fetchall()
            bare.append((time.perf_counter() - t0) * 1000)
        raw.close()
        await database.dispose()
    return {
        "index_docs_per_s": index_rate,
        "p50_ms": percentile(ours, 50),
        "p99_ms": percentile(ours, 99),
        "raw_p50_ms": percentile(bare, 50),
    }


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def backends_relevance(data: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """MRR@10 and recall@10 per available backend (each on a fresh, empty index)."""
    from search.postgres import PostgresBackend
    from search.sqlite import SQLiteBackend

    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'judged.db'}")
        await database.migrate()
        sqlite_backend = SQLiteBackend(database)
        await sqlite_backend.prepare()
        out["sqlite"] = await relevance(sqlite_backend, data)
        await database.dispose()
    pg_url = os.environ.get("ESSAIM_BENCH_POSTGRES_URL", "")
    if pg_url:
        database = Database(pg_url)
        await database.migrate()
        pg_backend = PostgresBackend(database)
        await pg_backend.clear()
        out["postgresql"] = await relevance(pg_backend, data)
        await pg_backend.clear()
        await database.dispose()
    meili_url = os.environ.get("MEILI_URL", "")
    if meili_url:
        from search.meili import MeilisearchBackend

        meili = MeilisearchBackend(meili_url, os.environ.get("MEILI_MASTER_KEY", ""), "bench")
        await meili.prepare()
        await meili.clear()
        out["meilisearch"] = await relevance(meili, data)
    return out


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--docs", type=int, default=20000, help="generated cards to index")
    parser.add_argument("--queries", type=int, default=1000, help="queries to time")
    args = parser.parse_args(argv)
    data = judged_set()
    found = await backends_relevance(data)
    baseline = raw_fts5_relevance(data)
    print(f"judged set: {len(data['queries'])} queries over {len(data['documents'])} documents")
    for name, (mrr, recall) in found.items():
        print(f"relevance {name}: mrr10={mrr:.3f} recall10={recall:.3f}")
    print(f"relevance raw-fts5-unicode61: mrr10={baseline[0]:.3f} recall10={baseline[1]:.3f}")
    figures = await speed(args.docs, args.queries)
    print(
        f"speed sqlite: raw fts5 p50_ms={figures['raw_p50_ms']:.3f}"
        f" (bare MATCH on an unanalysed table of the same {args.docs} cards)"
    )
    print(
        f"search docs={args.docs} index_docs_per_s={figures['index_docs_per_s']:.0f}"
        f" p50_ms={figures['p50_ms']:.2f} p99_ms={figures['p99_ms']:.2f}"
        f" mrr10={found['sqlite'][0]:.3f}"
        f" ratio_vs_raw_fts5={figures['p50_ms'] / max(figures['raw_p50_ms'], 1e-9):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
