"""The permission matrix: every endpoint × every role, in one's own collective or another's.

    action   animator  member  observer  outsider (not a member)
    read     yes       yes     yes       404, never content
    write    yes       yes     403       404
    manage   yes       403     403       404

Members edit and delete only their own cards and comments but may move anyone's card; only
animators moderate. A refused write changes nothing (the collective's ``seq`` and the target
stay as they were). The matrix shares one collective per database (module scope) and builds
fresh targets for every attempt that succeeds, so that no attempt sees another's effects.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from server.app.asgi import API_ENDPOINTS, create_app
from server.core.settings import Settings
from tests.conftest import (
    PASSWORD,
    ApiClient,
    PostgresServer,
    Template,
    fast_settings,
    join,
    own_database,
    sent_mail,
)
from tests.support.collectives import collective_seq

ROLES = ("outsider", "observer", "member", "animator")  # refused attempts usually come first
SECRET = "Rénovation Drôme"  # the collective's name: an outsider must never read it
CARD_TITLE = "Carte de Paul"
UPLOAD = {"file": ("notes.md", b"# Notes du chantier\n", "text/markdown")}

# ---------------------------------------------------------------- the shared collective


@dataclass
class Scene:
    """One collective with a user per role, plus ``author`` (a member who writes the cards
    and comments that are "someone else's" for every actor), and the outsider's collective."""

    app: Starlette
    users: dict[str, ApiClient]
    collective_id: int
    outsider_collective_id: int
    clients: list[ApiClient] = field(default_factory=list)
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def animator(self) -> ApiClient:
        return self.users["animator"]

    @property
    def author(self) -> ApiClient:
        return self.users["author"]

    async def new_user(self, role: str) -> ApiClient:
        """A newly registered user with ``role`` here (``outsider``: no membership)."""
        client = ApiClient(self.app)
        self.clients.append(client)
        await client.register(f"{role}{next(self.numbers)}")
        if role != "outsider":
            await join(self.animator, client, self.collective_id, role)
        return client

    async def seq(self) -> int:
        return await collective_seq(self.animator, self.collective_id)

    async def card(self, card_id: int) -> dict[str, Any]:
        response = await self.animator.get(f"/api/v1/cards/{card_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def shared_database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Template,
    postgres: PostgresServer | None,
) -> str:
    """A migrated database of each kind, shared by this module's tests."""
    directory = tmp_path_factory.mktemp("permissions")
    return await own_database(
        request.param, directory, sqlite_template, postgres, "essaim_permissions"
    )


@pytest.fixture(scope="module")
async def scene(
    shared_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Scene]:
    data_dir: Path = tmp_path_factory.mktemp("permissions-data")
    settings: Settings = fast_settings(data_dir, shared_database_url)
    app = create_app(settings, migrate=False)
    async with app.router.lifespan_context(app):
        users = {name: ApiClient(app) for name in ("animator", "member", "observer", "author")}
        users["outsider"] = ApiClient(app)
        for name, client in users.items():
            await client.register(name)
        created = await users["animator"].post("/api/v1/collectives", json={"name": SECRET})
        assert created.status_code == 201, created.text
        cid = int(created.json()["id"])
        for name, role in (("member", "member"), ("observer", "observer"), ("author", "member")):
            await join(users["animator"], users[name], cid, role)
        other = await users["outsider"].post(
            "/api/v1/collectives", json={"name": "Autre collective"}
        )
        assert other.status_code == 201, other.text
        built = Scene(app, users, cid, int(other.json()["id"]), list(users.values()))
        yield built
        for client in built.clients:
            await client.aclose()


# ---------------------------------------------------------------- targets of an attempt

