"""What an answer may be by its question's kind, and the maturity it gives a theme (pure)."""

from __future__ import annotations

import pytest

from server.core.errors import InvalidInput
from server.domain.diagnostics.answers import merge_answers, theme_scores, unanswered_scales
from server.domain.diagnostics.catalogue import RENOVATION, SHIPPED, TPE_PME

THEMES = TPE_PME["themes"]


def test_levels_map_to_a_maturity_from_0_to_100_per_theme() -> None:
    answers = {"commercial.prospection": 1, "export.maturite": 4, "marketing.offre": 3}
    scores = theme_scores(THEMES, answers)
    assert scores["commercial"] == 0.0 and scores["export"] == 100.0
    assert scores["marketing"] == pytest.approx(66.7)
    assert scores["finance"] is None, "no level answered: no maturity"
    five = theme_scores(RENOVATION["themes"], {"qualification.rge": 3})
    assert five["qualification"] == 50.0, "level 3 of 5 is half the scale"


def test_answers_merge_and_null_clears_one() -> None:
    merged = merge_answers(THEMES, {"export.maturite": 2}, {"commercial.prospection": 3})
    assert merged == {"export.maturite": 2, "commercial.prospection": 3}
    cleared = merge_answers(THEMES, merged, {"export.maturite": None})
    assert cleared == {"commercial.prospection": 3}
    texts = merge_answers(THEMES, {}, {"qualite.labels": "  Qualibat  ", "marketing.site": True})
    assert texts == {"qualite.labels": "Qualibat", "marketing.site": True}


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        ("commercial.prospection", 0, "a level from 1 to 4"),
        ("commercial.prospection", 5, "a level from 1 to 4"),
        ("commercial.prospection", 2.5, "a level from 1 to 4"),
        ("commercial.prospection", True, "a level from 1 to 4"),
        ("commercial.prospection", "3", "a level from 1 to 4"),
        ("marketing.site", "oui", "true or false"),
        ("commercial.clients", "beaucoup", "a number"),
        ("commercial.clients", 1e12, "a finite number of at most 10⁹"),
        ("commercial.clients", False, "a number"),
        ("qualite.labels", 12, "text of at most 5000 characters"),
        ("qualite.labels", "x" * 5001, "text of at most 5000 characters"),
        ("inconnue", 1, "no such question in this diagnostic"),
    ],
)
def test_off_kind_answers_are_refused_whole(question: str, value: object, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        merge_answers(THEMES, {}, {"export.maturite": 2, question: value})
    assert refused.value.fields == {f"answers.{question}": expected}


def test_finishing_needs_every_level_question() -> None:
    assert len(unanswered_scales(THEMES, {})) == 11
    assert unanswered_scales(THEMES, {"commercial.prospection": 2})[0] == "export.maturite"


def test_shipped_templates_are_well_formed() -> None:
    for template in SHIPPED.values():
        ids = [q["id"] for t in template["themes"] for q in t["questions"]]
        assert len(ids) == len(set(ids))
        for theme in template["themes"]:
            for question in theme["questions"]:
                wanted = {"scale4": 4, "scale5": 5}.get(question["kind"], 0)
                assert len(question["levels"]) == wanted, question["id"]
    titles = [t["title"] for t in TPE_PME["themes"]]
    for theme in ("Commercial", "Export", "Marketing", "Production", "Innovation", "Finance"):
        assert theme in titles
