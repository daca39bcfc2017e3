"""The demo collective's individual phase: six artisans diagnosed (so its needs show), two
drafts, first actions on the weak themes, one linked to a practice of its boards."""

from __future__ import annotations

from sqlalchemy import select

from server.core.models import User
from server.domain.diagnostics import needs, service
from tests.conftest import Demo


async def test_the_demo_has_diagnostics_plans_and_needs(demo: Demo) -> None:
    essaim, result = demo.essaim, demo.result
    cid = result.collective_id
    assert cid is not None
    async with essaim.db.read() as session:
        claire = await session.scalar(select(User).where(User.email == result.animator_email))
        julien = await session.scalar(
            select(User).where(User.email == "julien.faure@demo.essaim.fr")
        )
    assert claire is not None and julien is not None
    diagnostics = await service.list_diagnostics(essaim, claire, cid)
    assert len(diagnostics) == 8
    assert sum(d["status"] == "done" for d in diagnostics) == 6
    assert {d["template"]["id"] for d in diagnostics} == {"renovation-energetique"}
    found = await needs.collective_needs(essaim, claire, cid, None)
    assert found["available"] and found["diagnosed"] == 6
    weakest = found["themes"][0]
    assert weakest["theme_id"] in {"cooperation", "numerique"} and weakest["weak"] >= 4
    mine = await service.list_diagnostics(essaim, julien, cid)
    [own] = mine
    assert own["company"] == "Faure Thermique" and own["collective_median_shown"]
    assert {a["status"] for a in own["actions"]} == {"doing", "todo"}
    assert any(a["card_ids"] for a in own["actions"]), "an action linked to a practice"
