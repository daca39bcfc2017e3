"""The report for funders: CSV that parses with sums that match, a printable HTML page with
its SVG charts and no script, JSON; named rows for animators, aggregates for observers."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest

from animation.participation import PARIS
from tests.conftest import PASSWORD, MakeClient, World, join

API = "/api/v1"
# The report's days are Paris days (after 23:00 UTC in winter it is already tomorrow there).
TODAY = datetime.now(PARIS).date()
FROM = (TODAY - timedelta(days=60)).isoformat()
TO = TODAY.isoformat()


@pytest.fixture
async def lived(world: World) -> World:
    """The world with some activity and two meetings (one attended by both participants)."""
    m, a = world.member, world.animator
    card = world.card["id"]
    await a.post(f"{API}/cards/{card}/comments", json={"body": "Bonne idée"})
    await m.post(f"{API}/cards/{card}/comments", json={"body": "Merci"})
    await a.post(f"{API}/cards/{card}/reactions", json={"kind": "useful"})
    await a.post(f"{API}/boards/{world.board_id}/cards", json={"title": "Question du mois"})
    for days, ids in ((20, [m.id, a.id]), (5, [a.id])):
        held = (TODAY - timedelta(days=days)).isoformat()
        meeting = await a.post(
            f"{API}/collectives/{world.collective_id}/meetings",
            json={"title": f"Rencontre J-{days}", "held_on": held},
        )
        put = await a.request(
            "PUT", f"{API}/meetings/{meeting.json()['id']}/attendance", json={"user_ids": ids}
        )
        assert put.status_code == 200, put.text
    return world


def _url(world: World, fmt: str, **extra: str) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"from": FROM, "to": TO, "format": fmt, **extra}.items()
    )
    return f"{API}/collectives/{world.collective_id}/report?{query}"


def _sections(text: str) -> list[list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    sections: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            sections[-1].append(row)
        else:
            sections.append([])
    return sections


async def test_animator_csv_parses_with_named_rows_whose_sums_are_the_totals(
    lived: World,
) -> None:
    response = await lived.animator.get(_url(lived, "csv"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    slug = "renovation-drome"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="essaim-rapport-{slug}-{FROM}-{TO}.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    sections = _sections(raw.decode("utf-8-sig"))
    header, participation, indicators = sections[0], sections[1], sections[2]
    assert header[0] == ["Rapport d'activité", "Rénovation Drôme"]
    assert participation[0][:4] == ["Membre", "Organisation", "Rôle", "Rencontres suivies"]
    rows = {r[0]: r for r in participation[1:-1]}
    total = participation[-1]
    assert set(rows) == {"anna", "marc"}, "observers are not participants"
    assert total[0] == "Total"
    for column in range(3, 9):
        assert sum(int(r[column]) for r in rows.values()) == int(total[column]) or column == 4
    anna, marc = rows["anna"], rows["marc"]
    assert anna[2] == "animateur" and marc[2] == "membre"
    assert (anna[3], anna[4]) == ("2", "2") and (marc[3], marc[4]) == ("1", "2")
    assert marc[5:8] == ["1", "1", "0"] and anna[5:8] == ["1", "1", "1"]
    assert int(total[5]) == 2 and int(total[6]) == 2 and int(total[7]) == 1
    assert indicators[0][:3] == ["Indicateur", "Causes", "Unité"]
    assert indicators[0][-1] == "Période"
    labels = {r[0]: r for r in indicators[1:]}
    assert labels["Contributions (fiches et commentaires)"][-1] == "4"
    assert labels["Rencontres et ateliers tenus"][-1] == "2"
    assert labels["Taux de présence aux rencontres"][-1] == "75"
    assert labels["Membres actifs"][1] == "I"


async def test_observer_gets_aggregates_without_any_name(lived: World) -> None:
    response = await lived.observer.get(_url(lived, "csv"))
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8-sig")
    assert "marc" not in text and "anna" not in text
    distribution = _sections(text)[1]
    assert distribution[0] == ["Répartition", "Tranche", "Participants"]
    by_kind: dict[str, int] = {}
    for kind, _bracket, count in distribution[1:]:
        by_kind[kind] = by_kind.get(kind, 0) + int(count)
    assert by_kind == {"Rencontres suivies": 2, "Semaines actives": 2, "Contributions en ligne": 2}
    data = (await lived.observer.get(_url(lived, "json"))).json()
    assert data["audience"] == "observer" and data["members"] is None
    assert "marc" not in (await lived.observer.get(_url(lived, "html"))).text


async def test_json_totals_are_the_sums_of_the_rows(lived: World) -> None:
    data: dict[str, Any] = (await lived.animator.get(_url(lived, "json"))).json()
    assert data["period"] == {"from": FROM, "to": TO}
    rows = data["members"]
    for key in ("meetings_attended", "cards", "comments", "reactions", "active_weeks"):
        assert data["summary"][key] == sum(r[key] for r in rows), key
    assert data["summary"]["meetings_held"] == 2 and data["summary"]["attendance_rate"] == 0.75
    assert len(data["heat_map"]) == 7 and all(len(row) == 24 for row in data["heat_map"])
    assert sum(map(sum, data["heat_map"])) == 5  # 2 cards, 2 comments, 1 reaction
    pyramid = data["pyramid"]
    assert pyramid["readers"] + pyramid["occasional"] + pyramid["regular"] == 2
    assert pyramid["reference"] == [0.9, 0.09, 0.01]
    months = data["indicators"][0]["months"]
    assert months[0]["month"] == FROM[:7] and months[-1]["month"] == TO[:7]
    assert all(i["causes"] for i in data["indicators"])


async def test_html_is_printable_with_svg_charts_and_no_script(lived: World) -> None:
    response = await lived.animator.get(_url(lived, "html"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert page.startswith("<!doctype html>") and '<html lang="fr">' in page
    assert "<script" not in page.lower() and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "@media print" in page
    assert page.count('class="sparkline"') == 11
    assert 'class="heatmap"' in page and 'class="pyramid"' in page
    assert page.count('role="img"') == 13 and page.count("<title>") >= 14
    assert "<caption>" in page and "marc" in page and "Rénovation Drôme" in page
    default = await lived.animator.get(f"{API}/collectives/{lived.collective_id}/report")
    assert default.status_code == 200 and default.headers["content-type"].startswith("text/html")


async def test_names_are_escaped_in_the_html(world: World) -> None:
    await world.member.patch(
        f"{API}/collectives/{world.collective_id}/members/{world.member.id}",
        json={"organisation": "<b>SARL</b>"},
    )
    page = (await world.animator.get(_url(world, "html"))).text
    assert "<b>SARL</b>" not in page and "&lt;b&gt;SARL&lt;/b&gt;" in page


async def test_who_may_read_the_report(world: World) -> None:
    assert (await world.member.get(_url(world, "csv"))).status_code == 403
    assert (await world.outsider.get(_url(world, "html"))).status_code == 404
    assert (await world.observer.get(_url(world, "html"))).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("from=20260101", "from"),
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("from=2020-01-01&to=2026-01-01", "to"),
        ("format=pdf", "format"),
    ],
)
async def test_bad_parameters_get_422_naming_the_field(
    world: World, query: str, field: str
) -> None:
    response = await world.animator.get(f"{API}/collectives/{world.collective_id}/report?{query}")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]


FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+1", "-cmd", "@SUM(A1:A9)"]


async def test_csv_cells_typed_by_people_never_start_a_formula(
    world: World, make_client: MakeClient
) -> None:
    """OWASP CSV injection: a typed cell starting with = + - @ (tab, CR) is prefixed with '."""
    for i, name in enumerate(FORMULA_NAMES):
        client = await make_client()
        registered = await client.post(
            f"{API}/auth/register",
            json={"email": f"f{i}@example.fr", "password": PASSWORD, "display_name": name},
        )
        assert registered.status_code == 201, registered.text
        client.csrf = registered.json()["csrf_token"]
        await join(world.animator, client, world.collective_id, "member")
    patched = await world.animator.patch(
        f"{API}/collectives/{world.collective_id}/members/{world.member.id}",
        json={"organisation": "-2+3"},
    )
    assert patched.status_code == 200, patched.text
    funders = await world.animator.patch(
        f"{API}/collectives/{world.collective_id}", json={"funders": ["=1+1", "Région"]}
    )
    assert funders.status_code == 200, funders.text
    response = await world.animator.get(_url(world, "csv"))
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    names = {r[0] for r in rows if r}
    for name in FORMULA_NAMES:
        assert "'" + name in names and name not in names, name
    marc = next(r for r in rows if r and r[0] == "marc")
    assert marc[1] == "'-2+3"
    assert ["Financeurs", "'=1+1, Région"] in rows
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "@", "\t", "\r")]