# Placeholders whose value depends on who acts (the rest are shared by the attempts).
PER_ACTOR = frozenset(
    {"own_card", "own_comment", "self", "self_email", "reset_token", "verify_token"}
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Targets:
    """The objects a row's path and body name, created on first use."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.values: dict[tuple[str, str], Any] = {}
        self.columns: list[int] = []

    async def get(self, name: str, role: str, actor: ApiClient) -> Any:
        key = (name, role if name in PER_ACTOR else "")
        if key not in self.values:
            self.values[key] = await self._make(name, role, actor)
        return self.values[key]

    async def _make(self, name: str, role: str, actor: ApiClient) -> Any:
        scene, animator = self.scene, self.scene.animator
        cid = scene.collective_id
        writer = actor if role in {"animator", "member"} else scene.author
        match name:
            case "collective":
                return cid
            case "self":
                return actor.id
            case "self_email":
                return actor.user["email"]
            case "email":
                return f"nouvelle{next(scene.numbers)}@example.fr"
            case "kind":
                return "useful"
            case "theme":
                return "export"
            case "board":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/boards", json={"name": "Tableau", "kind": "ideas"}
                )
                assert response.status_code == 201, response.text
                self.columns = [c["id"] for c in response.json()["columns"]]
                return response.json()["id"]
            case "column2":
                await self.get("board", role, actor)
                return self.columns[1]
            case "column":
                board = await self.get("board", role, actor)
                response = await animator.post(
                    f"/api/v1/boards/{board}/columns", json={"name": "En plus"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "card" | "own_card":
                board = await self.get("board", role, actor)
                poster = scene.author if name == "card" else writer
                response = await poster.post(
                    f"/api/v1/boards/{board}/cards", json={"title": CARD_TITLE, "body": "Détail"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "twin_card":  # a duplicate of "card", to merge into it
                board = await self.get("board", role, actor)
                response = await scene.author.post(
                    f"/api/v1/boards/{board}/cards", json={"title": CARD_TITLE + " (bis)"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "version":  # a card's first version
                return 1
            case "practice_card":
                board = await self.get("board", role, actor)
                response = await scene.author.post(
                    f"/api/v1/boards/{board}/cards",
                    json={"kind": "practice", "title": CARD_TITLE, "practice": {"context": "Ici"}},
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "capitalised_card" | "showcase_slug":
                card = await self.get("practice_card", role, actor)
                response = await animator.post(
                    f"/api/v1/cards/{card}/capitalise", json={"capitalised": True}
                )
                assert response.status_code == 200, response.text
                if name == "capitalised_card":
                    return card
                response = await animator.request(
                    "PUT", f"/api/v1/cards/{card}/showcase", json={"public": True}
                )
                assert response.status_code == 200, response.text
                shown = await animator.get(f"/api/v1/collectives/{cid}/showcase")
                return shown.json()["slug"]
            case "merge":
                card = await self.get("card", role, actor)
                twin = await self.get("twin_card", role, actor)
                response = await animator.post(
                    f"/api/v1/cards/{card}/merge", json={"card_id": twin}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "comment" | "own_comment":
                card = await self.get("card", role, actor)
                poster = scene.author if name == "comment" else writer
                response = await poster.post(
                    f"/api/v1/cards/{card}/comments", json={"body": "Un avis"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "attachment":
                card = await self.get("card", role, actor)
                response = await scene.author.post(
                    f"/api/v1/cards/{card}/attachments", files=UPLOAD
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "phase":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/phases",
                    json={
                        "name": "Atelier",
                        "kind": "collective",
                        "starts_on": "2025-01-06",
                        "ends_on": "2025-01-31",
                    },
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "notification":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/nudges", json={"user_id": scene.author.id}
                )
                assert response.status_code == 201, response.text
                return response.json()["notification_id"]
            case "other_user":
                return (await scene.new_user("member")).id
            case "flag":
                card = await self.get("card", role, actor)
                response = await scene.author.post(
                    f"/api/v1/cards/{card}/flags", json={"reason": "spam"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "meeting":
                response = await animator.post(f"/api/v1/collectives/{cid}/meetings", json=MEETING)
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "vote" | "closed_vote":
                response = await animator.post(f"/api/v1/collectives/{cid}/votes", json=VOTE)
                assert response.status_code == 201, response.text
                if name == "closed_vote":
                    closed = await animator.post(f"/api/v1/votes/{response.json()['id']}/close")
                    assert closed.status_code == 200, closed.text
                return response.json()["id"]
            case "workshop" | "ended_workshop":
                board = await self.get("board", role, actor)
                response = await animator.post(
                    f"/api/v1/boards/{board}/workshops", json={"template": "brainstorming"}
                )
                assert response.status_code == 201, response.text
                if name == "ended_workshop":
                    ended = await animator.post(f"/api/v1/workshops/{response.json()['id']}/end")
                    assert ended.status_code == 200, ended.text
                return response.json()["id"]
            case "workshop_template":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/workshop-templates", json=WORKSHOP_TEMPLATE
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "diagnostic_template":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/diagnostic-templates", json=DIAGNOSTIC_TEMPLATE
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "diagnostic":
                # Of the author's company: the acting member is in another one.
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/diagnostics",
                    json={"template_id": "tpe-pme-360", "member_id": scene.author.id},
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "plan_action":
                diagnostic = await self.get("diagnostic", role, actor)
                response = await animator.post(
                    f"/api/v1/diagnostics/{diagnostic}/actions", json={"title": "Un salon"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "invitation":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/invitations", json={"role": "member"}
                )
                assert response.status_code == 201, response.text
                return response.json()["id"]
            case "reset_token" | "verify_token":
                # The emailed link: a reset asked for now, or the sign-up's verification.
                kind = "reset" if name == "reset_token" else "verify"
                if kind == "reset":
                    response = await actor.post(
                        "/api/v1/auth/password-reset", json={"email": actor.user["email"]}
                    )
                    assert response.status_code == 202, response.text
                for email in reversed(await sent_mail(scene.app)):
                    found = re.search(rf"/{kind}/([A-Za-z0-9_-]+)", email.text)
                    if email.to == actor.user["email"] and found:
                        return found.group(1)
                raise AssertionError(f"no {kind} link emailed to {actor.user['email']}")
            case "token":
                response = await animator.post(
                    f"/api/v1/collectives/{cid}/invitations", json={"role": "member"}
                )
                assert response.status_code == 201, response.text
                return response.json()["url"].rsplit("/", 1)[1]
        raise AssertionError(f"unknown placeholder {name}")

    async def fill(self, template: str, role: str, actor: ApiClient) -> str:
        for name in PLACEHOLDER.findall(template):
            value = await self.get(name, role, actor)
            template = template.replace("{" + name + "}", str(value))
        return template

    async def fill_body(self, body: Any, role: str, actor: ApiClient) -> Any:
        if isinstance(body, dict):
            return {k: await self.fill_body(v, role, actor) for k, v in body.items()}
        if isinstance(body, str) and (found := PLACEHOLDER.fullmatch(body)):
            return await self.get(found.group(1), role, actor)
        return body


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # under /api/v1, with {placeholders}
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    note: str = ""
    upload: bool = False
    fresh_actor: bool = False  # the call changes the actor itself (session, membership)
    public: bool = False  # the answer may name the collective (invitation links)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{' ' + self.note if self.note else ''}"


def expect(animator: int, member: int, observer: int, outsider: int) -> dict[str, int]:
    return {"animator": animator, "member": member, "observer": observer, "outsider": outsider}


READ = expect(200, 200, 200, 404)
EVERYONE = expect(200, 200, 200, 200)


def write(status: int) -> dict[str, int]:
    return expect(status, status, 403, 404)


def manage(status: int) -> dict[str, int]:
    return expect(status, 403, 403, 404)


PHASE = {
    "name": "Atelier",
    "kind": "collective",
    "starts_on": "2025-02-03",
    "ends_on": "2025-02-28",
}
HIDE = {"version": 1, "moderation": "hidden"}
MEETING = {"title": "Atelier thermographie", "kind": "workshop", "held_on": "2025-02-10"}
VOTE = {"title": "Adopter la charte ?", "method": "consent", "options": ["La charte"]}
DIAGNOSTIC_TEMPLATE = {
    "name": "Express",
    "themes": [
        {
            "id": "rh",
            "title": "RH",
            "questions": [{"id": "rh.n", "text": "Effectif", "kind": "number"}],
        }
    ],
}
COMPANY_ONLY = expect(200, 404, 404, 404)  # a diagnostic: animators and the company
WORKSHOP_TEMPLATE = {"name": "Tour de table", "steps": [{"title": "Chacun parle", "minutes": 10}]}

ROWS = [
    # accounts: the same for every role (nothing belongs to a collective)
    Row(
        "POST",
        "/auth/register",
        expect(201, 201, 201, 201),
        {"email": "{email}", "password": PASSWORD, "display_name": "Nouvelle"},
        fresh_actor=True,
    ),
    Row(
        "POST",
        "/auth/login",
        EVERYONE,
        {"email": "{self_email}", "password": PASSWORD},
        fresh_actor=True,
    ),
    Row("POST", "/auth/logout", expect(204, 204, 204, 204), fresh_actor=True),
    Row("POST", "/auth/password-reset", expect(202, 202, 202, 202), {"email": "{self_email}"}),
    Row(
        "POST",
        "/auth/password-reset/{reset_token}",
        expect(204, 204, 204, 204),
        {"password": "une nouvelle phrase"},
        fresh_actor=True,
    ),
    Row("POST", "/auth/verify-email", expect(202, 202, 202, 202)),
    Row("POST", "/auth/verify-email/{verify_token}", expect(204, 204, 204, 204), fresh_actor=True),
    Row("GET", "/me", EVERYONE),
    Row("PATCH", "/me", EVERYONE, {"language": "fr"}),
    Row("GET", "/me/export", EVERYONE),
    Row("POST", "/me/calendar", EVERYONE),
    Row("DELETE", "/me/calendar", expect(204, 204, 204, 204)),
    Row("DELETE", "/me", EVERYONE, {"password": PASSWORD}, fresh_actor=True),
    # collectives, members, invitations
    Row("GET", "/collectives", EVERYONE),
    Row("POST", "/collectives", expect(201, 201, 201, 201), {"name": "Une de plus"}),
    Row("GET", "/collectives/{collective}", READ),
    Row("PATCH", "/collectives/{collective}", manage(200), {"theme": "Isolation"}),
    Row("GET", "/collectives/{collective}/members", READ),
    Row("GET", "/collectives/{collective}/presence", READ),
    Row(
        "PATCH",
        "/collectives/{collective}/members/{other_user}",
        manage(200),
        {"trade": "plombière"},
        "another's profile",
    ),
    Row(
        "PATCH",
        "/collectives/{collective}/members/{other_user}",
        manage(200),
        {"role": "observer"},
        "another's role",
    ),
    Row(
        "PATCH",
        "/collectives/{collective}/members/{self}",
        expect(200, 403, 403, 404),
        {"role": "animator"},
        "promote oneself",
        fresh_actor=True,
    ),
    Row(
        "PATCH",
        "/collectives/{collective}/members/{self}",
        READ,
        {"trade": "couvreur"},
        "one's own profile",
    ),
    Row(
        "DELETE",
        "/collectives/{collective}/members/{other_user}",
        manage(204),
        note="remove another",
    ),
    Row(
        "DELETE",
        "/collectives/{collective}/members/{self}",
        expect(204, 204, 204, 404),
        note="leave",
        fresh_actor=True,
    ),
    Row("POST", "/collectives/{collective}/invitations", manage(201), {"role": "member"}),
    Row("GET", "/collectives/{collective}/invitations", manage(200)),
    Row("DELETE", "/invitations/{invitation}", manage(204)),
    Row("GET", "/invitations/{token}", EVERYONE, public=True),
    Row(
        "POST",
        "/invitations/{token}/accept",
        expect(409, 409, 409, 200),
        fresh_actor=True,
        public=True,
    ),
    Row("GET", "/collectives/{collective}/events", READ),
    # Search: the query string is not part of the route; asking about someone else's
    # collective is 404 like everything else in it.
    Row("GET", "/search?q=isolant&collective={collective}", READ),
    # phases
    Row("GET", "/collectives/{collective}/phases", READ),
    Row("POST", "/collectives/{collective}/phases", manage(201), PHASE),
    Row("PATCH", "/phases/{phase}", manage(200), {"name": "Atelier bis"}),
    Row("DELETE", "/phases/{phase}", manage(204)),
    # boards and columns
    Row("GET", "/collectives/{collective}/boards", READ),
    Row("POST", "/collectives/{collective}/boards", manage(201), {"name": "Pratiques"}),
    Row("GET", "/boards/{board}", READ),
    Row("PATCH", "/boards/{board}", manage(200), {"description": "Nos idées"}),
    Row("POST", "/boards/{board}/columns", manage(201), {"name": "Abandonnée"}),
    Row("PATCH", "/columns/{column}", manage(200), {"name": "Renommée"}),
    Row("DELETE", "/columns/{column}", manage(204)),
    # cards
    Row("POST", "/boards/{board}/cards", write(201), {"title": "Une idée"}),
    Row("GET", "/cards/{card}", READ),
    Row("GET", "/cards/{card}/similar", READ),
    Row("GET", "/collectives/{collective}/similar?text=isolant", READ),
    Row("POST", "/cards/{card}/merge", manage(201), {"card_id": "{twin_card}"}),
    Row("GET", "/collectives/{collective}/merges", manage(200)),
    Row("POST", "/merges/{merge}/undo", manage(200)),
    Row("GET", "/cards/{card}/versions", READ),
    Row("POST", "/cards/{card}/versions/{version}/restore", manage(200), note="another's"),
    Row("POST", "/cards/{practice_card}/capitalise", manage(200), {"capitalised": True}),
    Row("GET", "/collectives/{collective}/guide/pending", manage(200)),
    Row("PUT", "/cards/{capitalised_card}/showcase", manage(200), {"public": True}),
    Row(
        "PUT",
        "/cards/{own_card}/showcase-consent",
        expect(200, 200, 403, 404),
        {"consent": "anonymous"},
    ),
    Row("GET", "/collectives/{collective}/showcase", manage(200)),
    Row("GET", "/showcase/{showcase_slug}", EVERYONE, public=True),
    Row("GET", "/collectives/{collective}/guide.pdf", READ),
    Row("GET", "/collectives/{collective}/guide.odt", READ),
    Row("GET", "/collectives/{collective}/guide.json", READ),
    Row("GET", "/collectives/{collective}/guide.csv", READ),
    Row("PATCH", "/cards/{card}", manage(200), {"version": 1, "title": "Autre"}, "edit another's"),
    Row("PATCH", "/cards/{own_card}", write(200), {"version": 1, "title": "Autre"}, "edit own"),
    Row(
        "PATCH",
        "/cards/{card}",
        write(200),
        {"version": 1, "column_id": "{column2}"},
        "move another's",
    ),
    Row("PATCH", "/cards/{card}", manage(200), HIDE, "hide another's"),
    Row("PATCH", "/cards/{own_card}", manage(200), HIDE, "hide own"),
    Row("DELETE", "/cards/{card}", manage(204), note="another's"),
    Row("DELETE", "/cards/{own_card}", write(204), note="own"),
    # comments
    Row("POST", "/cards/{card}/comments", write(201), {"body": "Je suis partant"}),
    Row("PATCH", "/comments/{comment}", manage(200), {"body": "Changé"}, "edit another's"),
    Row("PATCH", "/comments/{own_comment}", write(200), {"body": "Changé"}, "edit own"),
    Row("PATCH", "/comments/{comment}", manage(200), {"moderation": "hidden"}, "hide another's"),
    Row("PATCH", "/comments/{own_comment}", manage(200), {"moderation": "hidden"}, "hide own"),
    Row("DELETE", "/comments/{comment}", manage(204), note="another's"),
    Row("DELETE", "/comments/{own_comment}", write(204), note="own"),
    # reactions and attachments
    Row("POST", "/cards/{card}/reactions", write(201), {"kind": "useful"}),
    Row("DELETE", "/cards/{card}/reactions/{kind}", write(200)),
    Row("POST", "/cards/{card}/attachments", write(201), upload=True),
    Row("GET", "/attachments/{attachment}", READ),
    # animation: visits, figures, alerts, thresholds, actions, one's notifications
    Row("POST", "/collectives/{collective}/visits", expect(204, 204, 204, 404), {}),
    Row("GET", "/collectives/{collective}/engagement", READ),
    Row("GET", "/collectives/{collective}/engagement/members", expect(200, 200, 403, 404)),
    Row("GET", "/collectives/{collective}/alerts", manage(200)),
    Row("GET", "/collectives/{collective}/alert-thresholds", manage(200)),
    Row(
        "PUT",
        "/collectives/{collective}/alert-thresholds",
        manage(200),
        {"post_unanswered_hours": 72},
    ),
    Row("GET", "/collectives/{collective}/nudge-template", manage(200)),
    Row(
        "PUT",
        "/collectives/{collective}/nudge-template",
        manage(200),
        {"template": "Bonjour {prenom}"},
    ),
    Row("POST", "/collectives/{collective}/nudges", manage(201), {"user_id": "{other_user}"}),
    Row(
        "POST",
        "/collectives/{collective}/prompts",
        manage(201),
        {"board_id": "{board}", "title": "Question de la semaine"},
    ),
    Row("POST", "/collectives/{collective}/welcomes", manage(201), {"user_id": "{other_user}"}),
    Row("GET", "/me/notifications", EVERYONE),
    Row("GET", "/notifications", EVERYONE),
    Row("POST", "/notifications/read", EVERYONE, {"all": True}),
    Row("GET", "/me/notification-preferences", EVERYONE),
    Row(
        "PUT",
        "/me/notification-preferences",
        EVERYONE,
        {"quiet_hours": {"start": "22:00", "end": "07:00"}},
    ),
    # Off unless ESSAIM_INBOUND_SECRET is set (its own tests set it); never a session's.
    Row("POST", "/inbound/email", expect(404, 404, 404, 404), note="off here"),
    Row(
        "POST",
        "/notifications/{notification}/read",
        expect(404, 404, 404, 404),
        note="another's",
    ),
    # moderation: flags (members and animators), the review queue and the audit log
    Row("POST", "/cards/{card}/flags", write(201), {"reason": "spam"}),
    Row("POST", "/comments/{comment}/flags", write(201), {"reason": "offensive"}),
    Row("PATCH", "/cards/{card}", manage(200), {"version": 1, "pinned": True}, "pin"),
    Row("PATCH", "/boards/{board}", manage(200), {"locked": True}, "lock"),
    Row("GET", "/collectives/{collective}/flags", manage(200)),
    Row("POST", "/flags/{flag}/resolve", manage(200), {"outcome": "dismissed"}),
    Row("GET", "/collectives/{collective}/audit", manage(200)),
    # meetings and the report for funders (not for members)
    Row("GET", "/collectives/{collective}/meetings", READ),
    Row("POST", "/collectives/{collective}/meetings", manage(201), MEETING),
    Row("PATCH", "/meetings/{meeting}", manage(200), {"notes": "Compte rendu"}),
    Row("DELETE", "/meetings/{meeting}", manage(204)),
    Row("PUT", "/meetings/{meeting}/attendance", manage(200), {"user_ids": []}),
    Row("GET", "/collectives/{collective}/report", expect(200, 403, 200, 404)),
    # votes: members open them only where the collective allows it (not here)
    Row("GET", "/collectives/{collective}/votes", READ),
    Row("POST", "/collectives/{collective}/votes", manage(201), VOTE),
    Row("GET", "/votes/{vote}", READ),
    Row("PUT", "/votes/{vote}/ballot", write(200), {"consent": "agree"}),
    Row("GET", "/votes/{vote}/ballot", READ),
    Row("POST", "/votes/{vote}/close", manage(200)),
    Row("POST", "/votes/{closed_vote}/advance", manage(200)),
    # live workshops: participants join them, animators run them
    Row("GET", "/collectives/{collective}/workshop-templates", READ),
    Row("POST", "/collectives/{collective}/workshop-templates", manage(201), WORKSHOP_TEMPLATE),
    Row("DELETE", "/workshop-templates/{workshop_template}", manage(204)),
    Row("GET", "/collectives/{collective}/workshops", READ),
    Row("POST", "/boards/{board}/workshops", manage(201), {"template": "swot"}),
    Row("GET", "/boards/{board}/workshop", READ),
    Row("GET", "/workshops/{workshop}", READ),
    Row("POST", "/workshops/{workshop}/timer", manage(200), {"action": "start"}),
    Row("POST", "/workshops/{workshop}/step", manage(200), {"index": 1}),
    Row("POST", "/workshops/{workshop}/freeze", manage(200), {"frozen": True}),
    Row("POST", "/workshops/{workshop}/focus", manage(200), {"card_id": "{card}"}),
    Row("POST", "/workshops/{workshop}/join", write(200)),
    Row("POST", "/workshops/{workshop}/end", manage(200)),
    Row("PUT", "/workshops/{ended_workshop}/attendance", manage(200), {"user_ids": []}),
    Row("GET", "/workshops/{ended_workshop}/minutes", READ),
    # the individual phase: a diagnostic is its company's (the author's) and the animators'
    Row("GET", "/collectives/{collective}/diagnostic-templates", READ),
    Row(
        "POST",
        "/collectives/{collective}/diagnostic-templates",
        manage(201),
        DIAGNOSTIC_TEMPLATE,
    ),
    Row("GET", "/diagnostic-templates/{diagnostic_template}", READ),
    Row("PATCH", "/diagnostic-templates/{diagnostic_template}", manage(200), {"name": "V2"}),
    Row("GET", "/collectives/{collective}/diagnostics", expect(200, 200, 403, 404)),
    Row(
        "POST",
        "/collectives/{collective}/diagnostics",
        manage(201),
        {"template_id": "tpe-pme-360", "member_id": "{other_user}"},
    ),
    Row("GET", "/diagnostics/{diagnostic}", COMPANY_ONLY),
    Row(
        "PATCH",
        "/diagnostics/{diagnostic}",
        COMPANY_ONLY,
        {"version": 1, "answers": {"export.maturite": 2}},
    ),
    Row("GET", "/diagnostics/{diagnostic}/radar.svg", COMPANY_ONLY),
    Row("GET", "/diagnostics/{diagnostic}/export?format=json", COMPANY_ONLY),
    Row("GET", "/diagnostics/{diagnostic}/actions", COMPANY_ONLY),
    Row(
        "POST",
        "/diagnostics/{diagnostic}/actions",
        expect(201, 404, 404, 404),
        {"title": "Un salon"},
    ),
    Row("PATCH", "/actions/{plan_action}", COMPANY_ONLY, {"version": 1, "status": "doing"}),
    Row("GET", "/actions/{plan_action}/suggestions", COMPANY_ONLY),
    Row("GET", "/collectives/{collective}/needs", READ),
    Row(
        "POST",
        "/collectives/{collective}/needs/{theme}/step",
        expect(409, 403, 403, 404),
        {"template_id": "tpe-pme-360"},
        "fewer than five companies diagnosed",
    ),
]

ERROR_CODES = {403: "forbidden", 404: "not_found"}


def _shape(path: str) -> str:
    return PLACEHOLDER.sub("{}", re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path))


def test_every_endpoint_is_in_the_matrix() -> None:
    declared = {(e.method, _shape(e.path)) for e in API_ENDPOINTS}
    covered = {(row.method, _shape(row.path.split("?")[0])) for row in ROWS}
    assert declared - covered == set(), "endpoints missing from the permission matrix"
    assert covered - declared == set(), "rows for endpoints that no longer exist"
    assert len({row.id for row in ROWS}) == len(ROWS)


async def _actor(scene: Scene, row: Row, role: str) -> ApiClient:
    return await scene.new_user(role) if row.fresh_actor else scene.users[role]


async def _send(actor: ApiClient, row: Row, path: str, body: Any) -> httpx.Response:
    url = "/api/v1" + path
    if row.upload:
        return await actor.request(row.method, url, files=UPLOAD)
    if body is None:
        return await actor.request(row.method, url)
    return await actor.request(row.method, url, json=body)


async def _card_of(targets: Targets, role: str) -> int | None:
    """The card a row's attempt touches (to check a refusal left it as it was)."""
    for name in ("card", "own_card"):
        key = (name, role if name in PER_ACTOR else "")
        if key in targets.values:
            return int(targets.values[key])
    return None


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_each_role_gets_what_the_rules_say(scene: Scene, row: Row) -> None:
    targets = Targets(scene)
    for role in ROLES:
        expected = row.expect[role]
        actor = await _actor(scene, row, role)
        path = await targets.fill(row.path, role, actor)
        body = await targets.fill_body(row.body, role, actor)
        refused = expected >= 400
        card_id = await _card_of(targets, role)
        if refused:
            seq_before = await scene.seq()
            card_before = await scene.card(card_id) if card_id else None

        response = await _send(actor, row, path, body)

        assert response.status_code == expected, f"{role}: {response.text}"
        if refused:
            error = response.json()
            assert set(error) == {"error"}, f"{role}: {error}"
            if expected in ERROR_CODES:
                assert error["error"]["code"] == ERROR_CODES[expected], f"{role}: {error}"
            assert await scene.seq() == seq_before, f"{role}: a refused call wrote events"
            if card_id:
                assert await scene.card(card_id) == card_before, f"{role}: the card changed"
        else:
            targets = Targets(scene)  # the next attempt must not see this one's effects
        if role == "outsider" and not row.public:
            assert SECRET not in response.text
            assert CARD_TITLE not in response.text


# ---------------------------------------------------------------- details of the rules


async def test_outsider_list_of_collectives_does_not_show_the_collective(scene: Scene) -> None:
    listed = await scene.users["outsider"].get("/api/v1/collectives")
    ids = [c["id"] for c in listed.json()["collectives"]]
    assert scene.outsider_collective_id in ids
    assert scene.collective_id not in ids
    assert SECRET not in listed.text
    mine = await scene.users["observer"].get("/api/v1/collectives")
    roles = {c["id"]: c["role"] for c in mine.json()["collectives"]}
    assert roles[scene.collective_id] == "observer"


async def test_ids_that_do_not_exist_answer_like_ids_of_another_collective(scene: Scene) -> None:
    outsider = scene.users["outsider"]
    for path in ("/collectives/{}", "/collectives/{}/boards", "/collectives/{}/members"):
        theirs = await outsider.get("/api/v1" + path.format(scene.collective_id))
        missing = await outsider.get("/api/v1" + path.format(2_000_000))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json()


async def test_a_member_moves_another_members_card_but_cannot_edit_it(scene: Scene) -> None:
    targets = Targets(scene)
    member = scene.users["member"]
    card_id = await targets.get("card", "member", member)
    column2 = await targets.get("column2", "member", member)
    url = f"/api/v1/cards/{card_id}"
    moved = await member.patch(url, json={"version": 1, "column_id": column2, "position": 0})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["column_id"], moved.json()["version"]) == (column2, 2)
    both = await member.patch(url, json={"version": 2, "column_id": column2, "title": "Moi"})
    assert both.status_code == 403
    after = await scene.card(card_id)
    assert (after["title"], after["version"], after["column_id"]) == (CARD_TITLE, 2, column2)


