"""Mentions: ``@Prénom Nom`` in a card or a comment names a member of the collective by their
display name (as the browser's autocomplete writes it), matched case- and accent-sensitively
as written but ignoring case, longest name first — « @Marie Dupont » is Marie Dupont even when
someone is called Marie."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import Membership, Role, User

# At most this many people are told of one text (a pasted member list is not a mention each).
MAX_MENTIONS = 20


def find_mentions(text: str, names: dict[int, str]) -> dict[int, str]:
    """Who of ``names`` (user id → display name) ``text`` mentions."""
    if "@" not in text:
        return {}
    folded = text.casefold()
    found: dict[int, str] = {}
    taken: list[tuple[int, int]] = []
    for user_id, name in sorted(names.items(), key=lambda item: -len(item[1])):
        if not name.strip():
            continue
        pattern = re.compile(r"(?<![\w@])@" + re.escape(name.casefold()) + r"(?![\w])")
        for match in pattern.finditer(folded):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            found[user_id] = name
            break
        if len(found) >= MAX_MENTIONS:
            break
    return found


async def mentioned(session: AsyncSession, collective_id: int, text: str) -> dict[int, str]:
    """The members of the collective (observers excepted) that ``text`` mentions."""
    if "@" not in text:
        return {}
    rows = await session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.collective_id == collective_id, Membership.role != Role.observer)
    )
    return find_mentions(text, {uid: name for uid, name in rows})
