"""The demo collective has meetings with attendance, a pinned card and an open flag, so the
moderation, meeting and report screens have something to show."""

from __future__ import annotations

from sqlalchemy import func, select

from server.cli.demo_content import MEETINGS
from server.core.models import Attendance, Card, Flag, Meeting
from tests.conftest import Demo


async def test_demo_has_meetings_a_pinned_card_and_an_open_flag(demo: Demo) -> None:
    result = demo.result
    async with demo.essaim.db.read() as session:
        held = list(await session.scalars(select(Meeting).order_by(Meeting.held_on)))
        assert [m.title for m in held] == [m.title for m in MEETINGS]
        attendance = await session.scalar(select(func.count()).select_from(Attendance))
        assert attendance is not None and attendance >= 15
        assert await session.scalar(select(func.count()).where(Card.pinned)) == 1
        flags = list(await session.scalars(select(Flag)))
        assert [f.status for f in flags] == ["open"]
        assert flags[0].collective_id == result.collective_id
