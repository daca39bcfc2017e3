"""Who reads what of a vote, through every way out: the API (the vote, one's ballot, the list),
the event log, ``/ws``, search, the personal export and the funder report.

    role        GET vote / list     GET ballot     PUT ballot   close
    animator    200                 own            200          200
    member      200                 own            200          403
    observer    200 (results)       own (null)     403          403
    outsider    404                 404            404          404
    anonymous   401                 401            401          401

The key property: one person's ballot of an ANONYMOUS vote is read by nobody but them — not
even an animator. Each voter plants a distinctive ballot (a grade pattern no aggregate
reproduces, a consent reason of their own), and every answer anyone else gets is searched
for that ballot, and for the voter's identity next to their reason.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from server.core.models import Event
from tests.conftest import PASSWORD, ApiClient, MakeClient, World, join
from tests.realtime import conftest as realtime
from tests.realtime.conftest import Connect
from tests.support.collectives import seq, url
from tests.support.privacy import rows_containing

API = "/api/v1"
# /ws runs on the real-time tests' live server: their fixtures, used here too.
live, connect = realtime.live, realtime.connect
NAME = "Zéphyrine Quatrefages"  # the voter whose ballots are followed everywhere
TITLE_MAJORITY = "Quel isolant pour la salle des fêtes"
TITLE_CONSENT = "Adopter la charte des chantiers"
REASONS = {
    "zephyrine": "Objection sentinelle : le dépôt de Crest ferme en août",
    "marc": "Réserve sentinelle : le devis manque",
    "anna": "Accord sentinelle : on avance",
}
# Three ballots whose majority grades (bien, passable, assez_bien) match none of them.
PATTERNS = {
    "zephyrine": ("excellent", "a_rejeter", "passable"),
    "marc": ("insuffisant", "tres_bien", "assez_bien"),
    "anna": ("bien", "passable", "tres_bien"),
}
POSITIONS = {"zephyrine": "object", "marc": "reserve", "anna": "agree"}
IDENTITY_KEYS = {"actor", "actor_id", "user", "user_id", "voter", "voter_id", "voters", "author"}


@dataclass
class Scene:
    world: World
    voters: dict[str, ApiClient]  # zephyrine and marc (members), anna (the animator)
    anonymous: ApiClient  # no session
    majority: dict[str, Any]  # the anonymous majority judgment vote, as opened
    consent: dict[str, Any]  # the anonymous consent vote, as opened

    def grades(self, who: str) -> dict[str, str]:
        ids = [str(o["id"]) for o in self.majority["options"]]
        return dict(zip(ids, PATTERNS[who], strict=True))


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def open_vote(client: ApiClient, collective_id: int, **body: Any) -> dict[str, Any]:
    opened: dict[str, Any] = await ok(
        await client.post(f"{API}/collectives/{collective_id}/votes", json=body), 201
    )
    return opened


async def make_scene(world: World, make_client: MakeClient) -> Scene:
    zephyrine = await make_client()
    registered = await ok(
        await zephyrine.post(
            f"{API}/auth/register",
            json={"email": "zephyrine@example.fr", "password": PASSWORD, "display_name": NAME},
        ),
        201,
    )
    zephyrine.csrf, zephyrine.user = registered["csrf_token"], registered["user"]
    await join(world.animator, zephyrine, world.collective_id, "member")
    cid = world.collective_id
    majority = await open_vote(
        world.animator,
        cid,
        title=TITLE_MAJORITY,
        method="majority",
        options=["Chanvre", "Ouate", "Liège"],
        anonymous=True,
        board_id=world.board_id,
    )
    consent = await open_vote(
        world.animator,
        cid,
        title=TITLE_CONSENT,
        method="consent",
        options=["La charte telle que rédigée"],
        anonymous=True,
    )
    scene = Scene(
        world,
        {"zephyrine": zephyrine, "marc": world.member, "anna": world.animator},
        await make_client(),
        majority,
        consent,
    )
    return scene


async def cast_everything(scene: Scene) -> None:
    for who, client in scene.voters.items():
        await ok(
            await client.request(
                "PUT",
                f"{API}/votes/{scene.majority['id']}/ballot",
                json={"grades": scene.grades(who)},
            )
        )
        await ok(
            await client.request(
                "PUT",
                f"{API}/votes/{scene.consent['id']}/ballot",
                json={"consent": POSITIONS[who], "reason": REASONS[who]},
            )
        )


async def close_both(scene: Scene) -> list[dict[str, Any]]:
    return [
        await ok(await scene.world.animator.post(f"{API}/votes/{vote['id']}/close"))
        for vote in (scene.majority, scene.consent)
    ]


# ---------------------------------------------------------------- the search for a ballot


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def holds_pattern(body: Any, grades: dict[str, str]) -> bool:
    """Whether some object of ``body`` maps the options to exactly this voter's grades (as a
    ``{"<option_id>": grade}`` object, or as a list of ``{"id"/"option_id", "grade"}``)."""
    wanted = set(grades.items())
    for node in walk(body):
        if isinstance(node, dict) and wanted <= {
            (str(k), v) for k, v in node.items() if isinstance(v, str)
        }:
            return True
        if isinstance(node, list):
            pairs = {
                (str(x.get("option_id", x.get("id"))), x.get("grade"))
                for x in node
                if isinstance(x, dict) and isinstance(x.get("grade"), str)
            }
            if wanted <= pairs:
                return True
    return False


def names(node: Any, voter: ApiClient) -> bool:
    """Whether ``node`` names ``voter``: their display name, or their id under a key that
    means a person."""
    if voter.user["display_name"] in json.dumps(node, ensure_ascii=False):
        return True
    for item in walk(node):
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if key not in IDENTITY_KEYS:
                continue
            people = value if isinstance(value, list) else [value]
            for person in people:
                if person == voter.id or (
                    isinstance(person, dict) and person.get("id") == voter.id
                ):
                    return True
    return False


def records(node: Any) -> Iterator[Any]:
    """The records of an answer: the answer itself, and every object that is an item of a
    list (an event, a search hit, a reason of the results...)."""
    yield node
    for item in walk(node):
        if isinstance(item, list):
            yield from (x for x in item if isinstance(x, dict))


def _text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def pruned(node: Any) -> Any:
    """``node`` without the list items (other records) that hold no reason at all."""
    if isinstance(node, dict):
        return {k: pruned(v) for k, v in node.items()}
    if isinstance(node, list):
        return [
            pruned(x)
            for x in node
            if not isinstance(x, dict) or any(r in _text(x) for r in REASONS.values())
        ]
    return node


def reason_linked(body: Any, voter: ApiClient, reason: str) -> bool:
    """Whether some record of ``body`` names ``voter`` next to their ``reason`` and not next to
    every voter's (results that list all the reasons, say who closed the vote, link nobody)."""
    for record in records(body):
        near = pruned(record)
        if reason in _text(near) and names(near, voter):
            if not all(r in _text(near) for r in REASONS.values()):
                return True
    return False