async def test_ids_from_another_collective_are_refused(scene: Scene) -> None:
    outsider, member = scene.users["outsider"], scene.users["member"]
    targets = Targets(scene)
    phase_id = await targets.get("phase", "animator", scene.animator)
    board_id = await targets.get("board", "animator", scene.animator)
    seq = await scene.seq()
    theirs = await outsider.post(
        f"/api/v1/collectives/{scene.outsider_collective_id}/boards",
        json={"name": "Emprunt", "phase_id": phase_id},
    )
    assert theirs.status_code == 422, theirs.text
    other_board = await outsider.post(
        f"/api/v1/collectives/{scene.outsider_collective_id}/boards", json={"name": "Le leur"}
    )
    foreign_column = other_board.json()["columns"][0]["id"]
    card = await member.post(
        f"/api/v1/boards/{board_id}/cards", json={"title": "Ailleurs", "column_id": foreign_column}
    )
    assert card.status_code == 422, card.text
    assert await scene.seq() == seq
    board = (await member.get(f"/api/v1/boards/{board_id}")).json()
    assert all(not column["cards"] for column in board["columns"])


# ---------------------------------------------------------------- moderated and deleted


async def _hidden_card(scene: Scene) -> tuple[int, int, int]:
    """A card of ``author``, with an attachment, hidden by the animator."""
    targets = Targets(scene)
    card_id = await targets.get("card", "animator", scene.animator)
    board_id = await targets.get("board", "animator", scene.animator)
    attachment_id = await targets.get("attachment", "animator", scene.animator)
    hidden = await scene.animator.patch(f"/api/v1/cards/{card_id}", json=HIDE)
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["moderation"] == "hidden"
    return card_id, board_id, attachment_id


