"""Attachments: a file is stored on disk first (content-addressed), then recorded on its card."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from server.core.errors import NotFound
from server.core.files import sanitize_filename, served_type
from server.core.models import Attachment, Moderation, User
from server.core.platform import Essaim
from server.domain.access import Action, card_for, require_open_board
from server.domain.views import attachment_view
from server.events.kinds import EventKind
from server.events.write import write


async def add_attachment(
    essaim: Essaim, user: User, card_id: int, source: BinaryIO, filename: str
) -> dict[str, Any]:
    # Authorise before touching the disk, so a refused upload stores nothing.
    async with essaim.db.read() as session:
        card, member = await card_for(session, user, card_id, Action.write)
        await require_open_board(session, card.board_id, member)
    name = sanitize_filename(filename)
    stored = await asyncio.to_thread(
        essaim.files.save, source, name, essaim.settings.max_upload_bytes
    )
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        await require_open_board(w.session, card.board_id, member)
        attachment = Attachment(
            card_id=card.id,
            collective_id=card.collective_id,
            uploader_id=user.id,
            filename=name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
        )
        w.session.add(attachment)
        await w.session.flush()
        view = attachment_view(attachment)
        restricted = card.moderation != Moderation.published
        # On an anonymous card, a file from its author would name them: the event names nobody.
        secret = card.anonymous and attachment.uploader_id == card.author_id
        await w.emit_on_card(
            card,
            EventKind.attachment_added,
            attachment_view(attachment, uploader_shown=not secret),
            restricted=restricted,
            anonymous=secret,
        )
        w.index("attachment", attachment.id, card.collective_id)
    return view


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str
    inline: bool


async def open_attachment(essaim: Essaim, user: User, attachment_id: int) -> Download:
    async with essaim.db.read() as session:
        attachment = await session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound("attachment")
        try:
            await card_for(session, user, attachment.card_id)
        except NotFound:
            raise NotFound("attachment") from None
    path = essaim.files.path_of(attachment.sha256)
    if not path.exists():
        raise NotFound("attachment file")
    content_type, inline = await asyncio.to_thread(served_type, path, attachment.content_type)
    return Download(
        path=path, filename=attachment.filename, content_type=content_type, inline=inline
    )
