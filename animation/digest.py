"""The weekly digest: an email to members who have not visited for a while, with what
happened in their collectives (new cards, answers to their own posts) and an unsubscribe link.

``essaim digest`` runs it (from cron, weekly). A member gets at most one digest per
``ESSAIM_DIGEST_IDLE_DAYS``, none when nothing happened, and none after unsubscribing. Each
email's unsubscribe token is stored as a hash, so every link sent keeps working.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.links import FALLBACK_BASE_URL
from server.core.mail import Email
from server.core.models import (
    Card,
    Collective,
    Comment,
    DigestDelivery,
    DigestOptOut,
    Membership,
    Moderation,
    User,
    Visit,
    utcnow,
)
from server.core.platform import Essaim
from server.core.security import new_token, token_hash
from server.events.write import write

TITLES_SHOWN = 5


@dataclass(frozen=True)
class CollectiveNews:
    collective_id: int
    name: str
    new_cards: list[str]  # titles, newest first
    answers: list[tuple[str, str]]  # (who answered, the title of the member's card)


@dataclass(frozen=True)
class Digest:
    user: User
    news: list[CollectiveNews]

    @property
    def new_cards(self) -> int:
        return sum(len(n.new_cards) for n in self.news)

    @property
    def answers(self) -> int:
        return sum(len(n.answers) for n in self.news)


@dataclass
class DigestRun:
    sent: list[Digest] = field(default_factory=list)
    skipped: int = 0  # idle members with nothing new to tell


def unsubscribe_url(essaim: Essaim, token: str) -> str:
    base = (essaim.settings.public_url or FALLBACK_BASE_URL).rstrip("/")
    return f"{base}/digest/unsubscribe?token={token}"


async def _news(
    session: AsyncSession, user: User, membership: Membership, name: str, since: datetime
) -> CollectiveNews:
    cid = membership.collective_id
    titles = list(
        await session.scalars(
            select(Card.title)
            .where(
                Card.collective_id == cid,
                Card.moderation == Moderation.published,
                Card.author_id != user.id,
                Card.created_at >= since,
            )
            .order_by(Card.created_at.desc(), Card.id.desc())
        )
    )
    answers = await session.execute(
        select(User.display_name, Card.title)
        .join(Comment, Comment.author_id == User.id)
        .join(Card, Card.id == Comment.card_id)
        .where(
            Card.collective_id == cid,
            Card.author_id == user.id,
            Card.moderation == Moderation.published,
            Comment.moderation == Moderation.published,
            Comment.author_id != user.id,
            Comment.created_at >= since,
        )
        .order_by(Comment.created_at)
    )
    return CollectiveNews(cid, name, titles, [(who, title) for who, title in answers])


async def collect(essaim: Essaim, now: datetime) -> tuple[list[Digest], int]:
    """The digests due at ``now``, and how many idle members had nothing new."""
    idle = timedelta(days=essaim.settings.digest_idle_days)
    async with essaim.db.read() as session:
        visited_rows = await session.execute(
            select(Visit.user_id, func.max(Visit.at)).group_by(Visit.user_id)
        )
        last_visit: dict[int, datetime] = {uid: at for uid, at in visited_rows}
        digest_rows = await session.execute(
            select(DigestDelivery.user_id, func.max(DigestDelivery.sent_at)).group_by(
                DigestDelivery.user_id
            )
        )
        last_digest: dict[int, datetime] = {uid: at for uid, at in digest_rows}
        opted_out = set(await session.scalars(select(DigestOptOut.user_id)))
        rows = await session.execute(
            select(User, Membership, Collective.name)
            .join(Membership, Membership.user_id == User.id)
            .join(Collective, Collective.id == Membership.collective_id)
            .order_by(User.id, Collective.id)
        )
        by_user: dict[int, tuple[User, list[tuple[Membership, str]]]] = {}
        for user, membership, name in rows:
            by_user.setdefault(user.id, (user, []))[1].append((membership, name))
        digests, skipped = [], 0
        for user_id, (user, memberships) in by_user.items():
            visited, digested = last_visit.get(user_id), last_digest.get(user_id)
            if user_id in opted_out or (visited and visited > now - idle):
                continue
            if digested and digested > now - idle:
                continue
            since = max(now - idle, digested or now - idle)
            news = [await _news(session, user, m, name, since) for m, name in memberships]
            news = [n for n in news if n.new_cards or n.answers]
            if news:
                digests.append(Digest(user, news))
            else:
                skipped += 1
    return digests, skipped


def email_text(digest: Digest, link: str) -> str:
    lines = [
        f"Bonjour {digest.user.display_name},",
        "",
        "Voici ce qui s'est passé depuis votre dernière visite :",
    ]
    for news in digest.news:
        lines += ["", f"« {news.name} »"]
        if news.answers:
            lines.append(f"- {len(news.answers)} réponse(s) à vos fiches :")
            lines += [
                f"    {who} a répondu à « {title} »" for who, title in news.answers[:TITLES_SHOWN]
            ]
        if news.new_cards:
            lines.append(f"- {len(news.new_cards)} nouvelle(s) fiche(s) :")
            lines += [f"    « {title} »" for title in news.new_cards[:TITLES_SHOWN]]
            if len(news.new_cards) > TITLES_SHOWN:
                lines.append(f"    … et {len(news.new_cards) - TITLES_SHOWN} autre(s)")
    lines += [
        "",
        "À bientôt sur Essaim !",
        "",
        "—",
        "Vous recevez ce résumé parce que vous ne vous êtes pas connecté·e depuis quelques jours.",
        f"Pour ne plus le recevoir : {link}",
    ]
    return "\n".join(lines) + "\n"


async def run_digest(
    essaim: Essaim, *, dry_run: bool = False, now: datetime | None = None
) -> DigestRun:
    """Send the digests due now (``dry_run``: only say which; nothing written or sent)."""
    now = now or utcnow()
    digests, skipped = await collect(essaim, now)
    run = DigestRun(skipped=skipped)
    for digest in digests:
        if not dry_run:
            token = new_token()
            link = unsubscribe_url(essaim, token)
            email = Email(
                to=digest.user.email,
                subject="Essaim : ce qui s'est passé dans vos collectifs",
                text=email_text(digest, link),
                # RFC 2369 and RFC 8058: mail clients offer a one-click "unsubscribe" that
                # POSTs "List-Unsubscribe=One-Click" to the link.
                headers=(
                    ("List-Unsubscribe", f"<{link}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ),
            )
            async with write(essaim, None) as w:
                w.session.add(
                    DigestDelivery(
                        user_id=digest.user.id, token_hash=token_hash(token), sent_at=now
                    )
                )
                w.after_commit(functools.partial(essaim.mailer.send, email))
        run.sent.append(digest)
    return run


def _plausible(token: str) -> bool:
    return bool(token) and len(token) <= 200


async def token_known(essaim: Essaim, token: str) -> bool:
    """Whether ``token`` is one a digest was sent with (nothing is changed)."""
    if not _plausible(token):
        return False
    async with essaim.db.read() as session:
        found = await session.scalar(
            select(DigestDelivery.id).where(DigestDelivery.token_hash == token_hash(token))
        )
    return found is not None


async def unsubscribe(essaim: Essaim, token: str) -> bool:
    """Stop the digest for the user a digest with ``token`` went to; False if unknown."""
    if not _plausible(token):
        return False
    try:
        async with write(essaim, None) as w:
            user_id = await w.session.scalar(
                select(DigestDelivery.user_id).where(DigestDelivery.token_hash == token_hash(token))
            )
            if user_id is None:
                return False
            if await w.session.get(DigestOptOut, user_id) is None:
                w.session.add(DigestOptOut(user_id=user_id, at=utcnow()))
    except IntegrityError:  # the same link opened twice at once: the other one stored it
        pass
    return True
