"""Visits and engagement figures over HTTP, on SQLite and PostgreSQL: who sees what (animators
everything, observers aggregates, members their own row, others 404), the shapes the browser
relies on, and bad input (400/422, nothing written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from server.core.models import Event, Visit, clock_at
from tests.conftest import ApiClient, World, join
from tests.support.collectives import seq, url
from tests.support.platform import essaim_of

CAUSES = ["pedagogy", "involvement", "knowledge", "experimentation", "animation"]
METRICS = {
    "wau",
    "mau",
    "wau_mau",
    "engaged_per_day",
    "first_response_median_h",
    "first_response_p90_h",
    "unanswered_posts",
    "newcomer_reply_rate",
    "questions_answered",
    "answers_per_question",
    "pyramid",
    "gini",
    "bus_factor",
    "bus_factor_without_animators",
    "cohort_retention",
    "heatmap",
    "practices_tried",
    "experiments_started",
    "experiments_finished",
    "onboarding_steps",
    "animator_activity",
}
MEMBER_ROW = {
    "user",
    "role",
    "organisation",
    "level",
    "trend",
    "last_active_at",
    "last_visit_at",
    "contributions",
    "reactions_given",
    "reactions_received",
    "usual_gap_days",
    "weekly",
}


async def visit_rows(world: World) -> int:
    async with essaim_of(world).db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)


# ---------------------------------------------------------------- visits


async def test_a_visit_is_recorded_once_per_debounce_interval_without_an_event(
    world: World,
) -> None:
    before = await seq(world)
    for _ in range(3):
        response = await world.member.post(url(world, "/visits"), json={})
        assert response.status_code == 204, response.text
    assert await visit_rows(world) == 1
    target = {"board_id": world.board_id, "card_id": world.card["id"]}
    assert (await world.member.post(url(world, "/visits"), json=target)).status_code == 204
    assert (await world.member.post(url(world, "/visits"), json=target)).status_code == 204
    board_only = {"board_id": world.board_id}
    assert (await world.member.post(url(world, "/visits"), json=board_only)).status_code == 204
    assert await visit_rows(world) == 3
    assert await seq(world) == before, "visits are not events"
    later = datetime.now(UTC) + timedelta(seconds=601)
    with clock_at(later):
        assert (await world.member.post(url(world, "/visits"), json={})).status_code == 204
    assert await visit_rows(world) == 4


async def test_every_role_visits_but_outsiders_get_404(world: World) -> None:
    for client in (world.animator, world.member, world.observer):
        assert (await client.post(url(world, "/visits"), json={})).status_code == 204
    refused = await world.outsider.post(url(world, "/visits"), json={})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert (await world.member.post("/api/v1/collectives/99999/visits", json={})).status_code == 404
    assert await visit_rows(world) == 3


async def test_visits_of_unknown_or_foreign_targets_are_refused(world: World) -> None:
    other = await world.outsider.post("/api/v1/collectives", json={"name": "Encore une"})
    foreign_board = await world.outsider.post(
        f"/api/v1/collectives/{other.json()['id']}/boards", json={"name": "Ailleurs"}
    )
    cases: list[tuple[Any, int]] = [
        ({"board_id": foreign_board.json()["id"]}, 422),
        ({"card_id": 999_999}, 422),
        ({"board_id": 0}, 422),
        ({"board_id": "1"}, 422),
        ({"elsewhere": 1}, 422),
        ([], 422),
    ]
    for body, status in cases:
        response = await world.member.post(url(world, "/visits"), json=body)
        assert response.status_code == status, (body, response.text)
        assert set(response.json()["error"]) >= {"code", "message", "fields"}
    bad_json = await world.member.post(
        url(world, "/visits"), content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    hidden = await world.animator.patch(
        f"/api/v1/cards/{world.card['id']}", json={"version": 1, "moderation": "hidden"}
    )
    assert hidden.status_code == 200
    hidden_visit = await world.member.post(
        url(world, "/visits"), json={"card_id": world.card["id"]}
    )
    assert hidden_visit.status_code == 422
    assert await visit_rows(world) == 0


# ---------------------------------------------------------------- engagement


async def test_animators_and_observers_get_the_health_panel_and_every_metric(
    world: World,
) -> None:
    await world.member.post(url(world, "/visits"), json={})
    for client in (world.animator, world.observer):
        response = await client.get(url(world, "/engagement"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["scope"] == "collective"
        today = datetime.now(UTC).date()  # the panel's days are UTC days (engagement.py)
        assert body["period"] == {
            "from": (today - timedelta(days=89)).isoformat(),
            "to": today.isoformat(),
        }
        assert [group["cause"] for group in body["health"]] == CAUSES
        for group in body["health"]:
            assert group["indicators"], group["cause"]
            assert group["in_trouble"] == any(i["in_trouble"] for i in group["indicators"])
            for indicator in group["indicators"]:
                assert set(indicator) == {
                    "key",
                    "value",
                    "threshold",
                    "direction",
                    "in_trouble",
                    "action",
                    "series",
                }
                assert indicator["direction"] in {"min", "max"}
                assert indicator["action"] in {"nudge", "pin", "prompt", "welcome", None}
                assert len(indicator["series"]) == 13  # 90 days: 12 weeks and 6 days
        metrics = body["metrics"]
        assert set(metrics) == METRICS
        assert (
            metrics["wau"]["value"] == 1
        )  # marc posted and visited; creating boards is not activity
        assert metrics["unanswered_posts"]["value"] == 1
        assert metrics["unanswered_posts"]["card_ids"] == [world.card["id"]]
        assert metrics["newcomer_reply_rate"] == {
            "value": 0.0,
            "first_posts": 1,
            "replied": 0,
            "causes": ["pedagogy", "animation"],
        }
        pyramid = metrics["pyramid"]
        assert {k: pyramid[k] for k in ("readers", "occasional", "regular", "driving")} == {
            "readers": 0,
            "occasional": 1,
            "regular": 0,
            "driving": 0,
        }
        assert pyramid["reference"] == {"readers": 0.9, "occasional": 0.09, "regular": 0.01}
        heatmap = metrics["heatmap"]["value"]
        assert len(heatmap) == 7 and all(len(row) == 24 for row in heatmap)
        assert sum(map(sum, heatmap)) == 1
        assert "marc" not in response.text, "no member names in aggregates"


async def test_a_member_gets_only_their_own_figures(world: World) -> None:
    response = await world.member.get(url(world, "/engagement"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "self"
    assert set(body) == {"scope", "period", "member"}
    row = body["member"]
    assert MEMBER_ROW <= set(row)
    assert row["user"] == {"id": world.member.id, "display_name": "marc"}
    assert (row["contributions"], row["level"], row["trend"]) == (1, "occasional", "new")
    assert "anna" not in response.text


async def test_engagement_period_and_bad_dates(world: World) -> None:
    ok = await world.animator.get(url(world, "/engagement?from=2026-01-05&to=2026-01-18"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["period"] == {"from": "2026-01-05", "to": "2026-01-18"}
    for indicator in ok.json()["health"][0]["indicators"]:
        assert len(indicator["series"]) == 2
    for query in (
        "from=2026-02-30",
        "from=yesterday",
        "to=2026-1-5",
        "from=2026-03-01&to=2026-02-01",
        "from=2020-01-01&to=2026-01-01",
    ):
        response = await world.animator.get(url(world, f"/engagement?{query}"))
        # The same answer as the report's for the same bad dates (one parser).
        assert response.status_code == 422, (query, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and error["fields"], query
        report = await world.animator.get(url(world, f"/report?format=json&{query}"))
        assert (report.status_code, report.json()["error"]) == (422, error), query


async def test_engagement_is_404_outside_the_collective(world: World) -> None:
    for path in ("/engagement", "/engagement/members"):
        response = await world.outsider.get(url(world, path))
        assert response.status_code == 404
        assert "Rénovation" not in response.text
    assert (await world.animator.get("/api/v1/collectives/424242/engagement")).status_code == 404


# ---------------------------------------------------------------- members


async def test_engagement_members_by_role(world: World) -> None:
    await world.member.post(url(world, "/visits"), json={})
    everyone = await world.animator.get(url(world, "/engagement/members"))
    assert everyone.status_code == 200, everyone.text
    rows = {row["user"]["display_name"]: row for row in everyone.json()["members"]}
    assert set(rows) == {"anna", "marc"}, "observers only watch: they have no figures"
    for row in rows.values():
        assert MEMBER_ROW <= set(row)
        assert len(row["weekly"]) == 12
        assert row["level"] in {"reader", "occasional", "regular", "driving"}
        assert row["trend"] in {"rising", "steady", "falling", "new", "silent"}
    marc = rows["marc"]
    assert (marc["role"], marc["contributions"], marc["weekly"][-1]) == ("member", 1, 1)
    assert marc["last_visit_at"] is not None and marc["last_active_at"] is not None
    assert rows["anna"]["last_visit_at"] is None

    own = await world.member.get(url(world, "/engagement/members"))
    assert own.status_code == 200
    assert [row["user"]["id"] for row in own.json()["members"]] == [world.member.id]
    observer = await world.observer.get(url(world, "/engagement/members"))
    assert observer.status_code == 403
    assert observer.json()["error"]["code"] == "forbidden"
    assert "marc" not in observer.text


async def test_reading_figures_writes_nothing(world: World) -> None:
    before = await seq(world)
    async with essaim_of(world).db.read() as session:
        events = await session.scalar(select(func.count()).select_from(Event))
    for client in (world.animator, world.member, world.observer):
        await client.get(url(world, "/engagement"))
        await client.get(url(world, "/engagement/members"))
    assert await seq(world) == before
    async with essaim_of(world).db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == events


async def test_a_silent_member_shows_as_silent(world: World, make_client: Any) -> None:
    sophie: ApiClient = await make_client("sophie")
    await join(world.animator, sophie, world.collective_id, "member")
    now = datetime.now(UTC)
    # Sophie posted every 5 days from 100 to 40 days ago, then nothing: silent against her
    # own habit (2 × 5 days, at least 14).
    for n, days_ago in enumerate(range(100, 39, -5)):
        with clock_at(now - timedelta(days=days_ago)):
            created = await sophie.post(
                f"/api/v1/boards/{world.board_id}/cards", json={"title": f"Fiche {n}"}
            )
            assert created.status_code == 201, created.text
    rows = (await world.animator.get(url(world, "/engagement/members"))).json()["members"]
    row = next(r for r in rows if r["user"]["id"] == sophie.id)
    assert (row["trend"], row["usual_gap_days"], row["contributions"]) == ("silent", 5.0, 13)
    marc = next(r for r in rows if r["user"]["id"] == world.member.id)
    assert marc["trend"] == "new"
