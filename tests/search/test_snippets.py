"""Snippets: an escaped excerpt around the densest run of matches, each one marked."""

from __future__ import annotations

from search.query import parse_words
from search.snippets import SNIPPET_WORDS, snippet


def test_snippet_marks_stems_and_escapes() -> None:
    out = snippet("Les <b>Économies</b> d'énergie", parse_words("economie "))
    assert out == "Les &lt;b&gt;<mark>Économies</mark>&lt;/b&gt; d&#x27;énergie"


def test_a_plural_query_marks_the_singular_in_the_text() -> None:
    text = "Nous avons posé une pompe à chaleur chez Mme Dupont."
    assert snippet(text, parse_words("pompes ")) == (
        "Nous avons posé une <mark>pompe</mark> à chaleur chez Mme Dupont."
    )


def test_a_word_being_typed_marks_words_it_starts() -> None:
    assert snippet("Les isolants biosourcés", parse_words("iso")) == (
        "Les <mark>isolants</mark> biosourcés"
    )


def test_stop_words_are_not_marked() -> None:
    assert snippet("La laine de bois isole", parse_words("de bois")) == (
        "La laine de <mark>bois</mark> isole"
    )


def test_a_long_text_is_cut_around_the_matches() -> None:
    before = " ".join(f"avant{i}" for i in range(60))
    after = " ".join(f"apres{i}" for i in range(60))
    out = snippet(f"{before} la chaudière à granulés {after}", parse_words("chaudière granulés"))
    assert out.startswith("… avant58 avant59 la <mark>chaudière</mark> à <mark>granulés</mark>")
    assert out.endswith(" …")
    assert len(out.split()) == SNIPPET_WORDS + 2  # the window and its two ellipses


def test_private_use_characters_in_the_text_do_not_become_marks() -> None:
    text = "Début \ue000 chaudière \ue001"
    assert snippet(text, parse_words("chaudiere")) == "Début \ue000 <mark>chaudière</mark> \ue001"


def test_a_text_without_words_is_escaped_as_is() -> None:
    assert snippet("  <> ... ", parse_words("chaudière")) == "&lt;&gt; ..."