def _card_ids(board: dict[str, Any]) -> set[int]:
    return {card["id"] for column in board["columns"] for card in column["cards"]}


async def test_hidden_card_is_404_for_members_and_observers(scene: Scene) -> None:
    card_id, board_id, attachment_id = await _hidden_card(scene)
    seq = await scene.seq()
    for name in ("author", "member", "observer", "outsider"):
        client = scene.users[name]
        assert (await client.get(f"/api/v1/cards/{card_id}")).status_code == 404, name
        attachment = await client.get(f"/api/v1/attachments/{attachment_id}")
        assert attachment.status_code == 404, name
        for method, path, body in (
            ("PATCH", f"/cards/{card_id}", {"version": 2, "title": "Retour"}),
            ("POST", f"/cards/{card_id}/comments", {"body": "Où est-elle ?"}),
            ("POST", f"/cards/{card_id}/reactions", {"kind": "useful"}),
            ("DELETE", f"/cards/{card_id}", None),
        ):
            kwargs = {} if body is None else {"json": body}
            response = await client.request(method, "/api/v1" + path, **kwargs)
            assert response.status_code == 404, f"{name} {method} {path}: {response.text}"
            assert CARD_TITLE not in response.text
        if name != "outsider":
            board = (await client.get(f"/api/v1/boards/{board_id}")).json()
            assert card_id not in _card_ids(board), name
    assert await scene.seq() == seq


