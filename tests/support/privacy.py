"""A person who left traces everywhere (for the export and erasure tests), and a scan of every
stored row for a piece of text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import text
from starlette.applications import Starlette

from tests.conftest import PASSWORD, ApiClient, MakeClient, World
from tests.support.accounts import verify_address

NAME = "Zéphyrine Quatrefages"
EMAIL = "zephyrine.quatrefages@example.fr"
CARD_TITLE = "Chaudière à granulés mutualisée"
CARD_BODY = "Trois ateliers partagent une chaudière."
COMMENT_BODY = "Le fournisseur livre le mardi."
OTHER_COMMENT = "Commentaire confidentiel d'Anna sous la fiche"
WORKSHOP_TITLE = "Atelier chaufferie partagée"
UPLOAD = ("plan.md", b"# Plan de la chaufferie\n", "text/markdown")


@dataclass
class Person:
    client: ApiClient
    id: int
    card_id: int
    comment_ids: list[int] = field(default_factory=list)
    attachment_id: int = 0
    workshop_id: int = 0


async def person_with_traces(app: Starlette, world: World, make_client: MakeClient) -> Person:
    """A member invited to her (verified) address who wrote, commented, reacted, attached,
    flagged, was nudged, had her profile and role changed, and once mistyped her password."""
    cid = world.collective_id
    anna = world.animator
    client = await make_client()
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD, "display_name": NAME},
    )
    assert registered.status_code == 201, registered.text
    client.csrf = registered.json()["csrf_token"]
    client.user = registered.json()["user"]
    await verify_address(app, client)  # an invitation to an address wants it verified
    invited = await anna.post(
        f"/api/v1/collectives/{cid}/invitations", json={"role": "member", "email": EMAIL}
    )
    token = invited.json()["url"].rsplit("/", 1)[1]
    assert (await client.post(f"/api/v1/invitations/{token}/accept")).status_code == 200
    stranger = await make_client()
    failed = await stranger.post(
        "/api/v1/auth/login", json={"email": EMAIL, "password": "not her password"}
    )
    assert failed.json()["error"]["code"] == "bad_credentials", failed.text

    card = await client.post(
        f"/api/v1/boards/{world.board_id}/cards",
        json={"title": CARD_TITLE, "body": CARD_BODY, "tags": ["chauffage"]},
    )
    assert card.status_code == 201, card.text
    person = Person(client, client.id, card.json()["id"])
    for target in (person.card_id, world.card["id"]):
        comment = await client.post(f"/api/v1/cards/{target}/comments", json={"body": COMMENT_BODY})
        assert comment.status_code == 201, comment.text
        person.comment_ids.append(comment.json()["id"])
    other = await anna.post(
        f"/api/v1/cards/{person.card_id}/comments", json={"body": OTHER_COMMENT}
    )
    assert other.status_code == 201, other.text
    for target in (person.card_id, world.card["id"]):
        reacted = await client.post(f"/api/v1/cards/{target}/reactions", json={"kind": "useful"})
        assert reacted.status_code == 201, reacted.text
    attached = await client.post(
        f"/api/v1/cards/{person.card_id}/attachments", files={"file": UPLOAD}
    )
    assert attached.status_code == 201, attached.text
    person.attachment_id = attached.json()["id"]
    flagged = await client.post(f"/api/v1/cards/{world.card['id']}/flags", json={"reason": "spam"})
    assert flagged.status_code == 201, flagged.text
    member = f"/api/v1/collectives/{cid}/members/{person.id}"
    own = await client.patch(member, json={"organisation": "Granulés & Cie", "trade": "poêlière"})
    assert own.status_code == 200, own.text
    for role in ("observer", "member"):
        assert (await anna.patch(member, json={"role": role})).status_code == 200
    nudged = await anna.post(
        f"/api/v1/collectives/{cid}/nudges",
        json={"user_id": person.id, "message": f"Bonjour {NAME}, on vous attend !"},
    )
    assert nudged.status_code == 201, nudged.text
    visited = await client.post(f"/api/v1/collectives/{cid}/visits", json={})
    assert visited.status_code == 204, visited.text
    board = await anna.post(f"/api/v1/collectives/{cid}/boards", json={"name": "Atelier SWOT"})
    assert board.status_code == 201, board.text
    workshop = await anna.post(
        f"/api/v1/boards/{board.json()['id']}/workshops",
        json={"template": "swot", "title": WORKSHOP_TITLE},
    )
    assert workshop.status_code == 201, workshop.text
    person.workshop_id = workshop.json()["id"]
    joined = await client.post(f"/api/v1/workshops/{person.workshop_id}/join")
    assert joined.status_code == 200, joined.text
    return person


def _forms(needle: str) -> set[str]:
    """The ways a string may be stored: as typed, and JSON-escaped (SQLite's JSON text)."""
    return {needle, json.dumps(needle)[1:-1], needle.lower()}


async def rows_containing(app: Starlette, *needles: str) -> list[str]:
    """Every stored row (every table, the search index's too) that holds one of ``needles``."""
    database = app.state.essaim.db
    wanted = set().union(*(_forms(n) for n in needles))
    found: list[str] = []
    async with database.read() as session:
        if database.dialect == "sqlite":
            tables = [
                f'"{name}"'
                for name in await session.scalars(
                    text("SELECT name FROM sqlite_master WHERE type = 'table'")
                )
            ]
            queries = [f"SELECT * FROM {t}" for t in tables]
        else:
            listed = await session.execute(
                text(
                    "SELECT table_schema, table_name FROM information_schema.tables"
                    " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                    " AND table_type = 'BASE TABLE'"
                )
            )
            tables = [f'"{schema}"."{name}"' for schema, name in listed]
            queries = [f"SELECT t::text FROM {t} t" for t in tables]
        for table, query in zip(tables, queries, strict=True):
            for row in await session.execute(text(query)):
                line = " ".join(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
                if any(w in line for w in wanted):
                    found.append(f"{table}: {line[:300]}")
    return found
