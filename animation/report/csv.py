"""The report as a French spreadsheet (``format=csv``): what an animator or a funder opens in
Excel or LibreOffice."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from animation.report.data import ROLE_LABELS
from animation.report.french import figure, french_date, french_month, period_label
from server.core.spreadsheet import SpreadsheetWriter


def report_csv(data: dict[str, Any]) -> str:
    """The report as a French spreadsheet: ``;``-separated sections with a blank line between,
    decimal commas, every typed text neutralised (server.core.spreadsheet); the caller
    adds the BOM Excel needs to read UTF-8."""
    out = io.StringIO()
    w = SpreadsheetWriter(out)
    period = data["period"]
    w.writerow(["Rapport d'activité", data["collective"]["name"]])
    w.writerow(["Période", period_label(period)])
    w.writerow(["Financeurs", ", ".join(data["collective"]["funders"])])
    w.writerow([])
    summary = data["summary"]
    if data["members"] is not None:
        w.writerow(
            [
                "Membre",
                "Organisation",
                "Rôle",
                "Rencontres suivies",
                "Rencontres tenues",
                "Fiches",
                "Commentaires",
                "Réactions",
                "Semaines actives",
            ]
        )
        for r in data["members"]:
            w.writerow(
                [
                    r["user"]["display_name"],
                    r["organisation"],
                    ROLE_LABELS.get(r["role"], r["role"]),
                    r["meetings_attended"],
                    r["meetings_held"],
                    r["cards"],
                    r["comments"],
                    r["reactions"],
                    r["active_weeks"],
                ]
            )
        w.writerow(
            [
                "Total",
                f"{summary['participants']} participants",
                "",
                summary["meetings_attended"],
                summary["meetings_held"],
                summary["cards"],
                summary["comments"],
                summary["reactions"],
                summary["active_weeks"],
            ]
        )
    else:
        w.writerow(["Répartition", "Tranche", "Participants"])
        names = {
            "meetings_attended": "Rencontres suivies",
            "active_weeks": "Semaines actives",
            "contributions": "Contributions en ligne",
        }
        for key, label in names.items():
            for bracket, count in data["distribution"][key].items():
                w.writerow([label, bracket, count])
        w.writerow([])
        w.writerow(["Total", "Valeur"])
        for key, label in (
            ("participants", "Participants"),
            ("meetings_held", "Rencontres tenues"),
            ("meetings_attended", "Présences aux rencontres"),
            ("cards", "Fiches"),
            ("comments", "Commentaires"),
            ("reactions", "Réactions"),
        ):
            w.writerow([label, summary[key]])
    individual = data["individual"]
    if individual and individual["diagnostics_started"]:
        for key, label in (
            ("companies_diagnosed", "Entreprises diagnostiquées"),
            ("diagnostics_done", "Diagnostics terminés"),
            ("diagnostics_started", "Diagnostics commencés"),
            ("actions_planned", "Actions prévues"),
            ("actions_done", "Actions réalisées"),
            ("actions_overdue", "Actions en retard"),
            ("actions_with_practices", "Actions appuyées sur une pratique du collectif"),
            ("themes_addressed_collectively", "Thèmes des diagnostics traités en collectif"),
        ):
            w.writerow([label, individual[key]])
    w.writerow([])
    if data["decisions"]:
        w.writerow(["Décision", "Date", "Méthode", "Votants", "Participation", "Retenu"])
        for d in data["decisions"]:
            w.writerow(
                [
                    d["title"],
                    french_date(d["closed_on"]),
                    d["method_label"],
                    d["voters"] if d["eligible"] is None else f"{d['voters']} sur {d['eligible']}",
                    figure(d["turnout"], "%"),
                    " ; ".join(d["winners"]),
                ]
            )
        w.writerow([])
    months = [m["month"] for m in data["indicators"][0]["months"]]
    w.writerow(["Indicateur", "Causes", "Unité", *[french_month(m) for m in months], "Période"])
    for i in data["indicators"]:
        unit = i["unit"]
        w.writerow(
            [
                i["label"],
                " ".join(i["causes"]),
                unit,
                *[figure(m["value"], unit) for m in i["months"]],
                figure(i["value"], unit),
            ]
        )
    return out.getvalue()


def csv_filename(data: dict[str, Any]) -> str:
    """``essaim-rapport-<collective>-<from>-<to>.csv`` with an ASCII slug of the name."""
    period = data["period"]
    return f"essaim-rapport-{slug(data['collective']['name'])}-{period['from']}-{period['to']}.csv"


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_name).split()
    return "-".join(words)[:60] or "collectif"
