"""The event log (source of the live feed, of replay and of metrics) and the search outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class Event(Base):
    """One append-only event; ``seq`` is strictly increasing, gap-free, per collective."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("collective_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    board_id: Mapped[int | None] = mapped_column(default=None)
    card_id: Mapped[int | None] = mapped_column(default=None, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # About content only animators may see (hidden at the time): redacted for everyone else.
    restricted: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEntry(Base):
    """A search-index change written in the same transaction as the content it describes."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # card | comment | attachment
    entity_id: Mapped[int]
    collective_id: Mapped[int] = mapped_column(index=True)
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once the row failed ``ESSAIM_INDEX_MAX_ATTEMPTS`` times on its own (not because the
    # engine was down): the indexer then skips it, ``essaim search reindex`` covers it.
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class StoreMeta(Base):
    """Facts about this data store; ``epoch`` is a random id set when the store was created,
    so a client holding a position from another store (a restored backup, a new database)
    is told to resync instead of replaying the wrong events."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