async def test_hidden_card_stays_visible_to_animators(scene: Scene) -> None:
    card_id, board_id, attachment_id = await _hidden_card(scene)
    card = await scene.card(card_id)
    assert [a["id"] for a in card["attachments"]] == [attachment_id]
    download = await scene.animator.get(f"/api/v1/attachments/{attachment_id}")
    assert download.status_code == 200
    assert (card["title"], card["moderation"]) == (CARD_TITLE, "hidden")
    board = (await scene.animator.get(f"/api/v1/boards/{board_id}")).json()
    assert card_id in _card_ids(board)
    restored = await scene.animator.patch(
        f"/api/v1/cards/{card_id}", json={"version": 2, "moderation": "published"}
    )
    assert restored.status_code == 200, restored.text
    seen = await scene.users["member"].get(f"/api/v1/cards/{card_id}")
    assert seen.status_code == 200
    assert seen.json()["title"] == CARD_TITLE


async def test_hidden_card_is_redacted_in_the_event_log_for_members(scene: Scene) -> None:
    since = await scene.seq()
    card_id, _, _ = await _hidden_card(scene)
    url = f"/api/v1/collectives/{scene.collective_id}/events?since={since}"
    member_page = (await scene.users["member"].get(url)).json()
    about = [e for e in member_page["events"] if e["card"] == card_id]
    assert about, "the card's events are still listed (redacted), so seq has no gap"
    assert all(e["data"].get("redacted") for e in about)
    assert all("title" not in e["data"] for e in about)
    animator_page = (await scene.animator.get(url)).json()
    created = [
        e for e in animator_page["events"] if e["card"] == card_id and e["kind"] == "card.created"
    ]
    assert created[0]["data"]["title"] == CARD_TITLE


