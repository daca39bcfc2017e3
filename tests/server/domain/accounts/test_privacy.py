"""GDPR over HTTP: « Exporter mes données » (a ZIP of one's own data, nobody else's) and
« Supprimer mon compte » (erasure, contributions kept under « Ancien membre » or erased)."""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.types import Message

from tests.conftest import PASSWORD, ApiClient, MakeClient, World, join
from tests.support.privacy import (
    CARD_BODY,
    CARD_TITLE,
    COMMENT_BODY,
    EMAIL,
    NAME,
    OTHER_COMMENT,
    UPLOAD,
    WORKSHOP_TITLE,
    person_with_traces,
    rows_containing,
)

PSEUDONYM = "Ancien membre"


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def delete_account(client: ApiClient, **body: Any) -> Any:
    return await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, **body})


# ---------------------------------------------------------------- export


async def test_the_export_holds_the_persons_data_and_files(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)

    response = await person.client.get("/api/v1/me/export")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    files = unzip(response.content)
    documents = {name: json.loads(body) for name, body in files.items() if name.endswith(".json")}
    assert documents["profile.json"]["email"] == EMAIL
    assert documents["profile.json"]["display_name"] == NAME
    (membership,) = documents["memberships.json"]
    assert membership["collective"]["id"] == world.collective_id
    assert (membership["organisation"], membership["trade"]) == ("Granulés & Cie", "poêlière")
    (card,) = documents["cards.json"]
    assert (card["id"], card["title"], card["body"]) == (person.card_id, CARD_TITLE, CARD_BODY)
    assert card["reactions"] == {"useful": 1}
    assert [c["id"] for c in documents["comments.json"]] == person.comment_ids
    assert {c["body"] for c in documents["comments.json"]} == {COMMENT_BODY}
    assert sorted(r["card_id"] for r in documents["reactions.json"]) == sorted(
        [person.card_id, world.card["id"]]
    )
    (attachment,) = documents["attachments.json"]
    assert attachment["id"] == person.attachment_id
    assert files[attachment["file"]] == UPLOAD[1], "the file itself, from the file store"
    (workshop,) = documents["workshops.json"]
    assert (workshop["workshop_id"], workshop["title"]) == (person.workshop_id, WORKSHOP_TITLE)


