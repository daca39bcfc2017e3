"""The voting methods: every valid and invalid ballot of each method, and each tally."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

import pytest

from server.core.errors import ErrorCode, InvalidInput
from server.domain.votes.methods import (
    GRADE_LABELS,
    Consent,
    Grade,
    Method,
    Rules,
    normalise_ballot,
    tally,
)

OPTIONS = (11, 12, 13)
DOT = Rules(Method.dot, OPTIONS, budget=5, max_per_option=3)
MAJORITY = Rules(Method.majority, OPTIONS)
APPROVAL = Rules(Method.approval, OPTIONS)
SCORE = Rules(Method.score, OPTIONS)
CONSENT = Rules(Method.consent, (21,))


def refused(rules: Rules, raw: Any) -> dict[str, str]:
    """The ``fields`` of the 422 that refuses the ballot."""
    with pytest.raises(InvalidInput) as caught:
        normalise_ballot(rules, raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT and caught.value.status == 422
    return caught.value.fields


def test_the_api_values() -> None:
    assert [m.value for m in Method] == ["dot", "majority", "approval", "score", "consent"]
    assert [c.value for c in Consent] == ["agree", "reserve", "object"]
    assert list(Grade)[0] is Grade.excellent and list(Grade)[-1] is Grade.a_rejeter
    assert GRADE_LABELS[Grade.a_rejeter] == "À rejeter"


# ---------------------------------------------------------------- rules


def test_rules_defaults_and_coercion() -> None:
    rules = Rules("dot", [1, 2])  # type: ignore[arg-type]
    assert rules.method is Method.dot and rules.option_ids == (1, 2)
    assert rules.budget == 3 and rules.max_per_option is None and rules.per_option == 3
    assert Rules(Method.dot, (1,), budget=2, max_per_option=5).per_option == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "plurality", "option_ids": (1,)}, "method"),
        ({"method": Method.dot, "option_ids": ()}, "options"),
        ({"method": Method.score, "option_ids": (1, 1)}, "options"),
        ({"method": Method.consent, "option_ids": (1, 2)}, "options"),
        ({"method": Method.dot, "option_ids": (1,), "budget": 0}, "budget"),
        ({"method": Method.dot, "option_ids": (1,), "budget": True}, "budget"),
        ({"method": Method.dot, "option_ids": (1,), "budget": 2.5}, "budget"),
        ({"method": Method.dot, "option_ids": (1,), "max_per_option": 0}, "max_per_option"),
    ],
)
def test_bad_rules_are_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Rules(**kwargs)
    assert list(caught.value.fields) == [field]


# ---------------------------------------------------------------- every method's ballot


@pytest.mark.parametrize(
    ("rules", "raw"),
    [
        (DOT, [1, 2]),
        (DOT, "dots"),
        (DOT, None),
    ],
)
def test_a_ballot_is_an_object(rules: Rules, raw: Any) -> None:
    assert refused(rules, raw) == {"": "not an object"}


@pytest.mark.parametrize(
    ("rules", "raw", "extra"),
    [
        (DOT, {"dots": {}, "grades": {}}, "grades"),
        (MAJORITY, {"grades": {"11": "bien", "12": "bien", "13": "bien"}, "x": 1}, "x"),
        (APPROVAL, {"approve": [], "reason": "no"}, "reason"),
        (SCORE, {"scores": {}, "dots": {}}, "dots"),
        (CONSENT, {"consent": "agree", "approve": [21]}, "approve"),
    ],
)
def test_extra_top_level_keys_are_refused(rules: Rules, raw: Any, extra: str) -> None:
    assert list(refused(rules, raw)) == [extra]


@pytest.mark.parametrize(
    ("rules", "field"),
    [(DOT, "dots"), (MAJORITY, "grades"), (APPROVAL, "approve"), (SCORE, "scores")],
)
def test_the_method_key_is_required(rules: Rules, field: str) -> None:
    assert refused(rules, {}) == {field: "required"}


@pytest.mark.parametrize(
    ("rules", "field"),
    [(DOT, "dots"), (MAJORITY, "grades"), (SCORE, "scores")],
)
@pytest.mark.parametrize("value", [[1, 2], "11", 3, None])
def test_per_option_ballots_are_objects(rules: Rules, field: str, value: Any) -> None:
    assert list(refused(rules, {field: value})) == [field]


@pytest.mark.parametrize(
    ("rules", "field", "value"),
    [(DOT, "dots", 1), (MAJORITY, "grades", "bien"), (SCORE, "scores", 3)],
)
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("99", "no such option in this vote"),
        ("abc", "not an option id"),
        ("012", "not an option id"),
        (" 12", "not an option id"),
        ("+12", "not an option id"),
        ("١٢", "not an option id"),  # Arabic-Indic digits, which int() would read as 12
        ("12.0", "not an option id"),
    ],
)
def test_keys_name_known_options(
    rules: Rules, field: str, value: Any, key: str, message: str
) -> None:
    fields = refused(rules, {field: {key: value}})
    assert fields[f"{field}.{key}"] == message


def test_non_string_keys_are_refused() -> None:
    assert refused(DOT, {"dots": {11: 1}}) == {"dots": "option ids are given as strings"}


# ---------------------------------------------------------------- dot


def test_dot_ballot_drops_zeros_and_keeps_option_order() -> None:
    ballot = normalise_ballot(DOT, {"dots": {"13": 2, "11": 3, "12": 0}})
    assert ballot == {"dots": {"11": 3, "13": 2}}
    assert list(ballot["dots"]) == ["11", "13"]
    assert normalise_ballot(DOT, {"dots": {}}) == {"dots": {}}
    assert normalise_ballot(DOT, {"dots": {"12": 0}}) == {"dots": {}}


def test_dot_budget_may_be_spent_exactly() -> None:
    assert normalise_ballot(DOT, {"dots": {"11": 3, "12": 2}}) == {"dots": {"11": 3, "12": 2}}


def test_dot_overspending_is_refused() -> None:
    assert refused(DOT, {"dots": {"11": 3, "12": 2, "13": 1}}) == {
        "dots": "6 dots for a budget of 5"
    }


def test_dot_max_per_option() -> None:
    assert refused(DOT, {"dots": {"11": 4}}) == {"dots.11": "at most 3 dots on one option"}
    # No cap: up to the budget on one option.
    free = Rules(Method.dot, OPTIONS, budget=4)
    assert normalise_ballot(free, {"dots": {"12": 4}}) == {"dots": {"12": 4}}
    assert refused(free, {"dots": {"12": 5}}) == {"dots.12": "at most 4 dots on one option"}


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (-1, "may not be negative"),
        (1.0, "a whole number of dots"),
        (1.5, "a whole number of dots"),
        (True, "a whole number of dots"),
        ("1", "a whole number of dots"),
        (None, "a whole number of dots"),
    ],
)
def test_dot_counts_are_whole_numbers(count: Any, message: str) -> None:
    assert refused(DOT, {"dots": {"12": count}}) == {"dots.12": message}


def test_dot_reports_every_wrong_field_at_once() -> None:
    fields = refused(DOT, {"dots": {"11": -2, "99": 1, "13": "x"}, "extra": 0})
    assert set(fields) == {"dots.11", "dots.99", "dots.13", "extra"}


# ---------------------------------------------------------------- majority


def test_majority_ballot_grades_every_option() -> None:
    raw = {"grades": {"13": "a_rejeter", "11": "excellent", "12": "assez_bien"}}
    ballot = normalise_ballot(MAJORITY, raw)
    assert ballot == {"grades": {"11": "excellent", "12": "assez_bien", "13": "a_rejeter"}}
    assert list(ballot["grades"]) == ["11", "12", "13"]


def test_majority_missing_grades_are_named() -> None:
    fields = refused(MAJORITY, {"grades": {"11": "bien"}})
    assert fields == {"grades.12": "grade every option", "grades.13": "grade every option"}
    assert set(refused(MAJORITY, {"grades": {}})) == {"grades.11", "grades.12", "grades.13"}


@pytest.mark.parametrize("grade", ["Bien", "très_bien", "good", "", 3, None, True, ["bien"]])
def test_majority_grades_off_the_scale_are_refused(grade: Any) -> None:
    fields = refused(MAJORITY, {"grades": {"11": "bien", "12": grade, "13": "bien"}})
    assert list(fields) == ["grades.12"]
    assert fields["grades.12"].startswith("not a grade: excellent, tres_bien")


def test_majority_unknown_option_is_named_next_to_missing_ones() -> None:
    fields = refused(MAJORITY, {"grades": {"11": "bien", "12": "bien", "14": "bien"}})
    assert fields == {
        "grades.14": "no such option in this vote",
        "grades.13": "grade every option",
    }


# ---------------------------------------------------------------- approval


def test_approval_ballot_is_unique_known_ids_in_option_order() -> None:
    assert normalise_ballot(APPROVAL, {"approve": [13, 11]}) == {"approve": [11, 13]}
    assert normalise_ballot(APPROVAL, {"approve": []}) == {"approve": []}


@pytest.mark.parametrize(
    ("approve", "field", "message"),
    [
        ([11, 11], "approve.1", "listed twice"),
        ([11, 99], "approve.1", "no such option in this vote"),
        (["11"], "approve.0", "not an option id"),
        ([True], "approve.0", "not an option id"),
        ([11.0], "approve.0", "not an option id"),
        ([None], "approve.0", "not an option id"),
        ({"11": True}, "approve", "must be a list of option ids"),
        ("11", "approve", "must be a list of option ids"),
        (11, "approve", "must be a list of option ids"),
        (None, "approve", "must be a list of option ids"),
    ],
)
def test_approval_bad_lists_are_refused(approve: Any, field: str, message: str) -> None:
    assert refused(APPROVAL, {"approve": approve}) == {field: message}


# ---------------------------------------------------------------- score


def test_score_ballot_may_score_a_subset() -> None:
    ballot = normalise_ballot(SCORE, {"scores": {"13": 5, "11": 1}})
    assert ballot == {"scores": {"11": 1, "13": 5}}
    assert normalise_ballot(SCORE, {"scores": {}}) == {"scores": {}}


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, 3.0, True, False, "3", None])
def test_score_off_the_range_is_refused(score: Any) -> None:
    assert refused(SCORE, {"scores": {"12": score}}) == {"scores.12": "a whole number from 1 to 5"}


# ---------------------------------------------------------------- consent


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ({"consent": "agree"}, {"consent": "agree", "reason": None}),
        ({"consent": "reserve", "reason": None}, {"consent": "reserve", "reason": None}),
        ({"consent": "reserve", "reason": "  "}, {"consent": "reserve", "reason": None}),
        (
            {"consent": "reserve", "reason": " le budget \n"},
            {"consent": "reserve", "reason": "le budget"},
        ),
        (
            {"consent": "object", "reason": "trop tôt"},
            {"consent": "object", "reason": "trop tôt"},
        ),
        ({"consent": "object", "reason": "x" * 1000}, {"consent": "object", "reason": "x" * 1000}),
    ],
)
def test_consent_ballots(raw: dict[str, Any], stored: dict[str, Any]) -> None:
    assert normalise_ballot(CONSENT, raw) == stored


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({}, {"consent": "required"}),
        ({"reason": "x"}, {"consent": "required"}),
        ({"consent": "yes"}, {"consent": "one of agree, reserve, object"}),
        ({"consent": None}, {"consent": "one of agree, reserve, object"}),
        ({"consent": "Agree"}, {"consent": "one of agree, reserve, object"}),
        ({"consent": "object"}, {"reason": "say why you object"}),
        ({"consent": "object", "reason": None}, {"reason": "say why you object"}),
        ({"consent": "object", "reason": " \t\n"}, {"reason": "say why you object"}),
        ({"consent": "object", "reason": "x" * 1001}, {"reason": "at most 1000 characters"}),
        ({"consent": "agree", "reason": "x" * 1001}, {"reason": "at most 1000 characters"}),
        ({"consent": "agree", "reason": 3}, {"reason": "must be text"}),
        ({"consent": "object", "reason": ["no"]}, {"reason": "must be text"}),
        ({"consent": "object", "reason": "a\x00b"}, {"reason": "may not contain NUL characters"}),
    ],
)
def test_bad_consent_ballots(raw: dict[str, Any], fields: dict[str, str]) -> None:
    assert refused(CONSENT, raw) == fields


# ---------------------------------------------------------------- tallies


def cast(rules: Rules, *raws: Mapping[str, Any]) -> dict[str, Any]:
    """The tally of the ballots once validated, checked to be JSON-ready."""
    results = tally(rules, [normalise_ballot(rules, raw) for raw in raws])
    assert json.loads(json.dumps(results)) == results
    assert [o["id"] for o in results["options"]] == list(rules.option_ids)
    return results


def test_dot_tally() -> None:
    results = cast(
        DOT,
        {"dots": {"11": 2, "12": 3}},
        {"dots": {"12": 1, "13": 1}},
        {"dots": {}},
    )
    assert results == {
        "method": "dot",
        "turnout": 3,
        "options": [
            {"id": 11, "count": 2, "total": 7},
            {"id": 12, "count": 4, "total": 7},
            {"id": 13, "count": 1, "total": 7},
        ],
        "winner": [12],
    }


def test_dot_tally_ties_and_no_dots() -> None:
    tied = cast(DOT, {"dots": {"11": 2, "13": 2}})
    assert tied["winner"] == [11, 13]
    empty = cast(DOT, {"dots": {}})
    assert empty["turnout"] == 1 and empty["winner"] == []
    assert empty["options"][0] == {"id": 11, "count": 0, "total": 0}
    assert cast(DOT)["turnout"] == 0 and cast(DOT)["winner"] == []


def test_approval_tally() -> None:
    results = cast(APPROVAL, {"approve": [11, 12]}, {"approve": [12]}, {"approve": []})
    assert results == {
        "method": "approval",
        "turnout": 3,
        "options": [
            {"id": 11, "count": 1, "total": 3},
            {"id": 12, "count": 2, "total": 3},
            {"id": 13, "count": 0, "total": 3},
        ],
        "winner": [12],
    }
    assert cast(APPROVAL, {"approve": [11, 13]})["winner"] == [11, 13]
    assert cast(APPROVAL, {"approve": []})["winner"] == []


def test_score_tally() -> None:
    results = cast(
        SCORE,
        {"scores": {"11": 5, "12": 4}},
        {"scores": {"11": 1, "12": 4}},
        {"scores": {"11": 4}},
    )
    assert results == {
        "method": "score",
        "turnout": 3,
        "options": [
            {"id": 11, "mean": 3.33, "count": 3},
            {"id": 12, "mean": 4.0, "count": 2},
            {"id": 13, "mean": None, "count": 0},
        ],
        "winner": [12],
    }
    assert cast(SCORE, {"scores": {"11": 3, "13": 3}})["winner"] == [11, 13]
    assert cast(SCORE, {"scores": {}})["winner"] == []


def test_score_winner_uses_the_exact_mean() -> None:
    # 10/3 = 3.333... and 333/100 = 3.33 are both shown as 3.33; 10/3 is larger and wins.
    two = Rules(Method.score, (1, 2))
    ballots = [{"scores": {"1": s}} for s in (5, 4, 1)]
    ballots += [{"scores": {"2": 4}}] * 33 + [{"scores": {"2": 3}}] * 67
    results = tally(two, [normalise_ballot(two, b) for b in ballots])
    assert [o["mean"] for o in results["options"]] == [3.33, 3.33]
    assert [o["count"] for o in results["options"]] == [3, 100]
    assert results["winner"] == [1]
    close = tally(two, [{"scores": {"1": 4, "2": 4}}])
    assert close["winner"] == [1, 2]


def test_majority_tally() -> None:
    grades = [
        {"11": "excellent", "12": "bien", "13": "a_rejeter"},
        {"11": "bien", "12": "bien", "13": "passable"},
        {"11": "a_rejeter", "12": "tres_bien", "13": "passable"},
        {"11": "bien", "12": "insuffisant", "13": "excellent"},
    ]
    results = cast(MAJORITY, *({"grades": g} for g in grades))
    # 11: E B B R -> Bien, p = 1/4 = q: Bien−.  12: TB B B I -> Bien, p = q = 1/4: Bien−,
    # and majority values (B, B, R|I, ...): 11 (B, B, R, E), 12 (B, B, I, TB): 12 wins.
    # 13: E P P R -> Passable (lower middle of four).
    zero = dict.fromkeys((g.value for g in Grade), 0)
    assert results == {
        "method": "majority",
        "turnout": 4,
        "options": [
            {
                "id": 11,
                "median_grade": "bien",
                "profile": zero | {"excellent": 1, "bien": 2, "a_rejeter": 1},
                "rank": 2,
            },
            {
                "id": 12,
                "median_grade": "bien",
                "profile": zero | {"tres_bien": 1, "bien": 2, "insuffisant": 1},
                "rank": 1,
            },
            {
                "id": 13,
                "median_grade": "passable",
                "profile": zero | {"excellent": 1, "passable": 2, "a_rejeter": 1},
                "rank": 3,
            },
        ],
        "winner": [12],
    }
    assert list(results["options"][0]["profile"]) == [g.value for g in Grade]


def test_majority_tally_exact_tie_and_no_ballots() -> None:
    two = Rules(Method.majority, (1, 2))
    tie = cast(
        two, {"grades": {"1": "bien", "2": "passable"}}, {"grades": {"1": "passable", "2": "bien"}}
    )
    assert [o["rank"] for o in tie["options"]] == [1, 1]
    assert [o["median_grade"] for o in tie["options"]] == ["passable", "passable"]
    assert tie["winner"] == [1, 2]
    empty = cast(two)
    assert empty["turnout"] == 0 and empty["winner"] == []
    assert empty["options"][0]["median_grade"] is None and empty["options"][0]["rank"] is None
    assert set(empty["options"][0]["profile"].values()) == {0}


def test_majority_tally_of_the_orsay_profiles() -> None:
    # The Orsay 2007 profiles of test_majority.py, per 1,000 voters, as whole ballots: the
    # i-th voter gives each candidate the i-th grade of its sorted grades (majority judgment
    # depends only on each option's profile, not on how grades pair up on ballots).
    counts = {
        1: [0, 136, 307, 251, 148, 84, 74],  # Bayrou
        2: [0, 191, 198, 143, 115, 71, 282],  # Sarkozy
        3: [0, 29, 93, 175, 237, 261, 205],  # Voynet
    }
    columns = {
        o: [g.value for g, n in zip(Grade, c, strict=True) for _ in range(n)]
        for o, c in counts.items()
    }
    rules = Rules(Method.majority, (2, 3, 1))
    ballots = [{"grades": {str(o): columns[o][i] for o in columns}} for i in range(1000)]
    results = cast(rules, *ballots)
    by_id = {o["id"]: o for o in results["options"]}
    assert [by_id[o]["median_grade"] for o in (1, 2, 3)] == ["assez_bien", "assez_bien", "passable"]
    assert [by_id[o]["rank"] for o in (1, 2, 3)] == [1, 2, 3]
    assert results["winner"] == [1]


def test_consent_tally() -> None:
    results = cast(
        CONSENT,
        {"consent": "agree"},
        {"consent": "reserve", "reason": "le coût"},
        {"consent": "agree", "reason": "enfin"},
        {"consent": "reserve", "reason": "la date"},
    )
    assert results == {
        "method": "consent",
        "turnout": 4,
        "options": [{"id": 21, "counts": {"agree": 2, "reserve": 2, "object": 0}}],
        "counts": {"agree": 2, "reserve": 2, "object": 0},
        "reasons": [
            {"consent": "reserve", "reason": "la date"},
            {"consent": "reserve", "reason": "le coût"},
            {"consent": "agree", "reason": "enfin"},
        ],
        "passed": True,
        "winner": [21],
    }


def test_consent_one_objection_blocks_and_nobody_voting_is_not_passing() -> None:
    blocked = cast(CONSENT, {"consent": "agree"}, {"consent": "object", "reason": "illégal"})
    assert blocked["passed"] is False and blocked["winner"] == []
    assert blocked["reasons"] == [{"consent": "object", "reason": "illégal"}]
    nobody = cast(CONSENT)
    assert nobody["turnout"] == 0 and nobody["passed"] is False and nobody["winner"] == []
    assert nobody["counts"] == {"agree": 0, "reserve": 0, "object": 0}


def test_a_tally_carries_no_voter_identity() -> None:
    # Ballots stored with who cast them (as a service might keep them) give results with
    # none of it: only the keys of the method's results.
    ballot = {"consent": "object", "reason": "non", "user_id": 7}
    results = tally(CONSENT, [ballot])
    assert "7" not in json.dumps(results) and "user_id" not in json.dumps(results)


def test_votes_for_options_no_longer_in_the_rules_are_not_counted() -> None:
    fewer = Rules(Method.dot, (11, 12))
    results = tally(fewer, [{"dots": {"11": 1, "13": 2}}])
    assert results["options"] == [
        {"id": 11, "count": 1, "total": 1},
        {"id": 12, "count": 0, "total": 1},
    ]


# ---------------------------------------------------------------- properties


def _random_ballot(rules: Rules, rnd: random.Random) -> dict[str, Any]:
    keys = [str(o) for o in rules.option_ids]
    raw: dict[str, Any]
    if rules.method is Method.dot:
        raw = {"dots": {}}
        for _ in range(rnd.randint(0, rules.budget)):
            key = rnd.choice(keys)
            if raw["dots"].get(key, 0) < rules.per_option:
                raw["dots"][key] = raw["dots"].get(key, 0) + 1
    elif rules.method is Method.majority:
        raw = {"grades": {k: rnd.choice(list(Grade)).value for k in keys}}
    elif rules.method is Method.approval:
        raw = {"approve": [o for o in rules.option_ids if rnd.random() < 0.5]}
    elif rules.method is Method.score:
        raw = {"scores": {k: rnd.randint(1, 5) for k in keys if rnd.random() < 0.7}}
    else:
        position = rnd.choice(list(Consent))
        raw = {"consent": position.value, "reason": f"raison {rnd.randint(1, 5)}"}
    return normalise_ballot(rules, raw)


@pytest.mark.parametrize("rules", [DOT, MAJORITY, APPROVAL, SCORE, CONSENT], ids=str)
def test_tally_is_independent_of_ballot_order(rules: Rules) -> None:
    rnd = random.Random(str(rules.method))
    for _ in range(50):
        ballots = [_random_ballot(rules, rnd) for _ in range(rnd.randint(0, 15))]
        shuffled = list(ballots)
        rnd.shuffle(shuffled)
        assert tally(rules, shuffled) == tally(rules, ballots)


def test_changing_grades_of_one_option_never_moves_another_median() -> None:
    rnd = random.Random(2007)
    for _ in range(300):
        ballots = [_random_ballot(MAJORITY, rnd) for _ in range(rnd.randint(1, 12))]
        before = tally(MAJORITY, ballots)
        changed = [{"grades": b["grades"] | {"11": rnd.choice(list(Grade)).value}} for b in ballots]
        after = tally(MAJORITY, changed)
        for index in (1, 2):  # options 12 and 13
            assert (
                after["options"][index]["median_grade"] == before["options"][index]["median_grade"]
            )
            assert after["options"][index]["profile"] == before["options"][index]["profile"]


def test_the_winner_has_rank_one_and_ranks_follow_the_majority_grades() -> None:
    rnd = random.Random(5)
    order = [g.value for g in Grade]
    for _ in range(300):
        ballots = [_random_ballot(MAJORITY, rnd) for _ in range(rnd.randint(1, 9))]
        options = tally(MAJORITY, ballots)["options"]
        for a in options:
            for b in options:
                if order.index(a["median_grade"]) < order.index(b["median_grade"]):
                    assert a["rank"] < b["rank"]
        assert tally(MAJORITY, ballots)["winner"] == [o["id"] for o in options if o["rank"] == 1]
