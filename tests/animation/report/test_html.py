"""The printable report: one self-contained page, names escaped, figures in French."""

from __future__ import annotations

from animation.report.french import display, french_date, french_month
from animation.report.html import report_html
from tests.animation.report.sample import report


def test_the_page_is_self_contained_and_escapes_names() -> None:
    page = report_html(report("animator"))
    assert page.startswith("<!doctype html>")
    assert "<script" not in page and "<link" not in page
    assert "Période : du 1 mars 2026 au 30 avr. 2026" in page
    assert "=Bruno &lt;b&gt;Roy&lt;/b&gt;" in page and "<b>Roy</b>" not in page
    assert page.count('role="img"') >= 3  # sparklines, the heat map, the pyramid
    assert "75 %" in page  # the attendance rate


def test_the_observer_page_names_nobody() -> None:
    page = report_html(report("observer"))
    assert "Alice" not in page and "Bruno" not in page
    assert "version financeur" in page


def test_figures_and_dates_read_in_french() -> None:
    assert french_date("2026-08-05") == "5 août 2026"
    assert french_month("2026-02") == "févr. 2026"
    assert display(0.755, "%") == "75,5 %"
    assert display(2.5, "h") == "2,5 h"
    assert display(12) == "12"
    assert display(None, "%") == "—"


def test_the_page_lists_the_decisions_of_the_period_escaped() -> None:
    page = report_html(report("observer"))
    assert "Décisions prises" in page
    assert "Trois idées à expérimenter" in page and "2 avr. 2026" in page
    assert "=Isolant &lt;i&gt;chanvre&lt;/i&gt;, Achats groupés" in page
    assert "7 / 10" in page and "70 %" in page
    assert "Décision de mai" not in page
