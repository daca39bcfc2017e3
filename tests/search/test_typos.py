"""Typo tolerance on Meilisearch's rules: none under 5 letters, one from 5, two from 9."""

from __future__ import annotations

from search.typos import allowed_typos, closest, distance


def test_typo_distance() -> None:
    assert distance("energetiqe", "energetique", 2) == 1
    assert distance("isloation", "isolation", 1) == 1
    assert closest("renovaton", ["renovation", "innovation", "rotation"]) == ["renovation"]
    assert closest("bois", ["boit"]) == []


def test_typos_allowed_grow_with_the_word() -> None:
    assert [allowed_typos(w) for w in ("bois", "laine", "isolant", "chaudiere")] == [0, 1, 1, 2]


def test_a_swap_of_two_neighbours_is_one_typo() -> None:
    assert distance("chaudeire", "chaudiere", 2) == 1
    assert distance("chadiere", "chaudiere", 2) == 1  # a letter missing
    assert distance("isolation", "isolation", 2) == 0


def test_distances_past_the_limit_are_cut_to_limit_plus_one() -> None:
    assert distance("isolation", "isolant", 1) == 2
    assert distance("laine", "chaudiere", 2) == 3


def test_closest_keeps_ties_and_only_the_nearest() -> None:
    assert closest("laime", ["laine", "lame", "lime", "lampe"]) == ["laine", "lame", "lime"]
    assert closest("pompe", ["pompa", "pompe"]) == ["pompe"]
    assert closest("chaudeire", ["chaudron", "chaudiere"]) == ["chaudiere"]
