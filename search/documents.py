"""What the index holds: ``Document`` pieces built from cards, comments and attachments.

Every piece carries the fields queries filter on (collective, board, kind, tags, author, and
whether it or its card is hidden) so no backend needs a join. An attachment's text may be cut
into several pieces that share one ``doc`` key: queries answer one hit per ``doc``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from search.extract import Unreadable, chunks, extract_text, searchable
from search.french import analyze
from server.core.files import FileStore
from server.core.models import Attachment, Card, Comment, Moderation

log = logging.getLogger("essaim.search")

EntityType = Literal["card", "comment", "attachment"]
ENTITIES: tuple[EntityType, ...] = ("card", "comment", "attachment")


@dataclass(frozen=True)
class CardState:
    """The card-level fields copied onto every piece about a card."""

    card_id: int
    collective_id: int
    board_id: int
    kind: str
    tags: tuple[str, ...]
    hidden: bool


@dataclass(frozen=True)
class Document:
    """One indexed piece: a card, a comment, or one chunk of an attachment's text."""

    type: EntityType
    entity_id: int
    chunk: int
    card: CardState
    author_id: int
    hidden: bool
    title: str
    body: str
    title_terms: str = field(default="")
    body_terms: str = field(default="")

    @property
    def doc(self) -> str:
        """The key shared by the chunks of one document (one hit per document)."""
        return doc_key(self.type, self.entity_id)

    @property
    def id(self) -> str:
        """A unique id usable by every engine (Meilisearch allows ``[A-Za-z0-9_-]``)."""
        return f"{self.type}-{self.entity_id}-{self.chunk}"

    def filter_fields(self) -> dict[str, Any]:
        """The fields every engine stores to filter, group and facet this piece."""
        return {
            "id": self.id,
            "doc": self.doc,
            "type": self.type,
            "entity_id": self.entity_id,
            "card_id": self.card.card_id,
            "collective_id": self.card.collective_id,
            "board_id": self.card.board_id,
            "kind": self.card.kind,
            "tags": list(self.card.tags),
            "author_id": self.author_id,
            "hidden": self.hidden,
            "card_hidden": self.card.hidden,
        }

    def analyzed(self) -> Document:
        """This piece with its stemmed shadow fields filled."""
        tags = " ".join(self.card.tags) if self.type == "card" else ""
        # A comment shows its card's title but must not match on it: the card already does.
        title = "" if self.type == "comment" else f"{self.title} {tags}"
        return Document(
            self.type,
            self.entity_id,
            self.chunk,
            self.card,
            self.author_id,
            self.hidden,
            self.title,
            self.body,
            analyze(title),
            analyze(self.body),
        )


def doc_key(entity: str, entity_id: int) -> str:
    return f"{entity}-{entity_id}"


def card_state(card: Card) -> CardState:
    return CardState(
        card_id=card.id,
        collective_id=card.collective_id,
        board_id=card.board_id,
        kind=card.kind,
        tags=tuple(card.tags or ()),
        hidden=card.moderation == Moderation.hidden,
    )


@dataclass
class Loaded:
    """What the database says about some entities: pieces to store, keys to remove."""

    documents: list[Document] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    removed_cards: list[int] = field(default_factory=list)
    # Attachment id → text status to record on its row: ok, unreadable, or none (images).
    text_status: dict[int, str] = field(default_factory=dict)


async def load(
    session: AsyncSession,
    files: FileStore,
    entity: EntityType,
    ids: Sequence[int],
) -> Loaded:
    """Build the index pieces of ``ids`` of ``entity`` from the database (deleted → removed)."""
    out = Loaded()
    if entity == "card":
        cards = (await session.scalars(select(Card).where(Card.id.in_(ids)))).all()
        found = {c.id for c in cards}
        out.removed_cards.extend(i for i in ids if i not in found)
        for card in cards:
            if card.moderation == Moderation.deleted:
                out.removed_cards.append(card.id)
            else:
                out.documents.append(_card_document(card))
    elif entity == "comment":
        rows = (
            await session.execute(
                select(Comment, Card)
                .join(Card, Card.id == Comment.card_id)
                .where(Comment.id.in_(ids))
            )
        ).all()
        found = set()
        for comment, card in rows:
            found.add(comment.id)
            if Moderation.deleted in (comment.moderation, card.moderation):
                out.removed.append(doc_key("comment", comment.id))
            else:
                out.documents.append(_comment_document(comment, card))
        out.removed.extend(doc_key("comment", i) for i in ids if i not in found)
    else:
        files_rows = (
            await session.execute(
                select(Attachment, Card)
                .join(Card, Card.id == Attachment.card_id)
                .where(Attachment.id.in_(ids))
            )
        ).all()
        found = set()
        for attachment, card in files_rows:
            found.add(attachment.id)
            if card.moderation == Moderation.deleted:
                out.removed.append(doc_key("attachment", attachment.id))
                continue
            pieces, status = await _attachment_documents(files, attachment, card)
            out.documents.extend(pieces)
            out.text_status[attachment.id] = status
        out.removed.extend(doc_key("attachment", i) for i in ids if i not in found)
    return out


def _card_document(card: Card) -> Document:
    state = card_state(card)
    # An anonymous card is indexed under nobody: a search by author must not tell who wrote it.
    author = 0 if card.anonymous else card.author_id
    return Document("card", card.id, 0, state, author, state.hidden, card.title, card.body)


def _comment_document(comment: Comment, card: Card) -> Document:
    return Document(
        "comment",
        comment.id,
        0,
        card_state(card),
        comment.author_id,
        comment.moderation == Moderation.hidden,
        card.title,
        comment.body,
    )


async def _attachment_documents(
    files: FileStore, attachment: Attachment, card: Card
) -> tuple[list[Document], str]:
    """The chunks of an attachment's text and its text status; an unreadable file still gets
    its name indexed."""
    text, status = "", "none"
    if searchable(attachment.content_type):
        try:
            path = files.path_of(attachment.sha256)
            # Parsing is CPU-bound and can be slow: keep it off the event loop.
            text = await asyncio.to_thread(extract_text, path, attachment.content_type)
            status = "ok"
        except (Unreadable, OSError) as exc:
            log.info("attachment %s has no readable text: %s", attachment.id, exc)
            status = "unreadable"
    state = card_state(card)
    pieces = [
        Document(
            "attachment",
            attachment.id,
            n,
            state,
            attachment.uploader_id,
            False,
            attachment.filename,
            piece,
        )
        for n, piece in enumerate(chunks(text))
    ]
    return pieces, status
