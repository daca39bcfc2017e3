"""The scope column of the SQLite index: each piece carries filter tokens (its collective,
whether anyone may see it, its board, author, kind and tags), and a query matches the tokens
its user may see and asked for, so the filter by collective is part of the FTS5 index access
rather than a filter over every match."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from search.query import Query


def hashed(prefix: str, value: str) -> str:
    # Kinds and tags are free text: a hex digest makes one token of each.
    return prefix + hashlib.blake2b(value.encode(), digest_size=8).hexdigest()


def scope_tokens(
    collective_id: int,
    visible: bool,
    board_id: int,
    kind: str,
    tags: Sequence[str],
    author_id: int,
) -> str:
    """The filter tokens of one piece: ``c<collective>`` always and ``v<collective>`` when
    anyone may see it, ``b<board>``, ``a<author>``, and hashes of its kind and tags."""
    tokens = [f"c{collective_id}"]
    if visible:
        tokens.append(f"v{collective_id}")
    tokens += [f"b{board_id}", f"a{author_id}", hashed("k", kind)]
    tokens += sorted({hashed("t", tag) for tag in tags})
    return " ".join(tokens)


def scope_match(query: Query) -> str:
    """The FTS5 expression that keeps only what ``query``'s user may see and asked for."""
    animated = set(query.animated_ids)
    clauses = [
        "(" + " OR ".join(f"{'c' if c in animated else 'v'}{c}" for c in query.collective_ids) + ")"
    ]
    if query.kind is not None:
        clauses.append(hashed("k", query.kind))
    if query.board_id is not None:
        clauses.append(f"b{query.board_id}")
    if query.author_id is not None:
        clauses.append(f"a{query.author_id}")
    if query.tag is not None:
        clauses.append(hashed("t", query.tag))
    return "scope : (" + " AND ".join(clauses) + ")"


def piece_scope(row: Any) -> str:
    return scope_tokens(
        int(row.collective_id),
        not row.hidden and not row.card_hidden,
        int(row.board_id),
        str(row.kind),
        json.loads(row.tags),
        int(row.author_id),
    )
