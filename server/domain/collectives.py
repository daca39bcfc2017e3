"""Collectives: creation (the creator becomes animator), settings, members, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from server.core.errors import Conflict, ErrorCode, Forbidden, Gone, NotFound
from server.core.mail import Email
from server.core.models import Collective, Invitation, Membership, Role, User, utcnow
from server.core.platform import Essaim
from server.core.security import new_token, token_hash
from server.domain import audit
from server.domain.access import Action, find_membership, is_animator, membership
from server.domain.diagnostics.service import forget_member
from server.domain.notify.collective import notify_joined
from server.domain.schemas import (
    CollectiveIn,
    CollectivePatch,
    InvitationIn,
    MemberPatch,
    patch_values,
)
from server.domain.views import collective_view, iso, member_view, user_view
from server.events import read
from server.events.kinds import EventKind
from server.events.write import write


async def create_collective(essaim: Essaim, user: User, body: CollectiveIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        collective = Collective(created_by=user.id, **body.model_dump())
        w.session.add(collective)
        await w.session.flush()
        member = Membership(collective_id=collective.id, user_id=user.id, role=Role.animator)
        w.session.add(member)
        await w.session.flush()
        await w.emit(collective.id, EventKind.collective_created, collective_view(collective))
        await w.emit(collective.id, EventKind.member_joined, member_view(member, user))
        await w.session.refresh(collective)
    return {**collective_view(collective), "role": Role.animator}


async def list_collectives(essaim: Essaim, user: User) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        rows = await session.execute(
            select(Collective, Membership.role)
            .join(Membership, Membership.collective_id == Collective.id)
            .where(Membership.user_id == user.id)
            .order_by(Collective.name)
        )
        return [{**collective_view(c), "role": role} for c, role in rows]


async def get_collective(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        collective = await session.get(Collective, collective_id)
        assert collective is not None
        count = await session.scalar(
            select(func.count()).where(Membership.collective_id == collective_id)
        )
        return {**collective_view(collective), "role": member.role, "member_count": count}


async def update_collective(
    essaim: Essaim, user: User, collective_id: int, body: CollectivePatch
) -> dict[str, Any]:
    values = patch_values(body, nullable=frozenset({"starts_on", "ends_on"}))
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        collective = await w.session.get(Collective, collective_id)
        assert collective is not None
        for key, value in values.items():
            setattr(collective, key, value)
        if (
            collective.starts_on
            and collective.ends_on
            and collective.ends_on < collective.starts_on
        ):
            from server.core.errors import InvalidInput

            raise InvalidInput(
                "the collective cannot end before it starts",
                fields={"ends_on": "before starts_on"},
            )
        await w.session.flush()
        await w.emit(collective_id, EventKind.collective_updated, collective_view(collective))
        await w.session.refresh(collective)
    return collective_view(collective)


async def list_members(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        rows = await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.collective_id == collective_id)
            .order_by(User.display_name)
        )
        return [member_view(m, u) for m, u in rows]


async def update_member(
    essaim: Essaim, user: User, collective_id: int, user_id: int, body: MemberPatch
) -> dict[str, Any]:
    values = patch_values(body)
    async with write(essaim, user) as w:
        me = await membership(w.session, user, collective_id)
        if user_id != user.id or "role" in values:
            if not is_animator(me):
                raise Forbidden("only animators change roles or other members' profiles")
        target = await find_membership(w.session, collective_id, user_id)
        if target is None:
            raise NotFound("member")
        if values.get("role", target.role) != Role.animator:
            await _keep_an_animator(w.session, collective_id, target)
        if "role" in values and values["role"] != target.role:
            named = await w.session.get(User, user_id)
            detail = {"from": target.role, "to": values["role"]}
            detail["display_name"] = named.display_name if named else ""
            audit.record(w, collective_id, "member.role_changed", "member", user_id, detail)
        for key, value in values.items():
            setattr(target, key, value)
        member_user = await w.session.get(User, user_id)
        assert member_user is not None
        view = member_view(target, member_user)
        await w.emit(collective_id, EventKind.member_updated, view)
    return view


async def remove_member(essaim: Essaim, user: User, collective_id: int, user_id: int) -> None:
    """An animator removes a member, or a member leaves."""
    async with write(essaim, user) as w:
        me = await membership(w.session, user, collective_id)
        if user_id != user.id and not is_animator(me):
            raise Forbidden("only animators remove other members")
        target = await find_membership(w.session, collective_id, user_id)
        if target is None:
            raise NotFound("member")
        await _keep_an_animator(w.session, collective_id, target)
        if user_id != user.id:  # leaving is not a moderation action
            named = await w.session.get(User, user_id)
            detail = {"role": target.role, "display_name": named.display_name if named else ""}
            audit.record(w, collective_id, "member.removed", "member", user_id, detail)
        await forget_member(w.session, collective_id, user_id)
        await w.session.delete(target)
        await w.emit(collective_id, EventKind.member_removed, {"user_id": user_id})


async def _keep_an_animator(session: Any, collective_id: int, leaving: Membership) -> None:
    if leaving.role != Role.animator:
        return
    animators = await session.scalar(
        select(func.count()).where(
            Membership.collective_id == collective_id, Membership.role == Role.animator
        )
    )
    if animators <= 1:
        raise Conflict(
            "a collective keeps at least one animator; appoint another first",
            code=ErrorCode.LAST_ANIMATOR,
        )


@dataclass(frozen=True)
class NewInvitation:
    id: int
    url: str
    role: str
    email: str | None
    expires_at: str | None


async def create_invitation(
    essaim: Essaim, user: User, collective_id: int, body: InvitationIn, base_url: str
) -> NewInvitation:
    token = new_token()
    url = f"{(essaim.settings.public_url or base_url).rstrip('/')}/invitations/{token}"
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        collective = await w.session.get(Collective, collective_id)
        assert collective is not None
        invitation = Invitation(
            collective_id=collective_id,
            token_hash=token_hash(token),
            role=body.role,
            email=body.email,
            created_by=user.id,
            expires_at=utcnow() + timedelta(days=essaim.settings.invitation_ttl_days),
        )
        w.session.add(invitation)
        await w.session.flush()
        if body.email:
            email = Email(
                to=body.email,
                subject=f"Invitation à rejoindre « {collective.name} » sur Essaim",
                text=(
                    f"Bonjour,\n\n{user.display_name} vous invite à rejoindre l'action "
                    f"collective « {collective.name} » sur Essaim.\n\n"
                    f"Pour accepter, ouvrez ce lien :\n{url}\n\n"
                    f"Ce lien est personnel et valable {essaim.settings.invitation_ttl_days} "
                    "jours.\n\n— Essaim"
                ),
            )
            w.after_commit(lambda: essaim.mailer.send(email))
    return NewInvitation(
        id=invitation.id,
        url=url,
        role=invitation.role,
        email=invitation.email,
        expires_at=iso(invitation.expires_at),
    )


async def _usable_invitation(session: Any, token: str) -> Invitation:
    invitation: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise NotFound("invitation")
    if invitation.revoked_at is not None:
        raise Gone(
            "this invitation was withdrawn by an animator", code=ErrorCode.INVITATION_REVOKED
        )
    if invitation.accepted_at is not None:
        raise Gone("this invitation has already been used", code=ErrorCode.INVITATION_USED)
    if invitation.expires_at <= utcnow():
        raise Gone(
            "this invitation has expired; ask for a new one", code=ErrorCode.INVITATION_EXPIRED
        )
    return invitation


def _same_address(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _refusal(invitation: Invitation, user: User) -> Forbidden | None:
    """Why ``user`` may not accept ``invitation``, or None.

    An invitation that names an address admits only the account with that address, and only
    once the account has proved it receives mail there: anyone can sign up with any address,
    and the link alone proves nothing (the animator who sent it got the same link to share).
    So accepting does not verify the address either: the verification link does."""
    if not invitation.email:
        return None
    if not _same_address(invitation.email, user.email):
        return Forbidden(
            "this invitation was sent to another email address; log in with that address"
            " or ask the animator for an invitation to yours",
            code=ErrorCode.INVITATION_OTHER_ADDRESS,
        )
    if user.email_verified_at is None:
        return Forbidden(
            "this invitation is for a verified address: open the verification link emailed"
            " to you (or ask for a new one) and come back to this invitation",
            code=ErrorCode.EMAIL_NOT_VERIFIED,
        )
    return None


async def preview_invitation(
    essaim: Essaim, token: str, user: User | None = None
) -> dict[str, Any]:
    """What an invitation leads to, shown before accepting (no login needed). ``addressed``
    says it names an email; with ``user``, ``for_you`` says whether that account may accept
    it now, and ``verify_first`` that it is theirs once they verify their address.
    The address itself is never shown: a forwarded link must not reveal whom it was for."""
    async with essaim.db.read() as session:
        invitation = await _usable_invitation(session, token)
        collective = await session.get(Collective, invitation.collective_id)
        assert collective is not None
        preview: dict[str, Any] = {
            "collective": {"id": collective.id, "name": collective.name},
            "role": invitation.role,
            "expires_at": iso(invitation.expires_at),
            "addressed": invitation.email is not None,
        }
        if user is not None:
            refusal = _refusal(invitation, user)
            preview["for_you"] = refusal is None
            preview["verify_first"] = (
                refusal is not None and refusal.code == ErrorCode.EMAIL_NOT_VERIFIED
            )
        return preview


async def accept_invitation(essaim: Essaim, user: User, token: str) -> dict[str, Any]:
    async with write(essaim, user) as w:
        invitation = await _usable_invitation(w.session, token)
        refusal = _refusal(invitation, user)
        if refusal is not None:
            raise refusal
        cid = invitation.collective_id
        if await find_membership(w.session, cid, user.id) is not None:
            raise Conflict(
                "you are already a member of this collective", code=ErrorCode.ALREADY_MEMBER
            )
        # Claimed atomically, so two people racing for one link cannot both get in.
        claimed = await w.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=utcnow(), accepted_by=user.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise Gone("this invitation has already been used", code=ErrorCode.INVITATION_USED)
        member = Membership(collective_id=cid, user_id=user.id, role=invitation.role)
        w.session.add(member)
        await w.session.flush()
        await w.emit(cid, EventKind.member_joined, member_view(member, user))
        await notify_joined(w, cid, user, member.role)
        collective = await w.session.get(Collective, cid)
        assert collective is not None
        await w.session.refresh(collective)
    return {**collective_view(collective), "role": member.role}


def _pending(collective_id: int) -> Any:
    return select(Invitation).where(
        Invitation.collective_id == collective_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )


async def list_invitations(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """Pending invitations of a collective (animators), newest first; never their token."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        rows = await session.execute(
            _pending(collective_id)
            .add_columns(User)
            .join(User, User.id == Invitation.created_by)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
        return [invitation_view(invitation, creator) for invitation, creator in rows]


