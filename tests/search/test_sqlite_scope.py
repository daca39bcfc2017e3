"""The SQLite index's scope tokens, checked on a real FTS5 table: a member matches only the
visible pieces (``v<c>``) of their collectives, an animator every piece (``c<c>``) of the ones
they animate, and the kind, tag, board and author filters keep only what was asked for."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from search.query import Query, parse_words
from search.sqlite_scope import hashed, piece_scope, scope_match, scope_tokens


@dataclass(frozen=True)
class Piece:
    name: str
    collective_id: int
    visible: bool
    board_id: int
    kind: str
    tags: tuple[str, ...]
    author_id: int


PIECES = (
    Piece("isolation publiée", 1, True, 10, "practice", ("isolation", "laine de bois"), 100),
    Piece("isolation masquée", 1, False, 10, "practice", ("isolation",), 101),
    Piece("devis de chantier", 1, True, 11, "question", ("devis",), 101),
    Piece("autre collectif", 2, True, 20, "practice", ("isolation",), 100),
    Piece("masquée ailleurs", 2, False, 20, "idea", (), 102),
)


@pytest.fixture
def index() -> Iterator[sqlite3.Connection]:
    """An FTS5 table declared like the backend's, holding ``PIECES`` by name."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, scope, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    for p in PIECES:
        scope = scope_tokens(p.collective_id, p.visible, p.board_id, p.kind, p.tags, p.author_id)
        db.execute("INSERT INTO fts (title, scope) VALUES (?, ?)", (p.name, scope))
    yield db
    db.close()


def matching(db: sqlite3.Connection, query: Query) -> set[str]:
    rows = db.execute("SELECT title FROM fts WHERE fts MATCH ?", (scope_match(query),))
    return {title for (title,) in rows}


def query(
    collectives: tuple[int, ...],
    animated_ids: tuple[int, ...] = (),
    kind: str | None = None,
    tag: str | None = None,
    board_id: int | None = None,
    author_id: int | None = None,
) -> Query:
    words = parse_words("isolation")
    return Query("isolation", words, collectives, animated_ids, kind, tag, board_id, author_id)


def test_a_member_matches_only_the_visible_pieces_of_their_collectives(
    index: sqlite3.Connection,
) -> None:
    assert matching(index, query((1,))) == {"isolation publiée", "devis de chantier"}
    assert matching(index, query((1, 2))) == {
        "isolation publiée",
        "devis de chantier",
        "autre collectif",
    }


def test_an_animator_also_matches_hidden_pieces_but_only_where_they_animate(
    index: sqlite3.Connection,
) -> None:
    assert matching(index, query((1, 2), animated_ids=(1,))) == {
        "isolation publiée",
        "isolation masquée",
        "devis de chantier",
        "autre collectif",
    }


def test_animating_a_collective_shows_nothing_of_it_unless_it_is_searched(
    index: sqlite3.Connection,
) -> None:
    assert matching(index, query((2,), animated_ids=(1,))) == {"autre collectif"}
    assert matching(index, query((3,), animated_ids=(3,))) == set()


def test_free_text_filters_cannot_inject_fts5_syntax(index: sqlite3.Connection) -> None:
    # Hashed, a kind or tag is one token whatever it holds: no quote or OR reaches FTS5.
    assert matching(index, query((1,), tag='" OR v2 OR "')) == set()
    assert matching(index, query((1,), kind="practice OR c1")) == set()


def test_kind_board_author_and_tag_filters_narrow_the_match(index: sqlite3.Connection) -> None:
    animator = (1,)
    assert matching(index, query((1,), kind="question", animated_ids=animator)) == {
        "devis de chantier"
    }
    assert matching(index, query((1,), board_id=10, animated_ids=animator)) == {
        "isolation publiée",
        "isolation masquée",
    }
    assert matching(index, query((1,), author_id=101, animated_ids=animator)) == {
        "isolation masquée",
        "devis de chantier",
    }
    # A tag of several words is one token: « laine de bois » does not match « bois » alone.
    assert matching(index, query((1,), tag="laine de bois", animated_ids=animator)) == {
        "isolation publiée"
    }
    assert matching(index, query((1,), tag="bois", animated_ids=animator)) == set()
    assert matching(index, query((1, 2), kind="practice", author_id=100)) == {
        "isolation publiée",
        "autre collectif",
    }


def test_scope_tokens_name_collective_visibility_board_author_kind_and_tags() -> None:
    tokens = scope_tokens(7, True, 3, "idée reçue", ["béton", "béton", "chaux"], 42)
    assert tokens.split() == [
        "c7",
        "v7",
        "b3",
        "a42",
        hashed("k", "idée reçue"),
        *sorted({hashed("t", "béton"), hashed("t", "chaux")}),
    ]
    assert "v7" not in scope_tokens(7, False, 3, "idea", [], 42).split()


def test_hashes_are_single_alphanumeric_tokens_distinct_by_prefix() -> None:
    kind, tag = hashed("k", "Rénovation « globale »"), hashed("t", "Rénovation « globale »")
    assert kind[0] == "k" and tag[0] == "t" and kind[1:] == tag[1:]
    assert kind.isalnum() and len(kind) == 17
    assert hashed("t", "chaux") != hashed("t", "Chaux")


def test_a_rows_scope_hides_a_hidden_piece_or_a_piece_of_a_hidden_card() -> None:
    @dataclass
    class Row:
        collective_id: int = 5
        hidden: bool = False
        card_hidden: bool = False
        board_id: int = 9
        kind: str = "idea"
        tags: str = '["chanvre"]'
        author_id: int = 4

    assert piece_scope(Row()) == scope_tokens(5, True, 9, "idea", ["chanvre"], 4)
    assert "v5" not in piece_scope(Row(hidden=True)).split()
    assert "v5" not in piece_scope(Row(card_hidden=True)).split()
