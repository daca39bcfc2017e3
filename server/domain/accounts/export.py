"""« Exporter mes données » (GDPR article 20): a ZIP of what a person gave Essaim.

    profile.json        the account (email, name, language, created_at)
    memberships.json    collectives, role, organisation, trade, skills, joined_at
    cards.json          the cards they wrote (deleted ones excepted), with their reaction counts
    comments.json       the comments they wrote
    reactions.json      the reactions they gave
    attachments.json    the files they attached, stored under ``attachments/``
    ballots.json        their ballots, anonymous votes included (their own, which only they
                        may read), with the options' labels
    workshops.json      the live workshops they joined (title, collective, when they joined)
    diagnostics.json    the diagnostics of their company made with them (answers, maturity,
                        action plan)

Only their own data: other people's comments under their cards, who reacted to them, and who
else is in their collectives are other people's personal data, so they are not exported (the
cards carry reaction counts only).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.core import throttle
from server.core.files import sanitize_filename
from server.core.models import (
    Attachment,
    Ballot,
    Board,
    Card,
    Collective,
    Comment,
    Diagnostic,
    Membership,
    Moderation,
    Notification,
    NotificationEmail,
    Reaction,
    User,
    Vote,
    VoteOption,
    Workshop,
    WorkshopParticipant,
)
from server.core.platform import Essaim
from server.domain.boards import reaction_counts
from server.domain.diagnostics import service as diagnostic_views
from server.domain.views import iso, me_view
from server.events.write import write


@dataclass(frozen=True)
class Export:
    path: Path  # a temporary file: the caller removes it once sent
    filename: str


EXPORT_WINDOW_SECONDS = 3600


def throttle_key(user_id: int) -> str:
    return f"export:user:{user_id}"


async def export_data(essaim: Essaim, user: User) -> Export:
    """The ZIP of ``user``'s data, in a temporary file the caller removes once sent.

    Counted first (``ESSAIM_EXPORT_MAX_PER_HOUR``, 429 beyond): each export is a full copy of
    the person's files, and nothing else would stop a loop from filling the disk."""
    async with write(essaim, user) as w:
        await throttle.admit(
            w.session,
            {throttle_key(user.id): essaim.settings.export_max_per_hour},
            EXPORT_WINDOW_SECONDS,
            "too many data exports asked for; try again later",
        )
    files: list[tuple[str, Path]] = []
    async with essaim.db.read() as session:
        account = await session.get(User, user.id)
        assert account is not None
        memberships = [
            {
                "collective": {"id": c.id, "name": c.name},
                "role": m.role,
                "organisation": m.organisation,
                "trade": m.trade,
                "skills": list(m.skills),
                "joined_at": iso(m.joined_at),
                "notification_preferences": dict(m.notification_prefs or {}),
            }
            for m, c in await session.execute(
                select(Membership, Collective)
                .join(Collective, Collective.id == Membership.collective_id)
                .where(Membership.user_id == user.id)
                .order_by(Collective.id)
            )
        ]
        cards_rows = list(
            await session.execute(
                select(Card, Board.name)
                .join(Board, Board.id == Card.board_id)
                .where(Card.author_id == user.id, Card.moderation != Moderation.deleted)
                .order_by(Card.id)
            )
        )
        counts = await reaction_counts(session, [card.id for card, _ in cards_rows])
        cards = [
            {
                "id": card.id,
                "collective_id": card.collective_id,
                "board": {"id": card.board_id, "name": board_name},
                "kind": card.kind,
                "title": card.title,
                "body": card.body,
                "tags": list(card.tags),
                "moderation": card.moderation,
                "reactions": counts.get(card.id, {}),
                "created_at": iso(card.created_at),
                "updated_at": iso(card.updated_at),
            }
            for card, board_name in cards_rows
        ]
        comments = [
            {
                "id": comment.id,
                "card_id": comment.card_id,
                "collective_id": comment.collective_id,
                "body": comment.body,
                "moderation": comment.moderation,
                "created_at": iso(comment.created_at),
                "updated_at": iso(comment.updated_at),
            }
            for comment in await session.scalars(
                select(Comment)
                .where(Comment.author_id == user.id, Comment.moderation != Moderation.deleted)
                .order_by(Comment.id)
            )
        ]
        reactions = [
            {"card_id": r.card_id, "kind": r.kind, "created_at": iso(r.created_at)}
            for r in await session.scalars(
                select(Reaction).where(Reaction.user_id == user.id).order_by(Reaction.id)
            )
        ]
        attachments = []
        for a in await session.scalars(
            select(Attachment)
            .join(Card, Card.id == Attachment.card_id)
            .where(Attachment.uploader_id == user.id, Card.moderation != Moderation.deleted)
            .order_by(Attachment.id)
        ):
            name = f"attachments/{a.id}-{sanitize_filename(a.filename)}"
            attachments.append(
                {
                    "id": a.id,
                    "card_id": a.card_id,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "created_at": iso(a.created_at),
                    "file": name,
                }
            )
            files.append((name, essaim.files.path_of(a.sha256)))
        ballots = []
        for ballot, vote in await session.execute(
            select(Ballot, Vote)
            .join(Vote, Vote.id == Ballot.vote_id)
            .where(Ballot.voter_id == user.id)
            .order_by(Ballot.id)
        ):
            labels = await session.execute(
                select(VoteOption.id, VoteOption.label).where(VoteOption.vote_id == vote.id)
            )
            ballots.append(
                {
                    "vote_id": vote.id,
                    "collective_id": vote.collective_id,
                    "title": vote.title,
                    "method": vote.method,
                    "anonymous": vote.anonymous,
                    "options": {str(option_id): label for option_id, label in labels},
                    "ballot": ballot.data,
                    "updated_at": iso(ballot.updated_at),
                }
            )
        workshops = [
            {
                "workshop_id": workshop.id,
                "collective_id": workshop.collective_id,
                "title": workshop.title,
                "joined_at": iso(joined.joined_at),
            }
            for joined, workshop in await session.execute(
                select(WorkshopParticipant, Workshop)
                .join(Workshop, Workshop.id == WorkshopParticipant.workshop_id)
                .where(WorkshopParticipant.user_id == user.id)
                .order_by(WorkshopParticipant.joined_at)
            )
        ]
        diagnostics = [
            await diagnostic_views.full_view(session, d)
            for d in await session.scalars(
                select(Diagnostic).where(Diagnostic.member_id == user.id).order_by(Diagnostic.id)
            )
        ]
        notifications = [
            {
                "id": n.id,
                "collective_id": n.collective_id,
                # What it was about, not what others wrote (that is their data).
                "kind": n.kind,
                "url": n.data.get("url"),
                "created_at": iso(n.created_at),
                "read_at": iso(n.read_at),
                "emailed_at": iso(n.emailed_at),
            }
            for n in await session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ]
        emails = [
            {"thread": e.thread, "sent_at": iso(e.sent_at)}
            for e in await session.scalars(
                select(NotificationEmail)
                .where(NotificationEmail.user_id == user.id)
                .order_by(NotificationEmail.id)
            )
        ]
    documents: dict[str, Any] = {
        "profile.json": me_view(account),
        "memberships.json": memberships,
        "cards.json": cards,
        "comments.json": comments,
        "reactions.json": reactions,
        "attachments.json": attachments,
        "ballots.json": ballots,
        "workshops.json": workshops,
        "diagnostics.json": diagnostics,
        "notifications.json": {
            "quiet_hours": account.quiet_hours,
            "notifications": notifications,
            "emails_sent": emails,
        },
    }
    # Zipping files is blocking disk work: keep it off the event loop.
    path = await asyncio.to_thread(_write_zip, documents, files)
    return Export(path, f"essaim-export-{user.id}.zip")


def _write_zip(documents: dict[str, Any], files: list[tuple[str, Path]]) -> Path:
    handle = tempfile.NamedTemporaryFile(prefix="essaim-export-", suffix=".zip", delete=False)
    path = Path(handle.name)
    try:
        with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, document in documents.items():
                text = json.dumps(document, ensure_ascii=False, indent=2)
                archive.writestr(name, text + "\n")
            for name, source in files:
                if source.is_file():
                    archive.write(source, name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
