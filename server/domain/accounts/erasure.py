"""Erasing an account (GDPR article 17; the export of article 20 is ``accounts.export``).

Erasure keeps the ``users`` row as a tombstone, so what the person wrote keeps an author: its
email becomes ``deleted-<id>@deleted.invalid``, its name the pseudonym « Ancien membre », its
password hash is emptied (no password verifies against it). Everything else personal goes:
sessions, login failures, visits, notifications, digests, nudges received, memberships (with
organisation, trade and skills), and the name and email wherever earlier events, audit entries,
notifications and invitations copied them, so a replay shows the pseudonym (rewritten by
``accounts.pseudonyms``). With
``erase_contributions`` their cards, comments and reactions are deleted too, through the same
functions as a normal delete (events, search outbox), and the content in their old events is
redacted — except the cards of an anonymous workshop step, which stay, anonymous, under the
pseudonym: deleting them next to this erasure's ``member.removed`` would tell whose they were.
Leaving a collective also takes them out of its companies' diagnostics.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core import throttle
from server.core.errors import Conflict, ErrorCode, Forbidden
from server.core.models import (
    AccountToken,
    Attachment,
    AuditEntry,
    Card,
    CardVersion,
    Collective,
    Comment,
    DigestDelivery,
    DigestOptOut,
    Event,
    InboundMail,
    Invitation,
    LoginFailure,
    LoginSession,
    Membership,
    Moderation,
    Notification,
    NotificationEmail,
    Nudge,
    Reaction,
    Role,
    User,
    Visit,
    utcnow,
)
from server.core.platform import Essaim
from server.domain.accounts.identity import count_password_attempt
from server.domain.accounts.pseudonyms import (
    PSEUDONYM,
    Erasure,
    rewrite_audit,
    rewrite_events,
    rewrite_notifications,
    tombstone_email,
)
from server.domain.accounts.sessions import revoke_sessions
from server.domain.boards import reaction_counts
from server.domain.cards import remove_card
from server.domain.diagnostics.service import forget_member
from server.domain.discussion import remove_comment
from server.domain.notify.cards import COMMENT_KINDS
from server.events.kinds import EventKind
from server.events.write import Write, write


@dataclass(frozen=True)
class Erased:
    user_id: int
    cards: int
    comments: int


async def delete_account(
    essaim: Essaim, user: User, password: str, *, erase_contributions: bool, address: str
) -> Erased:
    """Erase ``user``'s account once their password is confirmed (403 ``wrong_password``).

    The last animator of a collective must hand it over first (409
    ``last_animator_account``, with the collectives in ``collectives``)."""
    # Counted like a login before the password is verified: a stolen session must not
    # become an unlimited password oracle.
    await count_password_attempt(essaim, user.email, address, "too many wrong passwords")
    if not await essaim.passwords.verify_async(user.password_hash, password):
        raise Forbidden("the password is not the right one", code=ErrorCode.WRONG_PASSWORD)
    async with essaim.db.read() as session:
        await _check_not_last_animator(session, user)
    # Sessions end first, through the one place that also closes their live sockets.
    await revoke_sessions(essaim, user)
    async with write(essaim, user) as w:
        collective_ids = await _footprint(w.session, user.id)
        for cid in sorted(collective_ids):  # always the same lock order
            await w.lock(cid)
        await _check_not_last_animator(w.session, user)
        old_name, old_email = user.display_name, user.email
        cards = comments = 0
        erased_cards: set[int] = set()
        erased_comments: set[int] = set()
        erased_files: set[int] = set()
        if erase_contributions:
            erased_cards, erased_comments = await _erase_contributions(w, user)
            erased_files = await _erase_attachments(essaim, w, user.id, erased_cards)
            cards, comments = len(erased_cards), len(erased_comments)
        await _leave_collectives(w, user)
        await _forget_personal_rows(w.session, user, old_email)
        row = await w.session.get(User, user.id)
        assert row is not None
        row.email = tombstone_email(user.id)
        row.display_name = PSEUDONYM
        row.password_hash = ""
        row.calendar_token = None  # its feed URL stops answering
        row.quiet_hours = None
        await w.session.flush()
        await rewrite_events(
            w.session,
            collective_ids,
            user.id,
            old_email,
            Erasure(erased_cards, erased_comments, erased_files),
        )
        await rewrite_audit(w.session, collective_ids, user.id, old_email)
        await rewrite_notifications(w.session, collective_ids, user.id, old_name, old_email)
        if not erase_contributions:
            await _reindex_contributions(w, user.id)
    return Erased(user.id, cards, comments)


async def _check_not_last_animator(session: AsyncSession, user: User) -> None:
    mine = (
        select(Membership.collective_id)
        .where(Membership.user_id == user.id, Membership.role == Role.animator)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Collective.id, Collective.name)
        .join(Membership, Membership.collective_id == Collective.id)
        .where(Collective.id.in_(mine), Membership.role == Role.animator)
        .group_by(Collective.id, Collective.name)
        .having(func.count() <= 1)
        .order_by(Collective.id)
    )
    alone = [{"id": cid, "name": name} for cid, name in rows]
    if alone:
        raise Conflict(
            "you are the last animator of a collective: appoint another animator before"
            " deleting your account",
            code=ErrorCode.LAST_ANIMATOR_ACCOUNT,
            extra={"collectives": alone},
        )


async def _footprint(session: AsyncSession, user_id: int) -> set[int]:
    """Every collective whose rows may hold the person's name: where they are a member, where
    they acted, wrote, or were named in the audit log."""
    found: set[int] = set()
    for query in (
        select(Membership.collective_id).where(Membership.user_id == user_id),
        select(Event.collective_id).where(Event.actor_id == user_id).distinct(),
        select(Card.collective_id).where(Card.author_id == user_id).distinct(),
        select(Comment.collective_id).where(Comment.author_id == user_id).distinct(),
        select(AuditEntry.collective_id)
        .where(
            or_(
                AuditEntry.actor_id == user_id,
                (AuditEntry.target_type == "member") & (AuditEntry.target_id == user_id),
            )
        )
        .distinct(),
    ):
        found.update(await session.scalars(query))
    return found


async def _erase_contributions(w: Write, user: User) -> tuple[set[int], set[int]]:
    session = w.session
    comments = list(
        await session.execute(
            select(Comment, Card)
            .join(Card, Card.id == Comment.card_id)
            .where(Comment.author_id == user.id, Comment.moderation != Moderation.deleted)
            .order_by(Comment.id)
        )
    )
    for comment, card in comments:
        await remove_comment(w, comment, card)
    # Cards of an anonymous workshop step stay, anonymous, under the pseudonym: deleting them
    # now, next to the ``member.removed`` of this erasure, would tell whose they were.
    mine = (Card.author_id == user.id) & Card.anonymous.is_(False)
    cards = list(
        await session.scalars(
            select(Card).where(mine, Card.moderation != Moderation.deleted).order_by(Card.id)
        )
    )
    for card in cards:
        await remove_card(w, card)
    # What they wrote is gone from the rows too, not only hidden behind ``deleted``.
    erased_cards = set(await session.scalars(select(Card.id).where(mine)))
    erased_comments = set(
        await session.scalars(select(Comment.id).where(Comment.author_id == user.id))
    )
    await session.execute(
        update(Card)
        .where(mine)
        .values(
            title="",
            body="",
            tags=[],
            practice={},
            version=Card.version + 1,
            updated_at=utcnow(),
            public_at=None,
            author_consent=None,
        )
        .execution_options(synchronize_session=False)
    )
    # Their cards' earlier versions go too (what others wrote in them was theirs to keep
    # only as part of the card, which is gone).
    await session.execute(
        delete(CardVersion)
        .where(CardVersion.card_id.in_(erased_cards))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Comment)
        .where(Comment.author_id == user.id)
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    # The notifications of their comments quoted them: the quote goes too.
    for notification in await session.scalars(
        select(Notification).where(Notification.kind.in_(COMMENT_KINDS))
    ):
        if (notification.data or {}).get("comment_id") in erased_comments:
            notification.body = ""
    reactions = list(
        await session.execute(
            select(Reaction, Card)
            .join(Card, Card.id == Reaction.card_id)
            .where(Reaction.user_id == user.id)
            .order_by(Reaction.id)
        )
    )
    for reaction, card in reactions:
        await session.delete(reaction)
        await session.flush()
        if card.moderation == Moderation.deleted:
            continue
        counts = (await reaction_counts(session, [card.id])).get(card.id, {})
        view = {
            "card_id": card.id,
            "kind": reaction.kind,
            "user_id": user.id,
            "reactions": counts,
        }
        restricted = card.moderation != Moderation.published
        await w.emit_on_card(card, EventKind.reaction_removed, view, restricted=restricted)
    return erased_cards, erased_comments


async def _erase_attachments(
    essaim: Essaim, w: Write, uid: int, erased_cards: set[int]
) -> set[int]:
    """Delete the attachments of their erased cards (whoever attached them: the card is gone)
    and the files they attached to others' cards; the search index drops them, and a stored
    file goes from the disk once no attachment names its content any more."""
    session = w.session
    attachments = list(
        await session.scalars(
            select(Attachment)
            .where(or_(Attachment.card_id.in_(erased_cards), Attachment.uploader_id == uid))
            .order_by(Attachment.id)
        )
    )
    if not attachments:
        return set()
    for attachment in attachments:
        await session.delete(attachment)
        w.index("attachment", attachment.id, attachment.collective_id, op="delete")
    await session.flush()
    hashes = {a.sha256 for a in attachments}
    still_named = set(
        await session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(hashes)))
    )
    orphans = [essaim.files.path_of(sha) for sha in sorted(hashes - still_named)]

    async def remove_files() -> None:
        # After commit: a rollback must not leave rows naming files that are gone.
        for path in orphans:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    w.after_commit(remove_files)
    return {a.id for a in attachments}


async def _leave_collectives(w: Write, user: User) -> None:
    """Leave every collective (``member.removed`` for the live member lists); their
    organisation, trade and skills go with the membership rows."""
    memberships = list(
        await w.session.scalars(select(Membership).where(Membership.user_id == user.id))
    )
    for membership in memberships:
        await forget_member(w.session, membership.collective_id, user.id)
        await w.session.delete(membership)
        await w.emit(membership.collective_id, EventKind.member_removed, {"user_id": user.id})


async def _forget_personal_rows(session: AsyncSession, user: User, email: str) -> None:
    uid = user.id
    for statement in (
        delete(LoginSession).where(LoginSession.user_id == uid),
        # Every throttle key naming the address: the account's, the emailed links', and the
        # per-address ones of the account (whose email is only hashed, but still theirs).
        delete(LoginFailure).where(throttle.keys_naming(email)),
        delete(AccountToken).where(AccountToken.user_id == uid),
        delete(Visit).where(Visit.user_id == uid),
        delete(Notification).where(Notification.user_id == uid),
        delete(NotificationEmail).where(NotificationEmail.user_id == uid),
        delete(InboundMail).where(InboundMail.user_id == uid),
        # Their consent to be named on a public showcase: they are no longer there to hold it.
        update(Card)
        .where(Card.author_id == uid, Card.author_consent == "named")
        .values(author_consent="anonymous"),
        delete(DigestDelivery).where(DigestDelivery.user_id == uid),
        delete(DigestOptOut).where(DigestOptOut.user_id == uid),
        delete(Nudge).where(Nudge.recipient_id == uid),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))
    # Invitations sent to their address forget it. A pending one is revoked first: with no
    # address it would become an open link that anyone holding it could use.
    sent_to_them = func.lower(func.trim(Invitation.email)) == email.strip().lower()
    await session.execute(
        update(Invitation)
        .where(sent_to_them, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Invitation)
        .where(sent_to_them)
        .values(email=None)
        .execution_options(synchronize_session=False)
    )


async def _reindex_contributions(w: Write, uid: int) -> None:
    """Queue their cards and comments for the indexer, so no index keeps an old author."""
    cards = await w.session.execute(
        select(Card.id, Card.collective_id).where(
            Card.author_id == uid, Card.moderation != Moderation.deleted
        )
    )
    for card_id, cid in cards:
        w.index("card", card_id, cid)
    comments = await w.session.execute(
        select(Comment.id, Comment.collective_id).where(
            Comment.author_id == uid, Comment.moderation != Moderation.deleted
        )
    )
    for comment_id, cid in comments:
        w.index("comment", comment_id, cid)
