"""Majority judgment grading: majority grade, gauge, majority value and ranks, checked on
hand-computed profiles, a published one, and against a brute-force reference."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from server.domain.votes.majority import (
    GRADE_LABELS,
    GRADES,
    Grade,
    gauge,
    majority_grade,
    majority_value,
    merit_key,
    ranks,
)

E, TB, B, AB, P, I, R = GRADES  # noqa: E741 - the seven grades, best first


def profile(*grades: Grade) -> list[int]:
    """The merit profile of the given grades (one per voter)."""
    return [grades.count(g) for g in GRADES]


def test_grades_are_the_french_scale_best_first() -> None:
    assert [g.value for g in GRADES] == [
        "excellent",
        "tres_bien",
        "bien",
        "assez_bien",
        "passable",
        "insuffisant",
        "a_rejeter",
    ]
    assert [GRADE_LABELS[g] for g in GRADES] == [
        "Excellent",
        "Très bien",
        "Bien",
        "Assez bien",
        "Passable",
        "Insuffisant",
        "À rejeter",
    ]


def test_odd_number_of_voters_takes_the_median() -> None:
    # E E B P R: the third of five grades.
    assert majority_grade(profile(E, E, B, P, R)) is B
    assert gauge(profile(E, E, B, P, R)) == (B, Fraction(2, 5), Fraction(2, 5))


def test_even_number_of_voters_takes_the_lower_middle_grade() -> None:
    # E E B B: the two middle grades are E and B; the majority grade is the lower, B
    # (only B is given or exceeded by more than half of the voters).
    assert majority_grade(profile(E, E, B, B)) is B
    assert majority_grade(profile(TB, P)) is P
    assert majority_grade(profile(E, E, E, B)) is E
    assert gauge(profile(E, TB, B, R)) == (B, Fraction(2, 4), Fraction(1, 4))


def test_nobody_graded_has_no_majority_grade() -> None:
    assert majority_grade(profile()) is None
    assert gauge(profile()) is None
    assert majority_value(profile()) == ()
    with pytest.raises(ValueError):
        merit_key(profile())


def test_a_profile_has_one_count_per_grade() -> None:
    with pytest.raises(ValueError):
        majority_grade([1, 2, 3])
    with pytest.raises(ValueError):
        majority_grade([1, 0, 0, 0, 0, 0, -1])


def test_higher_majority_grade_wins_whatever_the_gauge() -> None:
    # A: Bien with nothing better (p = 0); C: Assez bien with 2/5 better (p > q).
    a = profile(B, B, B, R, R)
    c = profile(E, E, AB, AB, AB)
    assert ranks([a, c]) == [1, 2]


def test_plus_beats_minus_with_the_same_majority_grade() -> None:
    # A: TB TB B B P -> Bien, p = 2/5 > q = 1/5: Bien+.
    # C: E  E  B R R -> Bien, p = 2/5 = q = 2/5: Bien− (p <= q), despite its two Excellent.
    a = profile(TB, TB, B, B, P)
    c = profile(E, E, B, R, R)
    assert gauge(a) == (B, Fraction(2, 5), Fraction(1, 5))
    assert gauge(c) == (B, Fraction(2, 5), Fraction(2, 5))
    assert ranks([c, a]) == [2, 1]


def test_plus_with_a_small_p_beats_minus_with_nothing_worse() -> None:
    # A: E B B B B -> Bien+ (p = 1/5, q = 0); C: all Bien -> p = q = 0, Bien−.
    assert ranks([profile(B, B, B, B, B), profile(E, B, B, B, B)]) == [2, 1]


def test_among_plus_the_larger_p_wins() -> None:
    # A: E E B B P -> Bien+ with p = 2/5 (and q = 1/5);
    # C: E B B B B -> Bien+ with p = 1/5 (and q = 0): the larger p wins, q does not matter.
    a = profile(E, E, B, B, P)
    c = profile(E, B, B, B, B)
    assert merit_key(a)[:3] == (GRADES.index(B), 0, Fraction(-2, 5))
    assert ranks([c, a]) == [2, 1]


def test_among_minus_the_smaller_q_wins() -> None:
    # A: E E B R R -> Bien− with q = 2/5; C: B B B B R -> Bien− with q = 1/5: C wins,
    # although A has two Excellent and C none.
    a = profile(E, E, B, R, R)
    c = profile(B, B, B, B, R)
    assert gauge(c) == (B, Fraction(0), Fraction(1, 5))
    assert ranks([a, c]) == [2, 1]


def test_even_voters_plus_against_minus() -> None:
    # Four voters. A: E TB B R -> Bien (lower middle), p = 2/4 > q = 1/4: Bien+.
    # C: E B B P -> Bien, p = 1/4 = q: Bien−.
    a = profile(E, TB, B, R)
    c = profile(E, B, B, P)
    assert gauge(c) == (B, Fraction(1, 4), Fraction(1, 4))
    assert ranks([a, c]) == [1, 2]


def test_majority_value_removes_one_majority_grade_at_a_time() -> None:
    # E B B B R: B; then E B B R -> B; then E B R -> B; then E R -> R; then E.
    assert majority_value(profile(E, B, B, B, R)) == (B, B, B, R, E)
    # E E B B: B (lower middle); E E B -> E; E B -> B; E.
    assert majority_value(profile(E, E, B, B)) == (B, E, B, E)


def test_majority_value_decides_when_grade_and_gauge_tie() -> None:
    # Same grade (Bien), same p = q = 1/5: A: E B B B R, C: TB B B B I.
    # Majority values: A (B, B, B, R, E), C (B, B, B, I, TB): at the fourth grade
    # Insuffisant beats À rejeter, so C wins.
    a = profile(E, B, B, B, R)
    c = profile(TB, B, B, B, I)
    assert gauge(a) == gauge(c) == (B, Fraction(1, 5), Fraction(1, 5))
    assert majority_value(c) == (B, B, B, I, TB)
    assert ranks([a, c]) == [2, 1]
    # The last grade decides: (B, B, B, P, E) against (B, B, B, P, TB).
    assert ranks([profile(TB, B, B, B, P), profile(E, B, B, B, P)]) == [2, 1]


def test_exact_ties_share_a_rank_and_the_next_rank_skips() -> None:
    a = profile(E, B, B, P)
    same = profile(P, B, E, B)
    worse = profile(E, B, P, P)
    best = profile(E, E, E, B)
    assert ranks([a, same, worse]) == [1, 1, 3]
    assert ranks([best, a, same, worse]) == [1, 2, 2, 4]
    assert ranks([a]) == [1]


def test_orsay_2007_published_profiles() -> None:
    # Balinski & Laraki's majority judgment experiment at Orsay (first round of the 2007
    # presidential election, 1,752 voters), "Election by Majority Judgement: Experimental
    # Evidence" (2007, HAL hal-00243076). The merit profiles in percent, as transcribed on
    # forum.mieuxvoter.fr ("données brutes sur les expérimentations", post 9); the scale was
    # Très Bien, Bien, Assez Bien, Passable, Insuffisant, À Rejeter, with no grade counted as
    # À Rejeter (Excellent did not exist there, so its count is 0):
    #            TB    B     AB    P     I    AR (+ no grade)
    #   Bayrou  13.6  30.7  25.1  14.8  8.4  4.5 + 2.9
    #   Sarkozy 19.1  19.8  14.3  11.5  7.1  26.5 + 1.7
    #   Voynet   2.9   9.3  17.5  23.7 26.1  16.2 + 4.3
    # (Rows that do not add up to 100 % in that transcription are left out.) In tenths of a
    # percent, i.e. per 1,000 voters:
    bayrou = [0, 136, 307, 251, 148, 84, 74]
    sarkozy = [0, 191, 198, 143, 115, 71, 282]
    voynet = [0, 29, 93, 175, 237, 261, 205]
    assert sum(bayrou) == sum(sarkozy) == sum(voynet) == 1000
    # Bayrou: 13.6 + 30.7 = 44.3 % Bien or better, 69.4 % Assez bien or better:
    # Assez bien, p = 44.3 % > q = 30.6 %: "Good+" in Balinski & Laraki's English scale, as
    # reported (rangevoting.org/France2007.html).
    assert gauge(bayrou) == (AB, Fraction(443, 1000), Fraction(306, 1000))
    # Sarkozy: 38.9 % Bien or better, 53.2 % Assez bien or better: Assez bien−,
    # p = 38.9 % <= q = 46.8 %.
    assert gauge(sarkozy) == (AB, Fraction(389, 1000), Fraction(468, 1000))
    # Voynet: 29.7 % Assez bien or better, 53.4 % Passable or better: Passable−.
    assert gauge(voynet) == (P, Fraction(297, 1000), Fraction(466, 1000))
    assert ranks([sarkozy, voynet, bayrou]) == [2, 3, 1]


# ---------------------------------------------------------------- against a reference


def _reference_majority_grade(grades: list[Grade]) -> Grade:
    """The best grade that more than half of the voters gave or exceeded."""
    n = len(grades)
    return next(
        g for g in GRADES if sum(GRADES.index(x) <= GRADES.index(g) for x in grades) > n / 2
    )


def _reference_majority_value(grades: list[Grade]) -> tuple[Grade, ...]:
    remaining = sorted(grades, key=GRADES.index)
    value = []
    while remaining:
        value.append(remaining.pop(len(remaining) // 2))
    return tuple(value)


def _random_grades(rnd: random.Random) -> list[Grade]:
    return [rnd.choice(GRADES) for _ in range(rnd.randint(1, 12))]


def test_majority_grade_and_value_match_the_definitions() -> None:
    rnd = random.Random(13)
    for _ in range(2_000):
        grades = _random_grades(rnd)
        assert majority_grade(profile(*grades)) is _reference_majority_grade(grades)
        assert majority_value(profile(*grades)) == _reference_majority_value(grades)


def test_the_gauge_never_contradicts_the_majority_value() -> None:
    # Balinski & Laraki: when the gauge orders two options, the whole majority value orders
    # them the same way; and equal majority values mean equal keys (an exact tie).
    rnd = random.Random(7)
    for _ in range(5_000):
        n = rnd.randint(1, 9)
        a = profile(*[rnd.choice(GRADES) for _ in range(n)])
        c = profile(*[rnd.choice(GRADES) for _ in range(n)])
        ka, kc = merit_key(a), merit_key(c)
        index = (
            [GRADES.index(g) for g in majority_value(a)],
            [GRADES.index(g) for g in majority_value(c)],
        )
        if ka[:3] != kc[:3]:
            assert (ka[:3] < kc[:3]) == (index[0] < index[1])
        assert (ka == kc) == (a == c)
