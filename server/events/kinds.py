"""Every kind of event the write path may append, declared once: its name, what it means, the
keys and types of its ``data`` (``payload``), who applies it, and whether it is always
restricted.

``Write.emit`` takes an ``EventKind`` and checks ``data`` against its payload
(server/events/payloads.py) before anything is written, in every mode: a wrong payload is a
programming error and fails the first test that emits it. docs/events.md lists the same kinds
(tests/test_docs.py compares them), the replay test (tests/web/test_replay.py) has a scenario
for each, and tests/server/events/test_kinds.py checks the events that representative writes
produce against these payloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from server.events.payloads import (
    ATTACHMENT,
    BOARD,
    CARD,
    COLLECTIVE,
    COLUMN,
    COMMENT,
    FLAG,
    MEETING,
    MEMBER,
    NUDGE,
    PHASE,
    REACTION,
    REDACTED_CARD,
    REDACTED_COMMENT,
    REDACTED_OTHER,
    USER,
    VOTE,
    WORKSHOP,
    Payload,
    check,
)


class Client(StrEnum):
    """Who applies an event to what it holds (web/static/js/state.js exports the lists)."""

    board_page = "board page"  # applyBoard, BOARD_KINDS
    card_page = "card page"  # applyCard, CARD_KINDS
    collective_page = "collective page"  # applyCollective, COLLECTIVE_KINDS
    activity = "activity feed"  # the collective page's feed (collective.js describe)
    hub = "realtime hub"  # forgets a cached membership, closes a removed member's feed


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
    card_merged = (
        "card.merged",
        "an animator merged a duplicate card into another (merged_into_id): it left its board, "
        "its comments, reactions and files are on the other",
        {"id": int, "column_id": int, "merged_into_id": int, "merge_id": int},
        [_BOARD, _CARD],
    )
    card_unmerged = (
        "card.unmerged",
        "an animator undid a merge: the card is back on its board, with what it had",
        CARD,
        [_BOARD],
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
    vote_opened = "vote.opened", "a vote was opened (with its options)", VOTE
    ballot_cast = (
        "ballot.cast",
        "someone cast or replaced their ballot: never its content; no actor for an anonymous"
        " vote; results: the public tally when results are live, else null",
        {"vote_id": int, "turnout": int, "results": dict | None},
    )
    vote_closed = (
        "vote.closed",
        "a vote was closed (by an animator, or its closing time): its frozen results",
        {**VOTE, "results": dict},
    )
    decision_created = (
        "decision.created",
        "closing a vote wrote its decision card (card_id, on board_id)",
        {"vote_id": int, "card_id": int, "board_id": int, "title": str},
    )
    workshop_started = (
        "workshop.started",
        "an animator started a live workshop on the board (its steps, timer, inbox)",
        WORKSHOP,
    )
    workshop_updated = (
        "workshop.updated",
        "the workshop's timer, step, freeze, focus or number of participants changed",
        WORKSHOP,
    )
    workshop_ended = (
        "workshop.ended",
        "the workshop ended: its summary (cards, votes, decisions, participants)",
        WORKSHOP,
    )


# By name: what the docs and the replay test enumerate.
EVENT_KINDS: dict[str, EventKind] = {kind.value: kind for kind in EventKind}


def check_kind(kind: object) -> EventKind:
    """The registered kind; refuse anything else (a bare string included: call sites name the
    member, so a typo fails at import and a new kind must be declared here)."""
    if isinstance(kind, EventKind):
        return kind
    if kind in EVENT_KINDS:
        raise ValueError(f"emit EventKind.{EVENT_KINDS[str(kind)].name}, not the string {kind!r}")
    raise ValueError(f"event kind {kind!r} is not declared in server/events/kinds.py")


def check_payload(kind: EventKind, data: Mapping[str, Any], *, redacted: bool = False) -> None:
    """Refuse ``data`` with a missing, unknown or wrongly typed key (nested payloads included)."""
    check(kind.redacted_payload if redacted else kind.payload, data, kind.value)