def invitation_view(invitation: Invitation, creator: User) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "collective_id": invitation.collective_id,
        "email": invitation.email,
        "role": invitation.role,
        "created_by": user_view(creator),
        "created_at": iso(invitation.created_at),
        "expires_at": iso(invitation.expires_at),
    }


async def revoke_invitation(essaim: Essaim, user: User, invitation_id: int) -> None:
    """An animator revokes a pending invitation: its link stops working at once.

    It emits no event: pending invitations are not part of any state the live feed carries
    (only animators list them, on demand), and an event would put the invited address in a
    log that members replay."""
    async with write(essaim, user) as w:
        invitation = await w.session.get(Invitation, invitation_id)
        if invitation is None:
            raise NotFound("invitation")
        try:
            await membership(w.session, user, invitation.collective_id, Action.manage)
        except NotFound:
            raise NotFound("invitation") from None
        revoked = await w.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if revoked.rowcount != 1:  # type: ignore[attr-defined]
            if invitation.accepted_at is not None:
                raise Gone("this invitation has already been used", code=ErrorCode.INVITATION_USED)
            raise NotFound("invitation")


async def event_log(
    essaim: Essaim, user: User, collective_id: int, since: int, limit: int
) -> dict[str, Any]:
    """A page of the collective's event log after ``since``, for its members (404 otherwise),
    redacted for what they may not see."""
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        return await read.events_page(session, member, since, limit)