def assert_no_ballot_of(body: Any, voter: str, scene: Scene, where: str) -> None:
    """No grade pattern of ``voter``'s, and their reason never next to their identity."""
    client = scene.voters[voter]
    assert not holds_pattern(body, scene.grades(voter)), f"{where}: {voter}'s grades"
    assert not reason_linked(body, client, REASONS[voter]), f"{where}: {voter}'s reason"


def assert_text_free_of_ballots(text: str, where: str) -> None:
    """A rendered page or file: no reason at all, so none next to a name."""
    for who, reason in REASONS.items():
        assert reason not in text, f"{where}: {who}'s reason"


def test_the_searches_find_a_ballot_and_a_reason_next_to_its_voter() -> None:
    """The detectors of this module, on answers that would leak."""
    voter = ApiClient.__new__(ApiClient)
    voter.user = {"id": 41, "display_name": NAME}
    grades = {"7": "excellent", "8": "a_rejeter"}
    assert holds_pattern({"ballots": [{"grades": {**grades, "9": "bien"}}]}, grades)
    assert holds_pattern([{"id": 7, "grade": "excellent"}, {"id": 8, "grade": "a_rejeter"}], grades)
    assert not holds_pattern({"profile": {"excellent": 1, "a_rejeter": 1}}, grades)
    assert names({"reasons": [{"voter": {"id": 41}, "reason": "x"}]}, voter)
    assert names({"actor": 41}, voter) and names({"voters": [3, 41]}, voter)
    mine, others = REASONS["zephyrine"], [REASONS["marc"], REASONS["anna"]]
    leak = {"events": [{"actor": 41, "data": {"reasons": [{"reason": mine}]}}, {"actor": 2}]}
    assert reason_linked(leak, voter, mine)
    assert reason_linked({"actor": 41, "reason": mine, "other": others[0]}, voter, mine)
    everyone = [{"reason": r} for r in (mine, *others)]
    assert not reason_linked({"actor": 41, "results": {"reasons": everyone}}, voter, mine)
    assert not reason_linked({"events": [{"actor": 41}, {"data": mine}]}, voter, mine)
    assert not names({"id": 41, "turnout": 41}, voter)  # a number is not a person


