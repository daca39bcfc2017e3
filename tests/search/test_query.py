"""A search as typed: its words analysed, the last one a prefix while it is being typed."""

from __future__ import annotations

from search.query import MAX_WORDS, Word, parse_words


def test_query_words_and_prefix() -> None:
    words = parse_words("l'isolation des comb")
    assert [(w.text, w.prefix) for w in words] == [("isolation", False), ("comb", True)]
    assert [w.text for w in parse_words("isolation ")] == ["isolation"]
    assert not parse_words("de la ")
    assert [(w.text, w.prefix) for w in parse_words("le")] == [("le", True)]


def test_words_are_folded_and_stemmed_and_stop_words_dropped() -> None:
    assert parse_words("Pompes à chaleur") == (
        Word("pompes", "pomp"),
        Word("chaleur", "chaleur", prefix=True),
    )


def test_a_trailing_space_or_punctuation_ends_the_last_word() -> None:
    assert not any(w.prefix for w in parse_words("pompes à chaleur "))
    assert not any(w.prefix for w in parse_words("pompe à chaleur ?"))


def test_an_empty_or_one_letter_query_has_no_words() -> None:
    assert parse_words("") == ()
    assert parse_words("l") == ()
    assert parse_words("l'") == ()


def test_pasted_text_is_cut_to_the_first_words() -> None:
    pasted = " ".join(f"chantier{i}" for i in range(MAX_WORDS + 8))
    words = parse_words(pasted)
    assert len(words) == MAX_WORDS
    assert words[0].text == "chantier0" and words[-1].text == f"chantier{MAX_WORDS - 1}"
