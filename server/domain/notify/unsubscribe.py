"""The one-click unsubscribe of notification emails: the signed link names a person, a
collective and a kind; following it sets that kind to « in the application only » there."""

from __future__ import annotations

from sqlalchemy import select

from server.core.models import Membership
from server.core.platform import Essaim
from server.domain.notify.kinds import BY_NAME, Delivery, delivery_of
from server.domain.notify.tokens import TokenRefused, mail_key, read_unsubscribe_token
from server.events.write import write


async def _read(essaim: Essaim, token: str) -> tuple[int, int, str] | None:
    if not token or len(token) > 200:
        return None
    try:
        user_id, collective_id, kind = read_unsubscribe_token(await mail_key(essaim), token)
    except TokenRefused:
        return None
    return (user_id, collective_id, kind) if kind in BY_NAME else None


async def unsubscribe_known(essaim: Essaim, token: str) -> str | None:
    """The kind a valid ``token`` stops (nothing changed), or None."""
    found = await _read(essaim, token)
    return found[2] if found else None


async def unsubscribe(essaim: Essaim, token: str) -> str | None:
    """Stop the emails of the token's kind in its collective; the kind, or None if the token
    is not valid. A person who left the collective since has nothing left to stop: still a
    success (the link did what it says)."""
    found = await _read(essaim, token)
    if found is None:
        return None
    user_id, collective_id, kind = found
    async with write(essaim, None) as w:
        member = await w.session.scalar(
            select(Membership).where(
                Membership.user_id == user_id, Membership.collective_id == collective_id
            )
        )
        if member is not None:
            stored = dict(member.notification_prefs or {})
            if delivery_of(stored, kind) != Delivery.never:
                stored[kind] = Delivery.app.value
            member.notification_prefs = stored
    return kind