async def test_hidden_comment_is_404_for_members_and_observers(scene: Scene) -> None:
    targets = Targets(scene)
    card_id = await targets.get("card", "animator", scene.animator)
    comment_id = await targets.get("comment", "animator", scene.animator)
    hidden = await scene.animator.patch(
        f"/api/v1/comments/{comment_id}", json={"moderation": "hidden"}
    )
    assert hidden.status_code == 200, hidden.text
    seq = await scene.seq()
    for name in ("author", "member", "observer"):
        client = scene.users[name]
        card = (await client.get(f"/api/v1/cards/{card_id}")).json()
        assert comment_id not in [c["id"] for c in card["comments"]], name
        assert card["comment_count"] == 0, name
        edit = await client.patch(f"/api/v1/comments/{comment_id}", json={"body": "Encore"})
        assert edit.status_code == 404, f"{name}: {edit.text}"
        gone = await client.delete(f"/api/v1/comments/{comment_id}")
        assert gone.status_code == 404, f"{name}: {gone.text}"
    assert await scene.seq() == seq
    as_animator = await scene.card(card_id)
    [comment] = [c for c in as_animator["comments"] if c["id"] == comment_id]
    assert comment["moderation"] == "hidden"
    assert comment["body"] == "Un avis"


async def test_deleted_card_is_404_for_everyone(scene: Scene) -> None:
    targets = Targets(scene)
    card_id = await targets.get("card", "animator", scene.animator)
    board_id = await targets.get("board", "animator", scene.animator)
    attachment_id = await targets.get("attachment", "animator", scene.animator)
    comment_id = await targets.get("comment", "animator", scene.animator)
    deleted = await scene.author.delete(f"/api/v1/cards/{card_id}")
    assert deleted.status_code == 204, deleted.text
    seq = await scene.seq()
    for name in ("animator", "author", "member", "observer", "outsider"):
        client = scene.users[name]
        for method, path, body in (
            ("GET", f"/cards/{card_id}", None),
            ("GET", f"/attachments/{attachment_id}", None),
            ("PATCH", f"/cards/{card_id}", {"version": 3, "moderation": "published"}),
            ("PATCH", f"/comments/{comment_id}", {"body": "Ressuscité ?"}),
            ("POST", f"/cards/{card_id}/comments", {"body": "Trop tard"}),
            ("DELETE", f"/cards/{card_id}", None),
        ):
            kwargs = {} if body is None else {"json": body}
            response = await client.request(method, "/api/v1" + path, **kwargs)
            assert response.status_code == 404, f"{name} {method} {path}: {response.text}"
        if name != "outsider":
            board = (await client.get(f"/api/v1/boards/{board_id}")).json()
            assert card_id not in _card_ids(board), name
    assert await scene.seq() == seq


async def test_deleted_comment_is_404_for_everyone(scene: Scene) -> None:
    targets = Targets(scene)
    card_id = await targets.get("card", "animator", scene.animator)
    comment_id = await targets.get("comment", "animator", scene.animator)
    deleted = await scene.author.delete(f"/api/v1/comments/{comment_id}")
    assert deleted.status_code == 204, deleted.text
    for name in ("animator", "author", "member", "observer", "outsider"):
        client = scene.users[name]
        edit = await client.patch(f"/api/v1/comments/{comment_id}", json={"body": "Revenu"})
        assert edit.status_code == 404, f"{name}: {edit.text}"
        restore = await client.patch(
            f"/api/v1/comments/{comment_id}", json={"moderation": "published"}
        )
        assert restore.status_code == 404, f"{name}: {restore.text}"
        if name != "outsider":
            card = (await client.get(f"/api/v1/cards/{card_id}")).json()
            assert comment_id not in [c["id"] for c in card["comments"]]
