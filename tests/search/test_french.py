"""French analysis: folding, elisions, stop words, stemming."""

from __future__ import annotations

import pytest

from search.french import STOP_WORDS, analyze, fold, stem, terms, words


def test_folding_and_elisions() -> None:
    assert fold("Économie Œuvre") == "economie oeuvre"
    assert terms("L'entreprise d’Économies qu'il") == ["entrepris", "econom"]
    assert analyze("les pratiques") == analyze("Pratique") == "pratiqu"


def test_folding_strips_accents_and_ligatures_but_keeps_everything_else() -> None:
    assert fold("Œuf à la Crème brûlée, GARÇON ß") == "oeuf a la creme brulee, garcon ss"
    assert fold("Isolation 2025 !") == "isolation 2025 !"


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "‘", "`", "´"])
def test_every_apostrophe_splits_an_elision(apostrophe: str) -> None:
    assert words(f"l{apostrophe}hôtel") == ["l", "hotel"]
    assert terms(f"d{apostrophe}isolation") == ["isol"]


def test_long_elisions_and_punctuation_split_words() -> None:
    assert words("jusqu’à l'hôtel d`en-face") == ["jusqu", "a", "l", "hotel", "d", "en", "face"]
    assert {"jusqu", "lorsqu", "puisqu", "qu"} <= STOP_WORDS


def test_stop_words_are_dropped_from_terms_but_kept_in_words() -> None:
    said = "qu’il s’agit de la chaudière"
    assert words(said) == ["qu", "il", "s", "agit", "de", "la", "chaudiere"]
    assert terms(said) == ["agit", "chaudier"]
    assert terms("de la des les et ou") == []


def test_accented_and_plain_spellings_reach_the_same_stem() -> None:
    assert analyze("Rénovations énergétiques") == "renov energet"
    assert analyze("renovation energetique") == "renov energet"
    assert terms("Les économies") == terms("economie")


def test_singular_plural_and_verb_forms_share_a_stem() -> None:
    assert terms("isolation") == terms("isolations") == terms("isoler") == ["isol"]
    assert stem("chaudieres") == stem("chaudiere") == "chaudier"
