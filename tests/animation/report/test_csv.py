"""The report's CSV: French sections a spreadsheet reads, typed text never a formula."""

from __future__ import annotations

import csv
import io

from animation.report.csv import csv_filename, report_csv, slug
from tests.animation.report.sample import report


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_animator_csv_names_members_and_ends_with_the_indicators_per_month() -> None:
    rows = _rows(report_csv(report("animator")))
    assert rows[0] == ["Rapport d'activité", "Réseau Rénov' — Sud"]
    assert rows[1] == ["Période", "du 1 mars 2026 au 30 avr. 2026"]
    members = {r[0]: r for r in rows if len(r) == 9}
    assert members["Alice Martin"][1:] == ["Agence", "animateur", "2", "2", "1", "0", "1", "1"]
    assert "'=Bruno <b>Roy</b>" in members  # a name starting with "=" stays text
    assert members["Total"][1] == "2 participants"
    header = next(r for r in rows if r and r[0] == "Indicateur")
    assert header[3:] == ["mars 2026", "avr. 2026", "Période"]
    rates = next(r for r in rows if r and r[0] == "Taux de présence aux rencontres")
    assert rates[1:] == ["P I", "%", "100", "50", "75"]  # rates as percentages
    delay = next(r for r in rows if r and r[0] == "Délai médian de première réponse")
    assert delay[3:] == ["4", "", "4"]  # no reply to wait for in April: empty


def test_observer_csv_has_brackets_and_no_name() -> None:
    text = report_csv(report("observer"))
    assert "Alice" not in text and "Bruno" not in text
    assert ["Contributions en ligne", "Réguliers (4 et plus)", "1"] in _rows(text)


def test_the_file_name_is_an_ascii_slug_of_the_collective_and_the_period() -> None:
    assert (
        csv_filename(report("observer"))
        == "essaim-rapport-reseau-renov-sud-2026-03-01-2026-04-30.csv"
    )
    assert slug("«  »") == "collectif"


def test_decisions_are_rows_and_their_labels_stay_text() -> None:
    rows = _rows(report_csv(report("observer")))
    start = rows.index(["Décision", "Date", "Méthode", "Votants", "Participation", "Retenu"])
    assert rows[start + 1] == [
        "Qui porte l'offre commune ?", "20 mars 2026", "jugement majoritaire", "4", "", "",
    ]  # fmt: skip
    assert rows[start + 2] == [
        "Trois idées à expérimenter",
        "2 avr. 2026",
        "vote par points",
        "7 sur 10",
        "70",
        "'=Isolant <i>chanvre</i> ; Achats groupés",
    ]
    assert rows[start + 3] == []
    assert "Décision de mai" not in report_csv(report("animator"))
