"""Invitations that name an address admit only that account; animators list the pending ones
and revoke them (who may, on their own collective and on another's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette

from server.core.models import Invitation, Membership, utcnow
from tests.conftest import ApiClient, MakeClient, World
from tests.support.accounts import verify_address


async def invite(animator: ApiClient, collective_id: int, **body: Any) -> dict[str, Any]:
    response = await animator.post(f"/api/v1/collectives/{collective_id}/invitations", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    created["token"] = created["url"].rsplit("/", 1)[1]
    return created


async def members_of(app: Starlette, collective_id: int) -> set[int]:
    async with app.state.essaim.db.read() as session:
        rows = await session.scalars(
            select(Membership.user_id).where(Membership.collective_id == collective_id)
        )
        return set(rows)


# ---------------------------------------------------------------- addressed invitations


async def test_an_invitation_to_an_address_refuses_another_account_and_stays_usable(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    cid = world.collective_id
    sent = await invite(world.animator, cid, email="pia@example.fr")
    intruder = await make_client("quentin")
    before = await members_of(app, cid)
    seq = (await world.animator.get(f"/api/v1/collectives/{cid}")).json()["seq"]

    refused = await intruder.post(f"/api/v1/invitations/{sent['token']}/accept")

    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "invitation_other_address"
    assert await members_of(app, cid) == before
    assert (await world.animator.get(f"/api/v1/collectives/{cid}")).json()["seq"] == seq
    listed = (await world.animator.get(f"/api/v1/collectives/{cid}/invitations")).json()
    assert [i["id"] for i in listed["invitations"]] == [sent["id"]], "nothing was consumed"
    # The invited person still gets in with the same link.
    pia = await make_client("pia")
    await verify_address(app, pia)
    accepted = await pia.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert pia.id in await members_of(app, cid)


async def test_the_address_is_compared_without_case_or_surrounding_spaces(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id, email="  Pia@Example.FR ")
    # An address stored with capitals or spaces (an older row) must still match.
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(Invitation).where(Invitation.id == sent["id"]).values(email=" PIA@example.fr ")
        )
        await session.commit()
    pia = await make_client("pia")
    await verify_address(app, pia)
    accepted = await pia.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert accepted.status_code == 200, accepted.text


async def test_an_invitation_without_an_address_is_a_link_anyone_may_use(
    world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id)
    anyone = await make_client("zoe")
    accepted = await anyone.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert accepted.status_code == 200, accepted.text


async def test_the_preview_says_whether_the_invitation_is_for_this_account(
    world: World, make_client: MakeClient
) -> None:
    addressed = await invite(world.animator, world.collective_id, email="pia@example.fr")
    anonymous = await make_client()
    preview = (await anonymous.get(f"/api/v1/invitations/{addressed['token']}")).json()
    assert preview["addressed"] is True
    assert "pia@example.fr" not in str(preview), "a forwarded link does not reveal the address"
    open_link = await invite(world.animator, world.collective_id)
    assert (await anonymous.get(f"/api/v1/invitations/{open_link['token']}")).json()[
        "addressed"
    ] is False


async def test_the_invitation_page_says_when_the_account_is_not_the_invited_one(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id, email="pia@example.fr")
    quentin = await make_client("quentin")
    page = await quentin.get(f"/invitations/{sent['token']}")
    assert page.status_code == 200
    assert 'id="invitation-other-address"' in page.text
    assert "quentin@example.fr" in page.text
    assert 'id="accept-invitation"' not in page.text
    pia = await make_client("pia")
    await verify_address(app, pia)
    page = await pia.get(f"/invitations/{sent['token']}")
    assert 'id="invitation-other-address"' not in page.text
    assert 'id="accept-invitation"' in page.text


async def test_an_invitation_to_an_address_wants_that_address_verified(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    """Anyone can sign up with any address: a stranger who registers the invited address
    (never verified) and got hold of the link does not get in with it."""
    cid = world.collective_id
    sent = await invite(world.animator, cid, email="victim@example.fr")
    stranger = await make_client("victim")
    before = await members_of(app, cid)

    refused = await stranger.post(f"/api/v1/invitations/{sent['token']}/accept")

    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "email_not_verified"
    assert await members_of(app, cid) == before
    me = (await stranger.get("/api/v1/me")).json()["user"]
    assert me["email_verified"] is False, "holding the link verifies nothing"
    listed = (await world.animator.get(f"/api/v1/collectives/{cid}/invitations")).json()
    assert [i["id"] for i in listed["invitations"]] == [sent["id"]], "nothing was consumed"
    # The page says what to do (verify, with a button to get the link again), not « join ».
    page = await stranger.get(f"/invitations/{sent['token']}")
    assert 'id="invitation-verify-email"' in page.text
    assert 'id="invitation-resend-verification"' in page.text
    assert 'id="accept-invitation"' not in page.text
    assert 'id="invitation-other-address"' not in page.text
    # Once the address is proven (the emailed link), the same invitation lets them in.
    await verify_address(app, stranger)
    page = await stranger.get(f"/invitations/{sent['token']}")
    assert 'id="accept-invitation"' in page.text
    assert 'id="invitation-verify-email"' not in page.text
    accepted = await stranger.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert stranger.id in await members_of(app, cid)


async def test_an_open_invitation_does_not_ask_for_a_verified_address(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id)
    newcomer = await make_client("zoe")
    assert (await newcomer.get("/api/v1/me")).json()["user"]["email_verified"] is False
    page = await newcomer.get(f"/invitations/{sent['token']}")
    assert 'id="accept-invitation"' in page.text
    accepted = await newcomer.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert accepted.status_code == 200, accepted.text


# ---------------------------------------------------------------- listing and revoking


async def test_animators_list_pending_invitations_without_their_token(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    cid = world.collective_id
    kept = await invite(world.animator, cid, email="pia@example.fr", role="observer")
    used = await invite(world.animator, cid)
    await (await make_client("zoe")).post(f"/api/v1/invitations/{used['token']}/accept")
    revoked = await invite(world.animator, cid)
    assert (await world.animator.delete(f"/api/v1/invitations/{revoked['id']}")).status_code == 204
    expired = await invite(world.animator, cid)
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.id == expired["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()

    listed = await world.animator.get(f"/api/v1/collectives/{cid}/invitations")

    assert listed.status_code == 200, listed.text
    invitations = listed.json()["invitations"]
    # The world's own join links were accepted: only ``kept`` is pending.
    assert [i["id"] for i in invitations] == [kept["id"]]
    (one,) = invitations
    assert set(one) == {
        "id",
        "collective_id",
        "email",
        "role",
        "created_by",
        "created_at",
        "expires_at",
    }
    assert (one["email"], one["role"]) == ("pia@example.fr", "observer")
    assert one["created_by"] == {"id": world.animator.id, "display_name": "anna"}
    assert kept["token"] not in listed.text


async def test_a_revoked_invitation_can_no_longer_be_accepted(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id)
    assert (await world.animator.delete(f"/api/v1/invitations/{sent['id']}")).status_code == 204
    late = await make_client("pia")
    refused = await late.post(f"/api/v1/invitations/{sent['token']}/accept")
    assert refused.status_code == 410, refused.text
    assert refused.json()["error"]["code"] == "invitation_revoked"
    assert late.id not in await members_of(app, world.collective_id)
    page = await late.get(f"/invitations/{sent['token']}")
    assert page.status_code == 410
    again = await world.animator.delete(f"/api/v1/invitations/{sent['id']}")
    assert again.status_code == 404, "revoking twice: it is no longer pending"


async def test_an_accepted_invitation_cannot_be_revoked(
    world: World, make_client: MakeClient
) -> None:
    sent = await invite(world.animator, world.collective_id)
    await (await make_client("pia")).post(f"/api/v1/invitations/{sent['token']}/accept")
    refused = await world.animator.delete(f"/api/v1/invitations/{sent['id']}")
    assert refused.status_code == 410, refused.text
    assert refused.json()["error"]["code"] == "invitation_used"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("animator", 200),
        ("member", 403),
        ("observer", 403),
        ("outsider", 404),
        ("other_animator", 404),
        ("anonymous", 401),
    ],
)
async def test_who_may_list_a_collectives_invitations(
    world: World, make_client: MakeClient, who: str, status: int
) -> None:
    await invite(world.animator, world.collective_id, email="pia@example.fr")
    actor = await _actor(world, make_client, who)
    response = await actor.get(f"/api/v1/collectives/{world.collective_id}/invitations")
    assert response.status_code == status, response.text
    if status != 200:
        assert "pia@example.fr" not in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("animator", 204),
        ("member", 403),
        ("observer", 403),
        ("outsider", 404),
        ("other_animator", 404),
        ("anonymous", 401),
    ],
)
async def test_who_may_revoke_an_invitation(
    world: World, make_client: MakeClient, who: str, status: int
) -> None:
    sent = await invite(world.animator, world.collective_id)
    actor = await _actor(world, make_client, who)
    response = await actor.delete(f"/api/v1/invitations/{sent['id']}")
    assert response.status_code == status, response.text
    still = await world.animator.get(f"/api/v1/collectives/{world.collective_id}/invitations")
    pending = [i["id"] for i in still.json()["invitations"]]
    assert (sent["id"] in pending) == (status != 204)


async def test_an_animator_revokes_in_their_own_collective_only(
    world: World, make_client: MakeClient
) -> None:
    """The outsider animates another collective: their own invitations are theirs to revoke,
    this collective's are not (404, as for everything in a collective one is not part of)."""
    outsiders = (await world.outsider.get("/api/v1/collectives")).json()["collectives"]
    theirs = await invite(world.outsider, outsiders[0]["id"])
    assert (await world.animator.delete(f"/api/v1/invitations/{theirs['id']}")).status_code == 404
    assert (await world.outsider.delete(f"/api/v1/invitations/{theirs['id']}")).status_code == 204
    listed = await world.outsider.get(f"/api/v1/collectives/{outsiders[0]['id']}/invitations")
    assert listed.json()["invitations"] == []


async def _actor(world: World, make_client: MakeClient, who: str) -> ApiClient:
    if who == "anonymous":
        return await make_client()
    if who == "other_animator":
        return world.outsider  # animator of their own collective, not of this one
    actor: ApiClient = getattr(world, who)
    return actor
