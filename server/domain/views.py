"""JSON views of the models: the same shapes in API responses and in event payloads, so a
client that applies events to what it fetched holds what it would fetch now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from server.core.markdown import render_markdown
from server.core.models import (
    Attachment,
    Board,
    BoardColumn,
    Card,
    Collective,
    Comment,
    Membership,
    Phase,
    User,
)


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name}


def me_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "created_at": iso(user.created_at),
        "email_verified": user.email_verified_at is not None,
    }


def collective_view(collective: Collective) -> dict[str, Any]:
    return {
        "id": collective.id,
        "name": collective.name,
        "description": collective.description,
        "theme": collective.theme,
        "territory": collective.territory,
        "funders": list(collective.funders),
        "starts_on": iso(collective.starts_on),
        "ends_on": iso(collective.ends_on),
        "members_open_votes": collective.members_open_votes,
        "licence": collective.licence,
        "seq": collective.last_seq,
        "created_at": iso(collective.created_at),
    }


def member_view(membership: Membership, user: User) -> dict[str, Any]:
    return {
        "user": user_view(user),
        "role": membership.role,
        "organisation": membership.organisation,
        "trade": membership.trade,
        "skills": list(membership.skills),
        "joined_at": iso(membership.joined_at),
    }


def phase_view(phase: Phase) -> dict[str, Any]:
    return {
        "id": phase.id,
        "collective_id": phase.collective_id,
        "name": phase.name,
        "kind": phase.kind,
        "description": phase.description,
        "starts_on": iso(phase.starts_on),
        "ends_on": iso(phase.ends_on),
    }


def board_view(board: Board) -> dict[str, Any]:
    return {
        "id": board.id,
        "collective_id": board.collective_id,
        "name": board.name,
        "kind": board.kind,
        "description": board.description,
        "phase_id": board.phase_id,
        "archived": board.archived,
        "locked": board.locked,
        "created_at": iso(board.created_at),
    }


def column_view(column: BoardColumn) -> dict[str, Any]:
    return {
        "id": column.id,
        "board_id": column.board_id,
        "name": column.name,
        "position": column.position,
    }


def card_view(
    card: Card,
    author: User | None,
    reactions: dict[str, int] | None = None,
    comments: int = 0,
) -> dict[str, Any]:
    """``author`` None: the card is anonymous to this audience (server/domain/access.py
    ``sees_author``); events about an anonymous card never name its author."""
    return {
        "id": card.id,
        "collective_id": card.collective_id,
        "board_id": card.board_id,
        "column_id": card.column_id,
        "position": card.position,
        "kind": card.kind,
        "title": card.title,
        "body": card.body,
        "body_html": render_markdown(card.body),
        "tags": list(card.tags),
        "author": user_view(author) if author is not None else None,
        "anonymous": bool(card.anonymous),
        "version": card.version,
        "moderation": card.moderation,
        "pinned": card.pinned,
        "reactions": reactions or {},
        "comment_count": comments,
        "practice": dict(card.practice or {}),
        "capitalised_at": iso(card.capitalised_at),
        "created_at": iso(card.created_at),
        "updated_at": iso(card.updated_at),
    }


def comment_view(comment: Comment, author: User) -> dict[str, Any]:
    return {
        "id": comment.id,
        "card_id": comment.card_id,
        "author": user_view(author),
        "body": comment.body,
        "body_html": render_markdown(comment.body),
        "moderation": comment.moderation,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
    }


def attachment_view(attachment: Attachment, *, uploader_shown: bool = True) -> dict[str, Any]:
    """``uploader_shown`` False: the file was attached by the author of an anonymous card,
    whom this audience may not see (server/domain/access.py ``sees_author``)."""
    return {
        "id": attachment.id,
        "card_id": attachment.card_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploader_id": attachment.uploader_id if uploader_shown else None,
        "url": f"/api/v1/attachments/{attachment.id}",
        "created_at": iso(attachment.created_at),
    }
