"""The wire form of the event log, in one place: the message an event becomes (on ``/ws`` and
in ``GET /collectives/{id}/events``) and the broker channels it travels on."""

from __future__ import annotations

from typing import Any

from server.core.models import Event

# The broker channel of session revocations: ``{"sessions": [id, ...]}`` (the hub closes the
# sockets of the sessions named, in every process).
SESSIONS_CHANNEL = "sessions"
# The broker channel of unread notification counts: ``{"unread": {"<user id>": n, ...}}``
# (the hub sends ``{"type": "notifications", "unread": n}`` to those users' sockets).
NOTIFICATIONS_CHANNEL = "notifications"


def collective_channel(collective_id: int) -> str:
    """The broker channel of a collective's events and presence announcements."""
    return f"collective:{collective_id}"


def event_message(event: Event) -> dict[str, Any]:
    """The wire form of an event (HTTP event pages and the WebSocket feed)."""
    return {
        "type": "event",
        "collective": event.collective_id,
        "seq": event.seq,
        "kind": event.kind,
        "board": event.board_id,
        "card": event.card_id,
        "actor": event.actor_id,
        "at": event.at.isoformat(),
        "data": event.payload,
    }


def broker_message(event: Event) -> dict[str, Any]:
    """What the broker carries: the wire message plus the audience flag, which each process
    strips before sending (animators get the message, everyone else its redaction)."""
    return {**event_message(event), "restricted": event.restricted}
