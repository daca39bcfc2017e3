"""The report as a printable page (``format=html``): a Jinja2 template, self-contained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from animation.report import charts
from animation.report.data import LEVEL_LABELS, ROLE_LABELS
from animation.report.french import display, french_date, french_month, period_label

# Next to this module, shipped in the wheel as package data (pyproject: "animation.report").
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


def report_html(data: dict[str, Any]) -> str:
    """The printable page: self-contained (inline CSS, inline SVG charts), no script."""
    months = [m["month"] for m in data["indicators"][0]["months"]]
    sparklines = {
        i["key"]: Markup(
            charts.sparkline(
                [m["value"] for m in i["months"]],
                f"Évolution mensuelle : {i['label']}",
                ", ".join(
                    f"{french_month(m['month'])} : {display(m['value'], i['unit'])}"
                    for m in i["months"]
                ),
            )
        )
        for i in data["indicators"]
    }
    pyramid = data["pyramid"]
    return _templates.get_template("report.html").render(
        data=data,
        months=[french_month(m) for m in months],
        period_label=period_label(data["period"]),
        sparklines=sparklines,
        heat_map=Markup(
            charts.heat_map(data["heat_map"], "Activité par jour de la semaine et par heure")
        ),
        pyramid=Markup(
            charts.pyramid(
                pyramid["shares"],
                pyramid["reference"],
                LEVEL_LABELS,
                "Pyramide de participation comparée à la règle 90-9-1",
            )
        ),
        levels=list(
            zip(
                LEVEL_LABELS,
                (pyramid["readers"], pyramid["occasional"], pyramid["regular"]),
                strict=True,
            )
        ),
        role_labels=ROLE_LABELS,
        display=display,
        french_date=french_date,
    )
