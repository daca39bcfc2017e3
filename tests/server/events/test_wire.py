"""The wire form of an event, from an ``Event`` built in memory: every field of the message,
the audience flag the broker adds, and the channel names every process agrees on."""

from __future__ import annotations

from datetime import UTC, datetime

from server.core.models import Event
from server.events.wire import (
    SESSIONS_CHANNEL,
    broker_message,
    collective_channel,
    event_message,
)

AT = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)


def event(restricted: bool = False) -> Event:
    return Event(
        collective_id=3,
        seq=41,
        kind="card.created",
        actor_id=12,
        board_id=5,
        card_id=7,
        payload={"id": 7, "title": "Isolation en laine de bois"},
        restricted=restricted,
        at=AT,
    )


def test_an_event_message_carries_every_field_under_its_wire_name() -> None:
    assert event_message(event()) == {
        "type": "event",
        "collective": 3,
        "seq": 41,
        "kind": "card.created",
        "board": 5,
        "card": 7,
        "actor": 12,
        "at": "2026-03-02T09:30:15+00:00",
        "data": {"id": 7, "title": "Isolation en laine de bois"},
    }


def test_the_message_never_says_whether_the_event_is_restricted() -> None:
    assert "restricted" not in event_message(event(restricted=True))


def test_the_broker_message_adds_the_audience_flag_to_the_same_message() -> None:
    for restricted in (False, True):
        carried = broker_message(event(restricted))
        assert carried.pop("restricted") is restricted
        assert carried == event_message(event(restricted))


def test_channel_names() -> None:
    assert collective_channel(3) == "collective:3"
    assert collective_channel(31) != collective_channel(3)
    assert SESSIONS_CHANNEL == "sessions"
    assert not SESSIONS_CHANNEL.startswith("collective:")
