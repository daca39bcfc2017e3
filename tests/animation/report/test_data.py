"""The report's figures, computed from rows built by hand: per member, totals, brackets,
and each indicator per month then over the period."""

from __future__ import annotations

from typing import Any

from tests.animation.report.sample import report


def _indicator(data: dict[str, Any], key: str) -> tuple[list[Any], Any]:
    found = next(i for i in data["indicators"] if i["key"] == key)
    return [m["value"] for m in found["months"]], found["value"]


def test_rows_count_what_each_member_did_within_the_period_and_sum_to_the_totals() -> None:
    data = report("animator")
    rows = {r["user"]["id"]: r for r in data["members"]}
    assert (rows[1]["cards"], rows[1]["reactions"], rows[1]["meetings_attended"]) == (1, 1, 2)
    # Bruno's post of 1 May is after the period.
    assert (rows[2]["cards"], rows[2]["comments"], rows[2]["active_weeks"]) == (4, 1, 4)
    for key in ("cards", "comments", "reactions", "meetings_attended", "active_weeks"):
        assert data["summary"][key] == sum(r[key] for r in rows.values())
    assert data["summary"]["attendance_rate"] == 0.75  # 3 presences out of 2 × 2


def test_observers_get_brackets_and_no_member_rows() -> None:
    data = report("observer")
    assert data["audience"] == "observer" and data["members"] is None
    # Alice wrote 1 (occasional), Bruno 5 (regular: the levels' floor is 4).
    assert data["distribution"]["contributions"] == {
        "Lecteurs (aucune contribution)": 0,
        "Occasionnels (1 à 3)": 1,
        "Réguliers (4 et plus)": 1,
    }
    assert data["distribution"]["meetings_attended"] == {"0": 0, "1": 1, "2": 1, "3 et plus": 0}
    assert (data["pyramid"]["occasional"], data["pyramid"]["regular"]) == (1, 1)


def test_indicators_give_each_month_then_the_whole_period() -> None:
    data = report("animator")
    assert _indicator(data, "contributions") == ([2, 4], 6)
    assert _indicator(data, "first_response_hours") == ([4.0, None], 4.0)
    assert _indicator(data, "attendance_rate") == ([1.0, 0.5], 0.75)
    assert _indicator(data, "gini")[1] == 0.667  # 1 against 5 contributions


def test_decisions_of_the_period_come_in_date_order_with_their_turnout() -> None:
    for role in ("animator", "observer"):
        data = report(role)
        assert [d["title"] for d in data["decisions"]] == [
            "Qui porte l'offre commune ?",
            "Trois idées à expérimenter",
        ], "in date order; the one of 1 May is after the period"
        dots = data["decisions"][1]
        assert dots == {
            "title": "Trois idées à expérimenter",
            "method": "dot",
            "method_label": "vote par points",
            "closed_on": "2026-04-02",
            "voters": 7,
            "eligible": 10,
            "turnout": 0.7,
            "winners": ["=Isolant <i>chanvre</i>", "Achats groupés"],
        }
        assert data["decisions"][0]["turnout"] is None  # how many could vote is unknown
        assert data["summary"]["decisions"] == 2