# ---------------------------------------------------------------- the matrix over the API


async def test_each_role_gets_what_the_rules_say_and_refusals_write_nothing(
    world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    cid = world.collective_id
    vote_id = scene.majority["id"]
    ballot = {"grades": scene.grades("marc")}
    before = await seq(world)
    for client, expected in (
        (scene.anonymous, 401),
        (world.outsider, 404),
    ):
        for method, path, body in (
            ("GET", f"/votes/{vote_id}", None),
            ("GET", f"/votes/{vote_id}/ballot", None),
            ("PUT", f"/votes/{vote_id}/ballot", ballot),
            ("POST", f"/votes/{vote_id}/close", None),
            ("GET", f"/collectives/{cid}/votes", None),
            ("POST", f"/collectives/{cid}/votes", {"title": "Intrus", "method": "approval",
                                                   "options": ["a", "b"]}),
        ):  # fmt: skip
            kwargs = {} if body is None else {"json": body}
            response = await client.request(method, API + path, **kwargs)
            assert response.status_code == expected, f"{method} {path}: {response.text}"
            assert TITLE_MAJORITY not in response.text and "Rénovation" not in response.text
    observer = world.observer
    refused = await observer.request("PUT", f"{API}/votes/{vote_id}/ballot", json=ballot)
    assert refused.status_code == 403, refused.text
    assert (await observer.post(f"{API}/votes/{vote_id}/close")).status_code == 403
    assert (await world.member.post(f"{API}/votes/{vote_id}/close")).status_code == 403
    assert await seq(world) == before, "the refused calls wrote nothing"
    assert (await ok(await observer.get(f"{API}/votes/{vote_id}/ballot")))["ballot"] is None
    # Each voter reads their own ballot, and only theirs.
    await cast_everything(scene)
    for who, client in scene.voters.items():
        mine = await ok(await client.get(f"{API}/votes/{vote_id}/ballot"))
        assert mine["ballot"] == {"grades": scene.grades(who)}, who
        assert holds_pattern(mine, scene.grades(who)), "the search below finds a ballot"
    # A vote of the outsider's own collective is as closed to our animator.
    theirs = (await ok(await world.outsider.get(f"{API}/collectives")))["collectives"][0]["id"]
    elsewhere = await open_vote(
        world.outsider, theirs, title="Ailleurs", method="approval", options=["a", "b"]
    )
    for method, path in (("GET", ""), ("GET", "/ballot"), ("POST", "/close")):
        response = await world.animator.request(method, f"{API}/votes/{elsewhere['id']}{path}")
        assert response.status_code == 404, f"{method} {path}: {response.text}"
    listed = await world.animator.get(f"{API}/collectives/{theirs}/votes")
    assert listed.status_code == 404 and "Ailleurs" not in listed.text


async def test_an_anonymous_vote_shows_no_ballot_and_no_result_to_anyone_before_its_close(
    world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    await cast_everything(scene)
    for viewer in (world.animator, world.member, world.observer):
        for vote in (scene.majority, scene.consent):
            seen = await ok(await viewer.get(f"{API}/votes/{vote['id']}"))
            assert seen["results"] is None, "results of an anonymous vote wait for the close"
            assert seen["turnout"] == 3
        listed = await ok(await viewer.get(url(world, "/votes")))
        for who in scene.voters:
            if scene.voters[who] is not viewer:
                assert_no_ballot_of(listed, who, scene, f"list as {viewer.user['display_name']}")
        for who, reason in REASONS.items():
            if scene.voters[who] is not viewer:
                assert reason not in json.dumps(listed, ensure_ascii=False)


async def test_closed_anonymous_results_are_aggregates_that_name_nobody(
    world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    await cast_everything(scene)
    closed = await close_both(scene)
    majority = closed[0]["results"]
    assert [o["median_grade"] for o in majority["options"]] == ["bien", "passable", "assez_bien"]
    consent = closed[1]["results"]
    assert consent["counts"] == {"agree": 1, "reserve": 1, "object": 1}
    # Reasons are shown, anonymously (never in the order they were cast).
    assert sorted(r["reason"] for r in consent["reasons"]) == sorted(REASONS.values())
    bodies: dict[str, Any] = {"close answers": closed}
    for viewer in (world.animator, world.member, world.observer):
        name = viewer.user["display_name"]
        for vote in (scene.majority, scene.consent):
            bodies[f"vote {vote['id']} as {name}"] = await ok(
                await viewer.get(f"{API}/votes/{vote['id']}")
            )
        bodies[f"list as {name}"] = await ok(await viewer.get(url(world, "/votes")))
    for where, body in bodies.items():
        for who in scene.voters:
            assert_no_ballot_of(body, who, scene, where)
            assert not names(
                {k: v for k, v in body.items() if k != "created_by"}
                if isinstance(body, dict)
                else body,
                scene.voters["zephyrine"],
            ), f"{where} names a voter"


# ---------------------------------------------------------------- the event log and /ws


async def test_the_event_log_never_says_who_cast_an_anonymous_ballot(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    since = await seq(world)
    await cast_everything(scene)
    await close_both(scene)
    anonymous_votes = {scene.majority["id"], scene.consent["id"]}
    for viewer in (world.animator, world.member, world.observer):
        page = await ok(await viewer.get(url(world, f"/events?since={since}&limit=500")))
        events = page["events"]
        cast = [e for e in events if e["kind"] == "ballot.cast"]
        assert len(cast) == 6, "every ballot is an event (so screens update)"
        for event in cast:
            assert event["data"]["vote_id"] in anonymous_votes
            assert event["actor"] is None, event
            assert set(event["data"]) == {"vote_id", "turnout", "results"}
            assert event["data"]["results"] is None, "no live counts for an anonymous vote"
        kinds = {e["kind"] for e in events}
        assert {"vote.closed", "decision.created", "card.created"} <= kinds
        for who in scene.voters:
            assert_no_ballot_of(page, who, scene, f"events as {viewer.user['display_name']}")
    # Stored that way, not redacted on the way out: no later reader of the log can tell.
    async with app.state.essaim.db.read() as session:
        actors = await session.scalars(
            select(Event.actor_id).where(
                Event.collective_id == world.collective_id,
                Event.kind == "ballot.cast",
                Event.seq > since,
            )
        )
        assert list(actors) == [None] * 6
    # A reason is kept with its ballot (to count it) and in the frozen results (unsigned), in
    # no other table: not the audit, not the search index, not a notification.
    tables = {
        row.split(":")[0].split(".")[-1] for row in await rows_containing(app, *REASONS.values())
    }
    assert tables == {'"ballots"', '"votes"', '"events"'}, tables


async def test_ws_subscribers_get_ballot_cast_without_the_voter(
    world: World, make_client: MakeClient, connect: Connect
) -> None:
    scene = await make_scene(world, make_client)
    other = await ok(
        await world.member.post(f"{API}/boards/{world.board_id}/cards", json={"title": "Autre"}),
        201,
    )
    live_vote = await open_vote(
        world.animator,
        world.collective_id,
        title="Vote à main levée",
        method="dot",
        card_ids=[world.card["id"], other["id"]],
        budget=2,
        results="live",
        board_id=world.board_id,
    )
    sockets = {}
    for viewer in (world.animator, world.member, world.observer):
        ws = await connect(viewer)
        await ws.expect("hello")
        await ws.subscribe(world.collective_id, board=world.board_id)
        sockets[viewer.user["display_name"]] = ws
    zephyrine = scene.voters["zephyrine"]
    await ok(
        await zephyrine.request(
            "PUT",
            f"{API}/votes/{scene.majority['id']}/ballot",
            json={"grades": scene.grades("zephyrine")},
        )
    )
    option = str(live_vote["options"][0]["id"])
    await ok(
        await zephyrine.request(
            "PUT", f"{API}/votes/{live_vote['id']}/ballot", json={"dots": {option: 2}}
        )
    )
    for name, ws in sockets.items():
        hidden, shown = await ws.events(2)
        assert (hidden["kind"], shown["kind"]) == ("ballot.cast", "ballot.cast"), name
        assert hidden["actor"] is None, name
        assert hidden["data"] == {
            "vote_id": scene.majority["id"],
            "turnout": 1,
            "results": None,
        }, name
        assert not names(hidden, zephyrine) and not holds_pattern(hidden, scene.grades("zephyrine"))
        # An open vote with live results: who voted, and the public counts (never the ballot).
        assert shown["actor"] == zephyrine.id, name
        assert shown["data"]["results"]["options"][0]["count"] == 2, name
    # Observers never vote, but see live results while the vote is open.
    seen = await ok(await world.observer.get(f"{API}/votes/{live_vote['id']}"))
    assert seen["results"]["options"][0]["count"] == 2
    refused = await world.observer.request(
        "PUT", f"{API}/votes/{live_vote['id']}/ballot", json={"dots": {option: 1}}
    )
    assert refused.status_code == 403, refused.text


# ---------------------------------------------------------------- search, exports, report


async def test_search_finds_the_decision_and_no_ballot(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    await cast_everything(scene)
    closed = await close_both(scene)
    card_ids = {c["decision"]["card_id"] for c in closed}
    bodies = []
    for card_id in card_ids:
        card = await ok(await world.member.get(f"{API}/cards/{card_id}"))
        assert card["kind"] == "decision"
        assert_text_free_of_ballots(card["body"], "decision card")
        assert NAME not in card["body"] and "marc" not in card["body"]
        bodies.append(card["body"])
    assert any("1 d'accord, 1 réserve, 1 objection" in b for b in bodies), bodies
    await app.state.search.indexer.drain()
    for query in ("isolant salle des fêtes", "charte des chantiers", "Crest août"):
        for viewer in (world.animator, world.member, world.observer):
            found = await ok(await viewer.get(f"{API}/search", params={"q": query}))
            for who in scene.voters:
                assert_no_ballot_of(found, who, scene, f"search {query!r}")
            assert_text_free_of_ballots(json.dumps(found, ensure_ascii=False), "search")
            hits = {h.get("card_id", h.get("id")) for h in found["hits"]}
            if query != "Crest août":
                assert hits & card_ids, f"{query!r}: the decision card is found"
            else:
                assert not hits & card_ids, "a reason is not in the decision card"
        outsider = await ok(await world.outsider.get(f"{API}/search", params={"q": query}))
        assert outsider["hits"] == []
        aimed = await world.outsider.get(
            f"{API}/search", params={"q": query, "collective": world.collective_id}
        )
        assert aimed.status_code == 404


def documents(content: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")}


async def test_exports_hold_one_s_own_ballots_and_no_one_else_s(
    world: World, make_client: MakeClient
) -> None:
    """One's export holds one's own ballots (``ballots.json``, anonymous votes included: they
    are one's own data, which only oneself may read); another person's ballot never appears
    in it."""
    scene = await make_scene(world, make_client)
    await cast_everything(scene)
    await close_both(scene)
    for who, client in scene.voters.items():
        response = await client.get(f"{API}/me/export")
        assert response.status_code == 200, response.text
        exported = documents(response.content)
        own = exported["ballots.json"]
        assert {b["title"] for b in own} == {TITLE_MAJORITY, TITLE_CONSENT}
        assert all(b["anonymous"] for b in own)
        consent = next(b for b in own if b["title"] == TITLE_CONSENT)
        assert consent["ballot"]["reason"] == REASONS[who]
        assert holds_pattern(exported, scene.grades(who)), f"{who}'s own grades are missing"
        text = json.dumps(exported, ensure_ascii=False)
        for other, reason in REASONS.items():
            if other == who:
                continue
            assert reason not in text, f"{who}'s export holds {other}'s reason"
            assert not holds_pattern(exported, scene.grades(other)), f"{other}'s grades"


async def test_the_funder_report_lists_decisions_and_no_individual_ballot(
    world: World, make_client: MakeClient
) -> None:
    scene = await make_scene(world, make_client)
    await cast_everything(scene)
    await close_both(scene)
    for viewer in (world.animator, world.observer):
        data = await ok(await viewer.get(url(world, "/report"), params={"format": "json"}))
        titles = {d["title"]: d for d in data["decisions"]}
        assert set(titles) == {TITLE_MAJORITY, TITLE_CONSENT}
        assert titles[TITLE_MAJORITY]["voters"] == 3
        assert titles[TITLE_MAJORITY]["winners"] == ["Chanvre"]
        assert titles[TITLE_CONSENT]["winners"] == [], "an objection: not adopted"
        for who in scene.voters:
            assert_no_ballot_of(data, who, scene, "report json")
        for fmt in ("csv", "html"):
            page = await viewer.get(url(world, "/report"), params={"format": fmt})
            assert page.status_code == 200, page.text
            assert TITLE_MAJORITY in page.text
            assert_text_free_of_ballots(page.text, f"report {fmt}")
        assert_text_free_of_ballots(json.dumps(data, ensure_ascii=False), "report json")
