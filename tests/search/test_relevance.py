"""The French judged set (``judged_set.json``) on every backend: MRR@10 at least 0.85, and
better than a raw FTS5 table with no French analysis."""

from __future__ import annotations

from bench.search import judged_set, raw_fts5_relevance, relevance
from tests.search.conftest import Stack


async def test_relevance_on_the_judged_set(stack: Stack) -> None:
    data = judged_set()
    # The score means something only over what French users type.
    assert len(data["queries"]) >= 60
    covered = {q["covers"] for q in data["queries"]}
    assert {"accents", "plural", "verb", "elision", "typo", "multi", "prefix"} <= covered
    mrr, recall = await relevance(stack.search.backend, data)
    baseline_mrr, _ = raw_fts5_relevance(data)
    assert mrr >= 0.85, (mrr, recall)
    assert mrr > baseline_mrr
