"""What a workshop looks like to its clients: the method's steps, the timer as the server
counts it, freeze and focus, who joined (names for members and animators only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from server.core.models import TimerState, User, Workshop, utcnow
from server.domain.views import iso, user_view


def seconds_left(workshop: Workshop, now: datetime) -> int:
    """The timer's seconds left at ``now`` (0 once a running timer has run out)."""
    if workshop.timer_state == TimerState.running and workshop.timer_ends_at is not None:
        return max(0, math.ceil((workshop.timer_ends_at - now).total_seconds()))
    return workshop.timer_left_s


def timer_view(workshop: Workshop, now: datetime) -> dict[str, Any]:
    running = workshop.timer_state == TimerState.running
    return {
        "state": workshop.timer_state,
        "duration_s": workshop.timer_duration_s,
        "remaining_s": seconds_left(workshop, now),
        "ends_at": iso(workshop.timer_ends_at) if running else None,
    }


def workshop_view(
    workshop: Workshop, participants: Sequence[User] | None, count: int
) -> dict[str, Any]:
    """``participants`` None: the caller may not see who joined (observers, events)."""
    now = utcnow()
    steps = list(workshop.steps)
    return {
        "id": workshop.id,
        "collective_id": workshop.collective_id,
        "board_id": workshop.board_id,
        "meeting_id": workshop.meeting_id,
        "title": workshop.title,
        "template": workshop.template,
        "status": workshop.status,
        "steps": steps,
        "step_index": workshop.step_index,
        "step": steps[workshop.step_index],
        "timer": timer_view(workshop, now),
        "server_now": now.isoformat(),
        "frozen": workshop.frozen,
        "focus_card_id": workshop.focus_card_id,
        "inbox_column_id": workshop.inbox_column_id,
        "reveal_authors": workshop.reveal_authors,
        "participant_count": count,
        "participants": [user_view(u) for u in participants] if participants is not None else None,
        "started_at": iso(workshop.started_at),
        "ended_at": iso(workshop.ended_at),
        "summary": workshop.summary,
    }
