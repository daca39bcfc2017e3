"""Every kind of event the write path may append, declared once with what it carries.

``Write.emit`` refuses a kind that is not declared here, so the list is complete by
construction: the README documents each kind (tests/test_docs.py) and the replay test
(tests/web/test_replay.py) has a scenario for each, or says why the pages' state ignores it.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    "collective.created": "a collective was created (data: the collective)",
    "collective.updated": "a collective's settings changed (data: the collective)",
    "member.joined": "someone joined (data: the member, with the public view of the user)",
    "member.updated": "a member's role, profile in the collective or display name changed",
    "member.removed": "a member left or was removed (data: user_id)",
    "phase.created": "a phase was added (data: the phase)",
    "phase.updated": "a phase changed (data: the phase)",
    "phase.deleted": "a phase was deleted; its boards lose it (data: id)",
    "board.created": "a board was created (data: the board with its columns)",
    "board.updated": "a board was renamed, described, locked, archived or moved to a phase",
    "column.created": "a column was added (data: the column, at its final position)",
    "column.updated": "a column was renamed or moved (data: the column)",
    "column.deleted": "an empty column was deleted (data: id)",
    "card.created": "a card was published (data: the card)",
    "card.updated": "a card's content changed (data: the card)",
    "card.moved": "a card moved (data: the card and from_column_id)",
    "card.hidden": "an animator hid a card (restricted: members get its ids only)",
    "card.restored": "an animator published a hidden card again (data: the card)",
    "card.deleted": "a card was deleted (data: id, column_id)",
    "card.pinned": "an animator pinned a card (data: the card)",
    "card.unpinned": "an animator unpinned a card (data: the card)",
    "comment.created": "a comment was posted (data: the comment)",
    "comment.updated": "a comment was edited (data: the comment)",
    "comment.hidden": "an animator hid a comment (restricted: members get its ids only)",
    "comment.restored": "an animator published a hidden comment again (data: the comment)",
    "comment.deleted": "a comment was deleted (data: id, card_id)",
    "reaction.added": "someone reacted to a card (data: user_id, kind, the card's counts)",
    "reaction.removed": "someone took a reaction back (data: user_id, kind, the counts)",
    "attachment.added": "a file was attached to a card (data: the attachment)",
    "flag.created": "someone flagged a card or comment (restricted: animators only)",
    "flag.resolved": "an animator resolved flags (restricted: animators only)",
    "meeting.created": "a meeting or workshop was recorded (data: the meeting)",
    "meeting.updated": "a meeting changed (data: the meeting, attendee_count)",
    "meeting.deleted": "a meeting was deleted (data: id)",
    "meeting.attendance_updated": "who attended a meeting changed (data: attendee_count only)",
    "nudge.sent": "an animator nudged a member (restricted)",
    "welcome.sent": "an animator welcomed a newcomer (restricted)",
    "nudge.template_updated": "the nudge template changed (restricted)",
    "alerts.thresholds_updated": "the alert thresholds changed (restricted)",
}


def check_kind(kind: str) -> None:
    """Refuse an undeclared kind: a programming error, caught by the first test that emits it."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"event kind {kind!r} is not declared in server/events/kinds.py")
