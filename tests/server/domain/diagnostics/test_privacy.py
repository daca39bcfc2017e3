"""Who reads a company's diagnostic and plan, through every way out: the API (the diagnostic,
the list, radar, export, actions, suggestions), the event log, ``/ws``, search, the personal
export, the funder report and the digest email.

    viewer                          diagnostic, radar, export, plan   list     events
    animator                        200                              all      no answer
    the diagnosed member            200                              theirs   redacted
    a colleague the animator named  200                              theirs   redacted
    another member (other company)  404                              none     redacted
    observer                        404                              403      redacted
    outsider (another collective)   404                              404      404
    no session                      401                              401      401

A member who later types the company's name in their profile gains nothing: the company's
people are the animator's choice. Diagnostics are never indexed, exported to anyone but the
diagnosed member, or named in a report.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from animation.digest import run_digest
from server.core.models import clock_at
from tests.conftest import ApiClient, MakeClient, World, join
from tests.realtime import conftest as realtime
from tests.realtime.conftest import Connect
from tests.support.collectives import seq, url
from tests.support.diagnostics import API, SCALES, company_member, ok, start
from tests.support.platform import essaim_of
from tests.support.votes import events_since

live, connect = realtime.live, realtime.connect
SECRET = "Sentinelle : trésorerie tendue jusqu'en mars"
ACTION = "Renégocier le prêt sentinelle"
COMPANY = "Granulés & Cie"


async def scene(world: World, make_client: MakeClient) -> dict[str, Any]:
    zephyrine = await company_member(world, make_client, "zephyrine", COMPANY)
    paul = await company_member(world, make_client, "paul", COMPANY)
    diagnostic = await start(world, zephyrine.id)
    # Paul gave the same organisation: suggested to the animator, in the company once named.
    assert paul.id in [u["id"] for u in diagnostic["company_suggestions"]]
    assert [u["id"] for u in diagnostic["company_members"]] == [zephyrine.id]
    named = await ok(
        await world.animator.patch(
            f"{API}/diagnostics/{diagnostic['id']}",
            json={"version": 1, "company_user_ids": [paul.id]},
        )
    )
    assert paul.id not in [u["id"] for u in named["company_suggestions"]]
    answers = {SCALES[0]: 2, "qualite.labels": SECRET}
    saved = await ok(
        await world.animator.patch(
            f"{API}/diagnostics/{diagnostic['id']}", json={"version": 2, "answers": answers}
        )
    )
    action = await ok(
        await zephyrine.post(
            f"{API}/diagnostics/{diagnostic['id']}/actions",
            json={"title": ACTION, "theme_id": "finance"},
        ),
        201,
    )
    return {"zephyrine": zephyrine, "paul": paul, "diagnostic": saved, "action": action}


def leaks(data: Any) -> bool:
    text = json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data
    return SECRET in text or ACTION in text or "sentinelle" in text.lower()


async def test_each_role_reads_the_diagnostic_or_gets_404(
    world: World, make_client: MakeClient
) -> None:
    s = await scene(world, make_client)
    did, aid = s["diagnostic"]["id"], s["action"]["id"]
    assert [m["id"] for m in s["diagnostic"]["company_members"]] == [
        s["zephyrine"].id,
        s["paul"].id,
    ]
    anonymous = await make_client()
    routes = [
        f"{API}/diagnostics/{did}",
        f"{API}/diagnostics/{did}/radar.svg",
        f"{API}/diagnostics/{did}/export?format=json",
        f"{API}/diagnostics/{did}/export?format=html",
        f"{API}/diagnostics/{did}/actions",
        f"{API}/actions/{aid}/suggestions",
    ]
    expected = {
        "anna": 200,
        "zephyrine": 200,
        "paul": 200,
        "marc": 404,
        "olga": 404,
        "oscar": 404,
        "anonymous": 401,
    }
    clients: dict[str, ApiClient] = {
        "anna": world.animator,
        "zephyrine": s["zephyrine"],
        "paul": s["paul"],
        "marc": world.member,
        "olga": world.observer,
        "oscar": world.outsider,
        "anonymous": anonymous,
    }
    for name, client in clients.items():
        for route in routes:
            response = await client.get(route)
            assert response.status_code == expected[name], (name, route, response.text)
            if expected[name] != 200:
                assert not leaks(response.text), (name, route)
        patch = await client.patch(f"{API}/actions/{aid}", json={"version": 1, "status": "doing"})
        assert patch.status_code in {404, 401} or name in {"anna", "zephyrine", "paul"}, name
    listed = {
        name: await client.get(f"{API}/collectives/{world.collective_id}/diagnostics")
        for name, client in clients.items()
    }
    assert len(listed["anna"].json()["diagnostics"]) == 1
    assert len(listed["paul"].json()["diagnostics"]) == 1
    assert listed["marc"].json()["diagnostics"] == []
    assert listed["olga"].status_code == 403 and listed["oscar"].status_code == 404
    assert listed["anonymous"].status_code == 401
    # Marc types the company's name in his profile: still nothing.
    await ok(
        await world.member.patch(
            f"{API}/collectives/{world.collective_id}/members/{world.member.id}",
            json={"organisation": COMPANY},
        )
    )
    assert (await world.member.get(f"{API}/diagnostics/{did}")).status_code == 404


async def test_no_event_tells_that_a_diagnostic_exists(
    world: World, make_client: MakeClient, connect: Connect
) -> None:
    """Diagnostics and plans append nothing to the collective's log: a redacted event would
    still tell members and observers that one was made or finished, and when."""
    sockets = []
    for viewer in (world.animator, world.member, world.observer):
        ws = await connect(viewer)
        await ws.expect("hello")
        await ws.subscribe(world.collective_id)
        sockets.append(ws)
    since = await seq(world)
    s = await scene(world, make_client)
    joined = {s["zephyrine"].id, s["paul"].id}
    for viewer in (world.animator, world.member, world.observer, s["zephyrine"]):
        kinds = [e["kind"] for e in await events_since(viewer, world, since)]
        # Only the two members joining and their profiles: nothing of the diagnostic.
        assert set(kinds) <= {"member.joined", "member.updated"}, kinds
    for ws in sockets:
        received = await ws.events(4)  # the two joins and the two profile edits
        assert {e["kind"] for e in received} <= {"member.joined", "member.updated"}
        assert not leaks(received)
    assert joined
    assert (await world.outsider.get(url(world, "/events"))).status_code == 404


async def test_a_spy_s_organisation_and_a_return_give_nothing(
    world: World, make_client: MakeClient
) -> None:
    spy = await company_member(world, make_client, "espion", "granulés & cie ")  # set in advance
    s = await scene(world, make_client)
    did = s["diagnostic"]["id"]
    assert spy.id not in [u["id"] for u in s["diagnostic"]["company_members"]]
    assert (await spy.get(f"{API}/diagnostics/{did}")).status_code == 404
    seen = await ok(await world.animator.get(f"{API}/diagnostics/{did}"))
    assert [u["id"] for u in seen["company_suggestions"]] == [spy.id], "only suggested"
    # Paul leaves the collective (removed), then comes back: he is no longer in the company.
    removed = await world.animator.request(
        "DELETE", f"{API}/collectives/{world.collective_id}/members/{s['paul'].id}"
    )
    assert removed.status_code in (200, 204), removed.text
    await join(world.animator, s["paul"], world.collective_id, "member")
    assert (await s["paul"].get(f"{API}/diagnostics/{did}")).status_code == 404
    # An action he owned is nobody's now.
    actions = await ok(await world.animator.get(f"{API}/diagnostics/{did}/actions"))
    assert all(a["owner"] is None or a["owner"]["id"] != s["paul"].id for a in actions["actions"])


async def test_search_exports_report_and_digest_keep_it(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    with clock_at(datetime.now(UTC) - timedelta(days=10)):  # Marc is idle: he gets a digest
        await ok(await world.member.post(url(world, "/visits"), json={}), 204)
    s = await scene(world, make_client)
    await app.state.search.indexer.drain()
    for viewer in (world.animator, world.member, world.observer, s["zephyrine"]):
        for query in ("trésorerie tendue", "renégocier prêt"):
            found = await ok(await viewer.get(f"{API}/search", params={"q": query}))
            assert found["hits"] == [] and not leaks(found)

    def documents(content: bytes) -> dict[str, Any]:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {
                n: json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")
            }

    hers = documents((await s["zephyrine"].get(f"{API}/me/export")).content)
    [mine] = hers["diagnostics.json"]
    assert mine["answers"]["qualite.labels"] == SECRET and mine["actions"][0]["title"] == ACTION
    for other in (world.member, s["paul"], world.animator):
        theirs = documents((await other.get(f"{API}/me/export")).content)
        assert theirs["diagnostics.json"] == [] and not leaks(theirs)
    for viewer in (world.animator, world.observer):
        for fmt in ("json", "csv", "html"):
            page = await viewer.get(url(world, "/report"), params={"format": fmt})
            assert page.status_code == 200 and not leaks(page.text), fmt
    essaim = essaim_of(world)
    await run_digest(essaim)
    assert essaim.mailer.sent, "the digest went out"
    assert not any(leaks(m.text) for m in essaim.mailer.sent)
