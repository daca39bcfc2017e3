"""A card's history: each content version (title, kind, body, keywords, a practice sheet's
structure) with who made it and when, what changed from the one before (a unified diff), and
restoring an old version as a new one (its author and animators)."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from server.core.models import Card, CardKind, CardVersion, User, utcnow
from server.core.platform import Essaim
from server.domain.access import (
    card_for,
    is_animator,
)
from server.domain.views import iso, user_view
from server.events.write import Write

# The parts of a practice sheet, in the order a sheet shows them (French headings).
PRACTICE_PARTS = (
    ("context", "Contexte"),
    ("steps", "Démarche"),
    ("results", "Résultats et indicateurs"),
    ("costs", "Coûts et durée"),
    ("vigilance", "Points de vigilance"),
    ("contacts", "Contacts"),
)


def practice_of(kind: str, practice: dict[str, Any] | None) -> dict[str, Any]:
    """The stored structure: only a practice has one, and only its non-empty parts."""
    if kind != CardKind.practice or not practice:
        return {}
    kept: dict[str, Any] = {}
    for part, _ in PRACTICE_PARTS:
        value = practice.get(part)
        if part == "steps":
            steps = [str(s).strip() for s in (value or []) if str(s).strip()]
            if steps:
                kept["steps"] = steps
        elif isinstance(value, str) and value.strip():
            kept[part] = value.strip()
    return kept


async def keep_history(w: Write, card: Card) -> None:
    """Before an edit: a card written before history was kept gets its content as it is now
    as its first version (its author's)."""
    existing = await w.session.scalar(select(func.count()).where(CardVersion.card_id == card.id))
    if not existing:
        await record_version(w, card, card.author_id, at=card.updated_at)


async def record_version(
    w: Write, card: Card, by_id: int | None, *, at: datetime | None = None
) -> None:
    """Keep the card's content as it is now, as made by ``by_id``."""
    await w.session.flush()
    w.session.add(
        CardVersion(
            card_id=card.id,
            version=card.version,
            kind=card.kind,
            title=card.title,
            body=card.body,
            tags=list(card.tags),
            practice=dict(card.practice or {}),
            by_id=by_id,
            at=at or utcnow(),
        )
    )


def _text(version: CardVersion) -> list[str]:
    lines = [f"# {version.title}", f"({version.kind})", ""]
    lines += version.body.splitlines()
    if version.tags:
        lines += ["", "Mots-clés : " + ", ".join(version.tags)]
    for part, heading in PRACTICE_PARTS:
        value = (version.practice or {}).get(part)
        if not value:
            continue
        lines += ["", f"## {heading}"]
        if part == "steps":
            lines += [f"{i}. {step}" for i, step in enumerate(value, 1)]
        else:
            lines += str(value).splitlines()
    return lines


def _changes(before: CardVersion | None, after: CardVersion) -> list[str]:
    if before is None:
        return ["created"]
    changed = [
        f for f in ("kind", "title", "body", "tags") if getattr(before, f) != getattr(after, f)
    ]
    for part, _ in PRACTICE_PARTS:
        if (before.practice or {}).get(part) != (after.practice or {}).get(part):
            changed.append(f"practice.{part}")
    return changed


async def list_versions(essaim: Essaim, user: User, card_id: int) -> dict[str, Any]:
    """The card's versions, newest first, each with what changed and its diff."""
    async with essaim.db.read() as session:
        card, member = await card_for(session, user, card_id)
        versions = list(
            await session.scalars(
                select(CardVersion)
                .where(CardVersion.card_id == card.id)
                .order_by(CardVersion.version, CardVersion.id)
            )
        )
        people = {
            u.id: u
            for u in await session.scalars(
                select(User).where(User.id.in_({v.by_id for v in versions if v.by_id}))
            )
        }
    # On an anonymous card, who wrote a version would name its author: animators only.
    named = not card.anonymous or is_animator(member)
    views = []
    previous: CardVersion | None = None
    for version in versions:
        diff = difflib.unified_diff(
            _text(previous) if previous else [],
            _text(version),
            fromfile=f"version {previous.version}" if previous else "",
            tofile=f"version {version.version}",
            lineterm="",
        )
        by = people.get(version.by_id) if version.by_id else None
        views.append(
            {
                "version": version.version,
                "current": version.version == card.version,
                "by": user_view(by) if by is not None and named else None,
                "at": iso(version.at),
                "kind": version.kind,
                "title": version.title,
                "body": version.body,
                "tags": list(version.tags),
                "practice": dict(version.practice or {}),
                "changes": _changes(previous, version),
                "diff": "\n".join(diff),
            }
        )
        previous = version
    return {"card_id": card.id, "current_version": card.version, "versions": views[::-1]}
