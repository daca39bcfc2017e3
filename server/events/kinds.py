"""Every kind of event the write path may append, declared once: its name, what it means, the
keys and types of its ``data`` (``payload``), who applies it, and whether it is always
restricted.

``Write.emit`` takes an ``EventKind`` and checks ``data`` against its payload before anything
is written, in every mode: a wrong payload is a programming error and fails the first test that
emits it. docs/events.md lists the same kinds (tests/test_docs.py compares them), the replay
test (tests/web/test_replay.py) has a scenario for each, and tests/server/events/test_kinds.py
checks the events that representative writes produce against these payloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import UnionType
from typing import Any, TypeAlias

# A payload: each key of ``data`` with its type (``str | None`` for nullable), or a nested
# payload (``Mapping``), or ``OrNone(nested)`` for a nested payload that may be null.
Field: TypeAlias = "type | UnionType | Mapping[str, Field] | OrNone"
Payload: TypeAlias = Mapping[str, Field]


@dataclass(frozen=True)
class OrNone:
    """A nested payload that may also be ``null``."""

    payload: Payload


class Client(StrEnum):
    """Who applies an event to what it holds (web/static/js/state.js exports the lists)."""

    board_page = "board page"  # applyBoard, BOARD_KINDS
    card_page = "card page"  # applyCard, CARD_KINDS
    collective_page = "collective page"  # applyCollective, COLLECTIVE_KINDS
    activity = "activity feed"  # the collective page's feed (collective.js describe)
    hub = "realtime hub"  # forgets a cached membership, closes a removed member's feed


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
    "author": USER,
    "version": int,
    "moderation": str,
    "pinned": bool,
    "reactions": dict,
    "comment_count": int,
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
    "uploader_id": int,
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
}

# What a member or observer gets instead of ``data`` when they may not see an event
# (server/events/read.py ``redacted``): ids only, by the family of the kind.
REDACTED_CARD: Payload = {"id": int, "redacted": bool}
REDACTED_COMMENT: Payload = {"id": int | None, "card_id": int | None, "redacted": bool}
REDACTED_OTHER: Payload = {"card_id": int | None, "redacted": bool}

_BOARD, _CARD, _HOME = Client.board_page, Client.card_page, Client.collective_page
_FEED, _HUB = Client.activity, Client.hub


class EventKind(StrEnum):
    """An event kind; the member is the ``kind`` string stored and sent (``"card.created"``)."""

    doc: str
    payload: Payload
    affects: frozenset[Client]
    restricted: bool  # always restricted (animators only), whatever it is about

    def __new__(
        cls,
        name: str,
        doc: str,
        payload: Payload,
        affects: Iterable[Client] = (),
        restricted: bool = False,
    ) -> EventKind:
        member = str.__new__(cls, name)
        member._value_ = name
        member.doc = doc
        member.payload = payload
        member.affects = frozenset(affects)
        member.restricted = restricted
        return member

    @property
    def redacted_payload(self) -> Payload:
        """The ``data`` members and observers get when this event is redacted for them."""
        family = self.value.split(".")[0]
        return {"card": REDACTED_CARD, "comment": REDACTED_COMMENT}.get(family, REDACTED_OTHER)

    collective_created = "collective.created", "a collective was created", COLLECTIVE
    collective_updated = "collective.updated", "its settings changed", COLLECTIVE, [_HOME]
    member_joined = (
        "member.joined",
        "someone joined (with the public view of the user)",
        MEMBER,
        [_BOARD, _CARD, _HOME, _FEED],
    )
    member_updated = (
        "member.updated",
        "a member's role, profile in the collective or display name changed",
        MEMBER,
        [_BOARD, _CARD, _HOME, _HUB],
    )
    member_removed = (
        "member.removed",
        "a member left, was removed or erased their account",
        {"user_id": int},
        [_HOME, _HUB],
    )
    phase_created = "phase.created", "a phase was added", PHASE, [_HOME, _FEED]
    phase_updated = "phase.updated", "a phase changed", PHASE, [_HOME]
    phase_deleted = (
        "phase.deleted",
        "a phase was deleted; its boards lose it",
        {"id": int},
        [_BOARD, _HOME],
    )
    board_created = (
        "board.created",
        "a board was created (with its columns)",
        {**BOARD, "columns": list},
        [_HOME, _FEED],
    )
    board_updated = (
        "board.updated",
        "a board was renamed, described, locked, archived or moved to a phase",
        BOARD,
        [_BOARD, _HOME],
    )
    column_created = (
        "column.created",
        "a column was added, at its final position (the others renumbered around it)",
        COLUMN,
        [_BOARD],
    )
    column_updated = "column.updated", "a column was renamed or moved", COLUMN, [_BOARD]
    column_deleted = "column.deleted", "an empty column was deleted", {"id": int}, [_BOARD]
    card_created = "card.created", "a card was published", CARD, [_BOARD, _FEED]
    card_updated = "card.updated", "a card's content changed", CARD, [_BOARD, _CARD, _FEED]
    card_moved = (
        "card.moved",
        "a card moved (from_column_id: where it was)",
        {**CARD, "from_column_id": int},
        [_BOARD, _CARD, _FEED],
    )
    card_hidden = (
        "card.hidden",
        "an animator hid a card (restricted: members get its ids)",
        CARD,
        [_BOARD, _CARD],
    )
    card_restored = (
        "card.restored",
        "an animator published a hidden card again",
        CARD,
        [_BOARD, _CARD],
    )
    card_deleted = (
        "card.deleted",
        "a card was deleted",
        {"id": int, "column_id": int},
        [_BOARD, _CARD],
    )
    card_pinned = "card.pinned", "an animator pinned a card", CARD, [_BOARD, _CARD]
    card_unpinned = "card.unpinned", "an animator unpinned a card", CARD, [_BOARD, _CARD]
    comment_created = (
        "comment.created",
        "a comment was posted",
        COMMENT,
        [_BOARD, _CARD, _FEED],
    )
    comment_updated = "comment.updated", "a comment was edited", COMMENT, [_CARD]
    comment_hidden = (
        "comment.hidden",
        "an animator hid a comment (restricted: members get its ids)",
        COMMENT,
        [_BOARD, _CARD],
    )
    comment_restored = (
        "comment.restored",
        "an animator published a hidden comment again",
        COMMENT,
        [_BOARD, _CARD],
    )
    comment_deleted = (
        "comment.deleted",
        "a comment was deleted",
        {"id": int, "card_id": int},
        [_BOARD, _CARD],
    )
    reaction_added = (
        "reaction.added",
        "someone reacted to a card (reactions: the card's counts)",
        REACTION,
        [_BOARD, _CARD, _FEED],
    )
    reaction_removed = (
        "reaction.removed",
        "someone took a reaction back (reactions: the card's counts)",
        REACTION,
        [_BOARD, _CARD],
    )
    attachment_added = (
        "attachment.added",
        "a file was attached to a card",
        ATTACHMENT,
        [_CARD, _FEED],
    )
    flag_created = (
        "flag.created",
        "someone flagged a card or comment",
        FLAG,
        (),
        True,
    )
    flag_resolved = (
        "flag.resolved",
        "an animator resolved flags (resolved_flag_ids: every flag it closed)",
        {**FLAG, "resolved_flag_ids": list},
        (),
        True,
    )
    meeting_created = "meeting.created", "a meeting or workshop was recorded", MEETING
    meeting_updated = "meeting.updated", "a meeting changed", MEETING
    meeting_deleted = "meeting.deleted", "a meeting was deleted", {"id": int}
    meeting_attendance_updated = (
        "meeting.attendance_updated",
        "who attended a meeting changed (attendee_count; attendees is null: never who)",
        MEETING,
    )
    nudge_sent = (
        "nudge.sent",
        "an animator nudged a member",
        NUDGE,
        (),
        True,
    )
    welcome_sent = (
        "welcome.sent",
        "an animator welcomed a newcomer by a notification",
        {"user": USER, "notification_id": int, "message": str},
        (),
        True,
    )
    nudge_template_updated = (
        "nudge.template_updated",
        "the nudge template changed",
        {"template": str, "default": str, "placeholders": list},
        (),
        True,
    )
    alerts_thresholds_updated = (
        "alerts.thresholds_updated",
        "the alert thresholds changed",
        {"thresholds": dict, "defaults": dict},
        (),
        True,
    )


# By name: what the docs and the replay test enumerate.
EVENT_KINDS: dict[str, EventKind] = {kind.value: kind for kind in EventKind}


class PayloadError(ValueError):
    """An event's ``data`` does not match its kind's payload: a programming error."""


def check_kind(kind: object) -> EventKind:
    """The registered kind; refuse anything else (a bare string included: call sites name the
    member, so a typo fails at import and a new kind must be declared here)."""
    if not isinstance(kind, EventKind):
        raise ValueError(f"event kind {kind!r} is not declared in server/events/kinds.py")
    return kind


def check_payload(kind: EventKind, data: Mapping[str, Any], *, redacted: bool = False) -> None:
    """Refuse ``data`` with a missing, unknown or wrongly typed key (nested payloads included)."""
    _check(kind.redacted_payload if redacted else kind.payload, data, kind.value)


def _check(payload: Payload, data: object, where: str) -> None:
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
                _check(field.payload, value, path)
        elif isinstance(field, Mapping):
            _check(field, value, path)
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
