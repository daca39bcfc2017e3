"""``redacted``, on messages built in memory: what a member or observer keeps of an event they
may not see is its place in the log and the ids of what it is about, never who did it nor the
payload (tests/server/events/test_redaction.py checks the same through the API)."""

from __future__ import annotations

from typing import Any

from server.events.read import redacted


def message(kind: str, data: dict[str, Any], card: int | None = 7) -> dict[str, Any]:
    return {
        "type": "event",
        "collective": 3,
        "seq": 41,
        "kind": kind,
        "board": 5,
        "card": card,
        "actor": 12,
        "at": "2026-03-02T09:30:00+00:00",
        "data": data,
    }


def test_a_card_event_keeps_its_place_and_the_card_id_only() -> None:
    original = message("card.hidden", {"id": 7, "title": "Chantier chez Mme Durand"})
    got = redacted(original)
    assert got == {
        **original,
        "actor": None,
        "data": {"id": 7, "redacted": True},
    }
    # The log's own fields are untouched: a client stays in sync on seq and board.
    assert (got["seq"], got["collective"], got["board"], got["at"]) == (
        41,
        3,
        5,
        "2026-03-02T09:30:00+00:00",
    )


def test_a_comment_event_keeps_the_comment_and_card_ids() -> None:
    original = message(
        "comment.created", {"id": 88, "body": "Je ne suis pas d'accord", "author": {"id": 12}}
    )
    assert redacted(original)["data"] == {"id": 88, "card_id": 7, "redacted": True}


def test_a_comment_event_without_an_id_keeps_none() -> None:
    assert redacted(message("comment.deleted", {}))["data"] == {
        "id": None,
        "card_id": 7,
        "redacted": True,
    }


def test_any_other_event_keeps_only_its_card() -> None:
    flagged = message("flag.created", {"id": 2, "reason": "propos injurieux", "user_id": 12})
    assert redacted(flagged)["data"] == {"card_id": 7, "redacted": True}
    about_nothing = message("nudge.sent", {"nudge_id": 4, "message": "On vous attend"}, card=None)
    assert redacted(about_nothing)["data"] == {"card_id": None, "redacted": True}


def test_redaction_leaves_the_original_message_whole() -> None:
    original = message("card.updated", {"id": 7, "title": "Devis isolation"})
    redacted(original)
    assert original["actor"] == 12
    assert original["data"] == {"id": 7, "title": "Devis isolation"}
