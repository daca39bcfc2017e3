"""French analysis: folding, elisions, stop words, stemming; query words and prefixes."""

from __future__ import annotations

from search.french import analyze, fold, terms
from search.query import parse_words
from search.snippets import snippet
from search.typos import closest, distance


def test_folding_and_elisions() -> None:
    assert fold("Économie Œuvre") == "economie oeuvre"
    assert terms("L'entreprise d’Économies qu'il") == ["entrepris", "econom"]
    assert analyze("les pratiques") == analyze("Pratique") == "pratiqu"


def test_query_words_and_prefix() -> None:
    words = parse_words("l'isolation des comb")
    assert [(w.text, w.prefix) for w in words] == [("isolation", False), ("comb", True)]
    assert [w.text for w in parse_words("isolation ")] == ["isolation"]
    assert not parse_words("de la ")
    assert [(w.text, w.prefix) for w in parse_words("le")] == [("le", True)]


def test_typo_distance() -> None:
    assert distance("energetiqe", "energetique", 2) == 1
    assert distance("isloation", "isolation", 1) == 1
    assert closest("renovaton", ["renovation", "innovation", "rotation"]) == ["renovation"]
    assert closest("bois", ["boit"]) == []


def test_snippet_marks_stems_and_escapes() -> None:
    out = snippet("Les <b>Économies</b> d'énergie", parse_words("economie "))
    assert out == "Les &lt;b&gt;<mark>Économies</mark>&lt;/b&gt; d&#x27;énergie"
