"""The payload of an event kind: the keys of its ``data`` and their types, checked cheaply
(a key and ``isinstance`` check) by ``Write.emit`` before anything is written; and the payloads
several kinds share, named as docs/events.md names them.

A payload maps each key to a type (``str | None`` when it may be null), to a nested payload (a
``Mapping``), or to ``OrNone(nested)`` for a nested payload that may be null. Every key is
required and no other is allowed: the payload is what a client may rely on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import UnionType
from typing import TypeAlias

# A payload: each key of ``data`` with its type (``str | None`` for nullable), or a nested
# payload (``Mapping``), or ``OrNone(nested)`` for a nested payload that may be null.
Field: TypeAlias = "type | UnionType | Mapping[str, Field] | OrNone"
Payload: TypeAlias = Mapping[str, Field]


@dataclass(frozen=True)
class OrNone:
    """A nested payload that may also be ``null``."""

    payload: Payload


USER: Payload = {"id": int, "display_name": str}
COLLECTIVE: Payload = {
    "id": int,
    "name": str,
    "description": str,
    "theme": str,
    "territory": str,
    "funders": list,
    "starts_on": str | None,
    "ends_on": str | None,
    "members_open_votes": bool,
    "licence": str,
    "seq": int,
    "created_at": str,
}
MEMBER: Payload = {
    "user": USER,
    "role": str,
    "organisation": str,
    "trade": str,
    "skills": list,
    "joined_at": str,
}
PHASE: Payload = {
    "id": int,
    "collective_id": int,
    "name": str,
    "kind": str,
    "description": str,
    "starts_on": str,
    "ends_on": str,
}
BOARD: Payload = {
    "id": int,
    "collective_id": int,
    "name": str,
    "kind": str,
    "description": str,
    "phase_id": int | None,
    "archived": bool,
    "locked": bool,
    "created_at": str,
}
COLUMN: Payload = {"id": int, "board_id": int, "name": str, "position": int}
CARD: Payload = {
    "id": int,
    "collective_id": int,
    "board_id": int,
    "column_id": int,
    "position": int,
    "kind": str,
    "title": str,
    "body": str,
    "body_html": str,
    "tags": list,
    "author": OrNone(USER),  # null for an anonymous card: events never name its author
    "anonymous": bool,
    "version": int,
    "moderation": str,
    "pinned": bool,
    "reactions": dict,
    "comment_count": int,
    "practice": dict,  # a practice sheet's structure ({} for other kinds)
    "capitalised_at": str | None,  # validated for the guide
    "created_at": str,
    "updated_at": str,
}
COMMENT: Payload = {
    "id": int,
    "card_id": int,
    "author": USER,
    "body": str,
    "body_html": str,
    "moderation": str,
    "created_at": str,
    "updated_at": str,
}
REACTION: Payload = {"card_id": int, "kind": str, "user_id": int, "reactions": dict}
ATTACHMENT: Payload = {
    "id": int,
    "card_id": int,
    "filename": str,
    "content_type": str,
    "size": int,
    "sha256": str,
    "uploader_id": int | None,  # null on an anonymous card, when its author attached it
    "url": str,
    "created_at": str,
}
FLAG: Payload = {
    "id": int,
    "target_type": str,
    "target_id": int,
    "card_id": int,
    "reason": str,
    "note": str | None,
    "status": str,
    "created_at": str,
    "collective_id": int,
    "card": {"id": int, "title": str, "board_id": int, "board_name": str, "moderation": str},
    "comment": OrNone({"id": int, "excerpt": str, "moderation": str}),
    "reporter": USER,
    "outcome": str | None,
    "resolved_by": OrNone(USER),
    "resolved_at": str | None,
    "flag_count": int,
    "open_flag_count": int,
}
MEETING: Payload = {
    "id": int,
    "collective_id": int,
    "title": str,
    "kind": str,
    "held_on": str,
    "starts_at": str | None,
    "ends_at": str | None,
    "location": str,
    "notes": str | None,
    "attendee_count": int,
    "attendees": list | None,  # null in events: who attended is not broadcast
    "created_at": str,
    "updated_at": str,
}
NUDGE: Payload = {
    "id": int,
    "collective_id": int,
    "user": USER,
    "sender": USER,
    "message": str,
    "alert_id": str | None,
    "created_at": str,
    "notification_id": int,
}

VOTE: Payload = {
    "id": int,
    "collective_id": int,
    "board_id": int | None,
    "title": str,
    "method": str,
    "budget": int,
    "max_per_option": int | None,
    "anonymous": bool,
    "results_shown": str,
    "closes_at": str | None,
    "closed_at": str | None,
    "status": str,
    "created_by": OrNone(USER),
    "created_at": str,
    "decision_card_id": int | None,
    "options": list,
    "turnout": int,
}

WORKSHOP: Payload = {
    "id": int,
    "collective_id": int,
    "board_id": int,
    "meeting_id": int | None,
    "title": str,
    "template": str,
    "status": str,
    "steps": list,
    "step_index": int,
    "step": dict,
    "timer": {"state": str, "duration_s": int, "remaining_s": int, "ends_at": str | None},
    "server_now": str,
    "frozen": bool,
    "focus_card_id": int | None,
    "inbox_column_id": int | None,
    "reveal_authors": bool,
    "participant_count": int,
    "participants": list | None,  # null in events: who joined is not broadcast
    "started_at": str,
    "ended_at": str | None,
    "summary": dict | None,
}

# The payloads several kinds share, by the name docs/events.md gives them.
SHAPES: dict[str, Payload] = {
    "user": USER,
    "collective": COLLECTIVE,
    "member": MEMBER,
    "phase": PHASE,
    "board": BOARD,
    "column": COLUMN,
    "card": CARD,
    "comment": COMMENT,
    "reaction": REACTION,
    "attachment": ATTACHMENT,
    "flag": FLAG,
    "meeting": MEETING,
    "nudge": NUDGE,
    "vote": VOTE,
    "workshop": WORKSHOP,
}

# What a member or observer gets instead of ``data`` when they may not see an event
# (server/events/read.py ``redacted``): ids only, by the family of the kind.
REDACTED_CARD: Payload = {"id": int, "redacted": bool}
REDACTED_COMMENT: Payload = {"id": int | None, "card_id": int | None, "redacted": bool}
REDACTED_OTHER: Payload = {"card_id": int | None, "redacted": bool}


class PayloadError(ValueError):
    """An event's ``data`` does not match its kind's payload: a programming error."""


def check(payload: Payload, data: object, where: str) -> None:
    """Refuse ``data`` with a missing, unknown or wrongly typed key (nested ones included)."""
    if not isinstance(data, Mapping):
        raise PayloadError(f"{where}: expected an object, got {type(data).__name__}")
    missing = payload.keys() - data.keys()
    unknown = data.keys() - payload.keys()
    if missing or unknown:
        raise PayloadError(f"{where}: missing keys {sorted(missing)}, unknown {sorted(unknown)}")
    for key, field in payload.items():
        value = data[key]
        path = f"{where}.{key}"
        if isinstance(field, OrNone):
            if value is not None:
                check(field.payload, value, path)
        elif isinstance(field, Mapping):
            check(field, value, path)
        elif not _is(value, field):
            raise PayloadError(f"{path}: {value!r} is not {_type_name(field)}")


def _is(value: object, expected: type | UnionType) -> bool:
    # bool is an int to Python, never to a client: a flag where a number is due is a bug.
    if isinstance(value, bool) and not _allows(expected, bool):
        return False
    return isinstance(value, expected)


def _allows(expected: type | UnionType, kind: type) -> bool:
    options = expected.__args__ if isinstance(expected, UnionType) else (expected,)
    return kind in options


def _type_name(expected: type | UnionType) -> str:
    return str(expected) if isinstance(expected, UnionType) else expected.__name__