async def test_the_export_holds_nobody_elses_data(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    content = (await person.client.get("/api/v1/me/export")).content
    everything = b"\n".join(unzip(content).values()).decode()
    # Anna's comment under her card, and the names and addresses of the others.
    for foreign in (OTHER_COMMENT, "anna", "marc", "anna@example.fr", world.card["title"]):
        assert foreign not in everything, foreign
    # Someone else's export holds nothing of hers.
    other = (await world.member.get("/api/v1/me/export")).content
    theirs = b"\n".join(unzip(other).values()).decode()
    for hers in (NAME, EMAIL, CARD_TITLE, COMMENT_BODY):
        assert hers not in theirs, hers


async def test_export_and_deletion_need_a_session(world: World, make_client: MakeClient) -> None:
    anonymous = await make_client()
    assert (await anonymous.get("/api/v1/me/export")).status_code == 401
    refused = await anonymous.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert refused.status_code == 401, refused.text
    assert (await world.member.get("/api/v1/me")).status_code == 200


# ---------------------------------------------------------------- deletion


async def test_deletion_needs_the_password_and_changes_nothing_without_it(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    refused = await person.client.request(
        "DELETE", "/api/v1/me", json={"password": "not my password"}
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "wrong_password"
    assert (await person.client.get("/api/v1/me")).json()["user"]["email"] == EMAIL
    no_csrf = await person.client.http.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["error"]["code"] == "csrf_failed"
    assert await rows_containing(app, EMAIL), "still there"


async def test_deletion_keeps_contributions_under_the_pseudonym_and_forgets_the_person(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    cid = world.collective_id

    response = await delete_account(person.client)

    assert response.status_code == 200, response.text
    assert response.json()["erased_cards"] == 0
    # The account is gone: its session, and logging in again.
    assert (await person.client.get("/api/v1/me")).status_code == 401
    # What she wrote stays, under the pseudonym.
    card = (await world.member.get(f"/api/v1/cards/{person.card_id}")).json()
    assert (card["title"], card["author"]) == (
        CARD_TITLE,
        {"id": person.id, "display_name": PSEUDONYM},
    )
    comments = {c["id"]: c for c in card["comments"]}
    assert comments[person.comment_ids[0]]["author"]["display_name"] == PSEUDONYM
    assert card["reactions"] == {"useful": 1}
    members = (await world.animator.get(f"/api/v1/collectives/{cid}/members")).json()
    assert person.id not in [m["user"]["id"] for m in members["members"]]
    # Replays show the pseudonym, never the name.
    for viewer in (world.animator, world.member):
        page = await viewer.get(f"/api/v1/collectives/{cid}/events?since=0&limit=500")
        assert NAME not in page.text and EMAIL not in page.text
        events = page.json()["events"]
        created = [e for e in events if (e["kind"], e["card"]) == ("card.created", person.card_id)]
        assert created[0]["data"]["author"]["display_name"] == PSEUDONYM
    removed = [e for e in page.json()["events"] if e["kind"] == "member.removed"]
    assert removed[-1]["data"] == {"user_id": person.id}
    # Search finds her card (kept), with no trace of her name.
    await app.state.search.indexer.drain()
    found = await world.member.get("/api/v1/search", params={"q": "chaudière granulés"})
    assert found.status_code == 200, found.text
    assert NAME not in found.text
    assert person.card_id in [h.get("card_id", h.get("id")) for h in found.json()["hits"]]
    # No row anywhere (events, audit, notifications, invitations, index...) holds her name,
    # her address or her organisation.
    assert await rows_containing(app, NAME, EMAIL, "Granulés & Cie") == []
    # Logging in with the old address fails (and is only then recorded, for throttling).
    again = await (await make_client()).post(
        "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
    )
    assert again.json()["error"]["code"] == "bad_credentials", again.text


async def test_deletion_with_erase_contributions_removes_what_she_wrote(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    cid = world.collective_id
    seq = (await world.animator.get(f"/api/v1/collectives/{cid}")).json()["seq"]

    response = await delete_account(person.client, erase_contributions=True)

    assert response.status_code == 200, response.text
    assert (response.json()["erased_cards"], response.json()["erased_comments"]) == (1, 2)
    assert (await world.member.get(f"/api/v1/cards/{person.card_id}")).status_code == 404
    board = (await world.member.get(f"/api/v1/boards/{world.board_id}")).json()
    titles = [c["title"] for column in board["columns"] for c in column["cards"]]
    assert CARD_TITLE not in titles
    other_card = (await world.member.get(f"/api/v1/cards/{world.card['id']}")).json()
    assert person.comment_ids[1] not in [c["id"] for c in other_card["comments"]]
    assert other_card["reactions"] == {}
    # Through the normal write path: events for live boards, and the search outbox (whose
    # rows the running indexer may already have consumed: the index itself is scanned below).
    page = await world.animator.get(f"/api/v1/collectives/{cid}/events?since={seq}")
    kinds = [e["kind"] for e in page.json()["events"]]
    assert kinds.count("comment.deleted") == 2
    assert "card.deleted" in kinds and "reaction.removed" in kinds and "member.removed" in kinds
    await app.state.search.indexer.drain()
    found = await world.member.get("/api/v1/search", params={"q": "chaudière granulés"})
    assert found.json()["hits"] == []
    # Not a word of it is left, not even in the animators' event log.
    leftovers = await rows_containing(app, NAME, EMAIL, CARD_TITLE, CARD_BODY, COMMENT_BODY)
    assert leftovers == []


async def test_the_last_animator_hands_over_before_deleting_their_account(
    world: World, make_client: MakeClient
) -> None:
    refused = await delete_account(world.animator)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "last_animator_account"
    assert error["collectives"] == [{"id": world.collective_id, "name": "Rénovation Drôme"}]
    assert (await world.animator.get("/api/v1/me")).status_code == 200, "nothing happened"
    promoted = await world.animator.patch(
        f"/api/v1/collectives/{world.collective_id}/members/{world.member.id}",
        json={"role": "animator"},
    )
    assert promoted.status_code == 200, promoted.text
    assert (await delete_account(world.animator)).status_code == 200
    assert (await world.member.get(f"/api/v1/collectives/{world.collective_id}")).json()[
        "role"
    ] == "animator"


async def test_deletion_only_ever_deletes_the_callers_own_account(
    world: World, make_client: MakeClient
) -> None:
    """There is no id to name: another account cannot be deleted, whatever the session."""
    assert (await delete_account(world.observer)).status_code == 200
    assert (await world.member.get("/api/v1/me")).status_code == 200
    assert (await world.animator.get("/api/v1/me")).status_code == 200


async def test_a_namesake_keeps_their_name_in_the_event_log(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    namesake = await make_client()
    registered = await namesake.post(
        "/api/v1/auth/register",
        json={"email": "autre@example.fr", "password": PASSWORD, "display_name": NAME},
    )
    namesake.csrf = registered.json()["csrf_token"]
    namesake.user = registered.json()["user"]
    await join(world.animator, namesake, world.collective_id, "member")
    card = await namesake.post(f"/api/v1/boards/{world.board_id}/cards", json={"title": NAME})
    assert (await delete_account(person.client)).status_code == 200
    page = await world.animator.get(
        f"/api/v1/collectives/{world.collective_id}/events?since=0&limit=500"
    )
    created = [e for e in page.json()["events"] if e["card"] == card.json()["id"]][0]
    assert created["data"]["title"] == NAME
    assert created["data"]["author"] == {"id": namesake.id, "display_name": NAME}


async def test_deletion_revokes_the_pending_invitations_sent_to_the_address(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    """Clearing the address of a pending invitation would turn it into an open link."""
    cid = world.collective_id
    pia = await make_client("pia")
    sent = await world.animator.post(
        f"/api/v1/collectives/{cid}/invitations", json={"role": "member", "email": "pia@example.fr"}
    )
    token = sent.json()["url"].rsplit("/", 1)[1]

    assert (await delete_account(pia)).status_code == 200

    intruder = await make_client("quentin")
    refused = await intruder.post(f"/api/v1/invitations/{token}/accept")
    assert refused.status_code == 410, refused.text
    assert refused.json()["error"]["code"] == "invitation_revoked"
    assert intruder.id not in [
        m["user"]["id"]
        for m in (await world.animator.get(f"/api/v1/collectives/{cid}/members")).json()["members"]
    ]
    pending = (await world.animator.get(f"/api/v1/collectives/{cid}/invitations")).json()
    assert pending["invitations"] == []
    assert await rows_containing(app, "pia@example.fr") == []


async def test_deletion_leaves_other_peoples_notifications_alone(
    world: World, make_client: MakeClient
) -> None:
    """Someone called « e », in no collective, deletes their account: the member's nudge from
    Anna keeps every « e » of its title and message."""
    cid = world.collective_id
    message = "Relisez la fiche de Marie, elle est utile"
    nudged = await world.animator.post(
        f"/api/v1/collectives/{cid}/nudges", json={"user_id": world.member.id, "message": message}
    )
    assert nudged.status_code == 201, nudged.text
    before = (await world.member.get("/api/v1/me/notifications")).json()["notifications"]

    assert (await delete_account(await make_client("e"))).status_code == 200

    after = (await world.member.get("/api/v1/me/notifications")).json()["notifications"]
    assert after == before
    assert (after[0]["title"], after[0]["body"]) == (
        "Un message de anna (Rénovation Drôme)",
        message,
    )


SENDER = "Séraphin Lampion"


async def test_the_notifications_a_deleted_animator_sent_name_the_pseudonym(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    cid = world.collective_id
    sender = await make_client()
    registered = await sender.post(
        "/api/v1/auth/register",
        json={"email": "seraphin@example.fr", "password": PASSWORD, "display_name": SENDER},
    )
    sender.csrf, sender.user = registered.json()["csrf_token"], registered.json()["user"]
    await join(world.animator, sender, cid, "animator")
    newcomer = await make_client("nina")
    await join(world.animator, newcomer, cid, "member")
    nudged = await sender.post(
        f"/api/v1/collectives/{cid}/nudges",
        json={"user_id": world.member.id, "message": "Votre avis compte. — {animateur}"},
    )
    assert nudged.status_code == 201, nudged.text
    welcomed = await sender.post(
        f"/api/v1/collectives/{cid}/welcomes", json={"user_id": newcomer.id}
    )
    assert welcomed.status_code in (200, 201), welcomed.text

    assert (await delete_account(sender)).status_code == 200

    (nudge,) = (await world.member.get("/api/v1/me/notifications")).json()["notifications"]
    assert nudge["title"] == f"Un message de {PSEUDONYM} (Rénovation Drôme)"
    assert nudge["body"] == f"Votre avis compte. — {PSEUDONYM}"
    assert nudge["data"]["sender"] == {"id": sender.id, "display_name": PSEUDONYM}
    (welcome,) = (await newcomer.get("/api/v1/me/notifications")).json()["notifications"]
    assert welcome["data"]["sender"]["display_name"] == PSEUDONYM
    assert welcome["body"].endswith(f"— {PSEUDONYM}"), welcome["body"]
    # Not in the event log either (nudge.sent and welcome.sent they sent carry no message).
    assert await rows_containing(app, SENDER, "seraphin@example.fr") == []


async def test_the_welcome_a_deleted_newcomer_received_leaves_no_name_in_the_log(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    """The default welcome greets by first name (« Bienvenue Zéphyrine… »), in welcome.sent."""
    cid = world.collective_id
    newcomer = await make_client()
    registered = await newcomer.post(
        "/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD, "display_name": NAME},
    )
    newcomer.csrf, newcomer.user = registered.json()["csrf_token"], registered.json()["user"]
    await join(world.animator, newcomer, cid, "member")
    welcomed = await world.animator.post(
        f"/api/v1/collectives/{cid}/welcomes", json={"user_id": newcomer.id}
    )
    assert welcomed.status_code in (200, 201), welcomed.text
    first_name = NAME.split()[0]
    assert await rows_containing(app, first_name), "the welcome greets her"

    assert (await delete_account(newcomer)).status_code == 200

    assert await rows_containing(app, first_name, NAME, EMAIL) == []
    page = await world.animator.get(f"/api/v1/collectives/{cid}/events?since=0&limit=500")
    (sent,) = [e for e in page.json()["events"] if e["kind"] == "welcome.sent"]
    assert sent["data"]["message"] == ""


# ---------------------------------------------------------------- export limits


@pytest.fixture
def export_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The exports' temporary files go here, where the test can see every one left behind."""
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_exports_are_throttled_per_account_and_leave_no_file(
    app: Starlette, world: World, export_dir: Path
) -> None:
    limit = app.state.essaim.settings.export_max_per_hour
    for _ in range(limit):
        done = await world.member.get("/api/v1/me/export")
        assert done.status_code == 200, done.text
        assert list(export_dir.iterdir()) == [], "each copy is removed once sent"

    refused = await world.member.get("/api/v1/me/export")

    assert refused.status_code == 429, refused.headers
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert list(export_dir.iterdir()) == [], "a refused export writes nothing"
    # Per account: another person still exports.
    assert (await world.animator.get("/api/v1/me/export")).status_code == 200


async def test_an_export_cut_off_mid_download_leaves_no_file(
    app: Starlette, world: World, export_dir: Path
) -> None:
    """The client goes away while the ZIP is being sent: its copy is removed all the same."""
    cookie = "; ".join(f"{name}={value}" for name, value in world.member.http.cookies.items())
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/me/export",
        "raw_path": b"/api/v1/me/export",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    started: list[int] = []
    requested: list[bool] = []
    never = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if requested:  # the request was read: the client says nothing more
            await never.wait()
        requested.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.append(message["status"])
        elif message["type"] == "http.response.body":
            assert list(export_dir.iterdir()), "the copy exists while it is being sent"
            raise OSError("connection reset by peer")

    with pytest.raises(OSError, match="connection reset"):
        await app(scope, receive, send)

    assert started == [200]
    assert list(export_dir.iterdir()) == []


async def test_erasure_removes_the_attachments_of_her_cards_and_those_she_attached(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    person = await person_with_traces(app, world, make_client)
    essaim = app.state.essaim

    async def attach(client: ApiClient, card_id: int, name: str, content: bytes) -> Any:
        added = await client.post(
            f"/api/v1/cards/{card_id}/attachments", files={"file": (name, content, "text/plain")}
        )
        assert added.status_code == 201, added.text
        return added.json()

    hers_elsewhere = await attach(
        person.client, world.card["id"], "devis-zephyrine.txt", b"Devis de la chaudiere\n"
    )
    annas_on_hers = await attach(world.animator, person.card_id, "note-anna.txt", b"Note d'Anna\n")
    # Marc attached the same bytes as hers to his own card: that file stays for him.
    kept = await attach(world.member, world.card["id"], "copie.txt", b"Devis de la chaudiere\n")
    erased = [person.attachment_id, hers_elsewhere["id"], annas_on_hers["id"]]
    own = (await person.client.get(f"/api/v1/cards/{person.card_id}")).json()["attachments"]
    files = {
        a["id"]: essaim.files.path_of(a["sha256"]) for a in [*own, hers_elsewhere, annas_on_hers]
    }
    assert all(path.is_file() for path in files.values())

    assert (await delete_account(person.client, erase_contributions=True)).status_code == 200

    for attachment_id in erased:
        gone = await world.animator.get(f"/api/v1/attachments/{attachment_id}")
        assert gone.status_code == 404, attachment_id
    card = (await world.animator.get(f"/api/v1/cards/{world.card['id']}")).json()
    assert [a["id"] for a in card["attachments"]] == [kept["id"]]
    assert not files[person.attachment_id].exists()
    assert not files[annas_on_hers["id"]].exists()
    assert files[hers_elsewhere["id"]].is_file(), "still Marc's file"
    assert (await world.member.get(kept["url"])).content == b"Devis de la chaudiere\n"
    await app.state.search.indexer.drain()
    assert await rows_containing(app, "devis-zephyrine.txt", "note-anna.txt", UPLOAD[0]) == []
