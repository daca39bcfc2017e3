"""The report's SVG charts: well-formed, accessible images (a title and a description that
says in French what the chart shows), no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from animation.report.charts import heat_map, pyramid, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}script") is None
    return root


def test_a_sparkline_breaks_where_a_month_has_no_value_and_marks_the_last() -> None:
    root = parsed(sparkline([1, 3, None, 2, 4], "Visites", "Visites par mois <mensuel>"))
    assert root.findtext(f"{SVG}title") == "Visites"
    assert root.findtext(f"{SVG}desc") == "Visites par mois <mensuel>"  # escaped, then read
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    (last,) = root.findall(f"{SVG}circle")
    assert last.get("cx") == "156.0" and last.get("cy") == "4.0"  # the right end, the highest


def test_a_sparkline_without_values_is_a_dashed_line() -> None:
    root = parsed(sparkline([None, None], "Visites", "Aucune visite"))
    assert root.find(f"{SVG}polyline") is None
    assert root.find(f"{SVG}line") is not None


def test_the_heat_map_names_its_busiest_hour() -> None:
    grid = [[0] * 24 for _ in range(7)]
    grid[1][9] = 5
    grid[6][20] = 1
    root = parsed(heat_map(grid, "Quand le collectif participe"))
    assert root.findtext(f"{SVG}desc") == (
        "6 actions réparties par jour de la semaine et par heure ; le plus actif : mar. 9 h (5)"
    )
    cells = root.findall(f"{SVG}rect")
    assert len(cells) == 7 * 24
    opacities = {cell.findtext(f"{SVG}title"): cell.get("fill-opacity") for cell in cells}
    assert opacities["mar. 9 h : 5"] == "1.0" and opacities["dim. 20 h : 1"] == "0.36"
    assert opacities["lun. 0 h : 0"] == "0.06"


def test_the_pyramid_compares_each_level_with_the_reference() -> None:
    labels = ["Lecteurs", "Contributeurs", "Moteurs"]
    root = parsed(pyramid([0.5, 0.3, 0.2], [0.9, 0.09, 0.01], labels, "Participation"))
    assert root.findtext(f"{SVG}desc") == (
        "Lecteurs : 50 % (référence 90 %); Contributeurs : 30 % (référence 9 %); "
        "Moteurs : 20 % (référence 1 %)"
    )
    empty = parsed(pyramid(None, [0.9, 0.09, 0.01], labels, "Participation"))
    assert "Lecteurs : 0 %" in (empty.findtext(f"{SVG}desc") or "")
