"""The demo collective shows real engagement figures and alerts at "now": visits recorded
through the visit service, and at least a newcomer's unanswered first post, an unanswered
post and a member silent against their own habit."""

from __future__ import annotations

from sqlalchemy import func, select

from animation.alert_feed import list_alerts
from animation.engagement import engagement, engagement_members
from server.core.models import User, Visit
from tests.conftest import Demo


async def test_the_demo_has_visits_alerts_and_figures(demo: Demo) -> None:
    essaim, result = demo.essaim, demo.result
    cid = result.collective_id
    assert cid is not None
    async with essaim.db.read() as session:
        claire = await session.scalar(select(User).where(User.email == result.animator_email))
        visits = await session.scalar(select(func.count()).select_from(Visit))
        assert visits is not None and visits > 100
    assert claire is not None

    alerts = (await list_alerts(essaim, claire, cid))["alerts"]
    rules = {a["rule"] for a in alerts}
    assert {"newcomer_unanswered", "post_unanswered", "member_silent"} <= rules, alerts
    silent = next(a for a in alerts if a["rule"] == "member_silent")
    assert silent["user"]["display_name"] == "Mehdi Benali"
    newcomer = next(a for a in alerts if a["rule"] == "newcomer_unanswered")
    assert newcomer["user"]["display_name"] == "Patrick Giraud"
    waiting = next(a for a in alerts if a["rule"] == "post_unanswered")
    assert waiting["card"]["title"].startswith("PAC en copropriété")

    figures = await engagement(essaim, claire, cid, None, None)
    metrics = figures["metrics"]
    assert metrics["wau"]["value"] >= 5 and metrics["mau"]["value"] >= 10
    pyramid = metrics["pyramid"]
    levels = ("readers", "occasional", "regular", "driving", "absent")
    assert sum(pyramid[k] for k in levels) == 13  # the animator and 12 members
    assert pyramid["occasional"] >= 1
    assert metrics["first_response_median_h"]["value"] is not None
    assert any(group["in_trouble"] for group in figures["health"])

    rows = (await engagement_members(essaim, claire, cid))["members"]
    assert len(rows) == 13
    trends = {row["user"]["display_name"]: row["trend"] for row in rows}
    assert trends["Mehdi Benali"] == "silent"
    assert all(row["last_visit_at"] for row in rows)
