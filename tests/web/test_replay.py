"""Replaying the event log with the browser's own reducers gives what a fresh fetch gives
(Zulip's ``verify_action``).

A snapshot of what the pages load (a board, its cards' pages, the collective's home) is taken
as an animator and as a member; then one action of each event kind goes through the API, and
after each one the events since the previous step are fetched as each viewer and applied, in
Chromium, by ``web/static/js/state.js`` as served to the pages. The state reached from the old
snapshot must equal a fresh fetch, step after step. Event kinds come from the registry that
``Write.emit`` enforces (server/events/kinds.py): a new kind without a scenario here,
and without a reason to leave the pages' state alone, fails the test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from server.events.kinds import EVENT_KINDS
from tests.conftest import ApiClient, join
from tests.web.conftest import Site, logged_in

pytestmark = pytest.mark.browser
API = "/api/v1"

# Kinds that change nothing the board, card or collective pages hold, and why.
NOT_IN_SNAPSHOTS = {
    "collective.created": "the first event of a collective: no snapshot of it can be older",
    "flag.created": "the review queue lives on the animation page; the pages' state has no flags",
    "flag.resolved": "idem; what a resolution changes comes as card.hidden or comment.hidden",
    "meeting.created": "meetings are shown on the animation page only",
    "meeting.updated": "idem",
    "meeting.deleted": "idem",
    "meeting.attendance_updated": "idem",
    "nudge.sent": "restricted animation data (notifications are fetched, not replayed)",
    "welcome.sent": "idem; a welcome's comment comes as comment.created",
    "nudge.template_updated": "an animation setting, not shown on these pages",
    "alerts.thresholds_updated": "an animation setting, not shown on these pages",
    "vote.opened": "votes have no place in these pages' state yet (their screens come later)",
    "ballot.cast": "idem",
    "vote.closed": "idem; its decision card comes as card.created",
    "decision.created": "idem; the decision card itself comes as card.created",
    "workshop.started": "the workshop bar (workshop.js) holds the workshop, not these pages'"
    " state: each event carries the whole workshop, which replaces what the bar had",
    "workshop.updated": "idem",
    "workshop.ended": "idem",
}

REPLAY = """async ({ state, events, viewer }) => {
  const m = await import("/static/js/state.js");
  let { board, home, cards } = state;
  cards = { ...cards };
  for (const event of events) {
    board = m.applyBoard(board, event, viewer);
    home = m.applyCollective(home, event, viewer);
    for (const id of Object.keys(cards)) cards[id] = m.applyCard(cards[id], event, viewer);
  }
  return { board, home, cards };
}"""


@dataclass
class Viewer:
    name: str
    client: ApiClient
    animator: bool
    state: dict[str, Any]
    seq: int

    @property
    def js(self) -> dict[str, Any]:
        return {"id": self.client.id, "animator": self.animator}


@dataclass
class World:
    anna: ApiClient
    marc: ApiClient
    nina: ApiClient
    cid: int
    board: int
    columns: list[int]
    cards: list[int]  # the cards whose page is tracked, all present at the snapshot
    ids: dict[str, Any]


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code in (status, 200, 201, 204), response.text
    return response.json() if response.status_code != 204 else None


async def fetch(world: World, client: ApiClient) -> dict[str, Any]:
    """What the pages would load now, as ``client``."""
    cid = world.cid
    board = await ok(await client.get(f"{API}/boards/{world.board}"))
    cards: dict[str, Any] = {}
    for card_id in world.cards:
        answer = await client.get(f"{API}/cards/{card_id}")
        assert answer.status_code in (200, 404, 410), answer.text
        if answer.status_code == 410:  # merged into another card: its page is that card's now
            into = answer.json()["error"]["merged_into_id"]
            cards[str(card_id)] = {"id": card_id, "gone": "merged", "merged_into_id": into}
        else:
            cards[str(card_id)] = answer.json() if answer.status_code == 200 else None
    home = {
        "collective": await ok(await client.get(f"{API}/collectives/{cid}")),
        "boards": (await ok(await client.get(f"{API}/collectives/{cid}/boards")))["boards"],
        "phases": (await ok(await client.get(f"{API}/collectives/{cid}/phases")))["phases"],
        "members": (await ok(await client.get(f"{API}/collectives/{cid}/members")))["members"],
    }
    return {"board": board, "home": home, "cards": cards}


def normalised(state: dict[str, Any]) -> dict[str, Any]:
    """The seqs are the feed's business; member lists are sorted by name with the database's
    collation, which the page does not mimic: compare them by id. A card's page neither shows
    nor uses the card's position, which moves when other cards come and go: the board holds
    positions, and is compared with them."""
    board = {k: v for k, v in state["board"].items() if k != "seq"}
    home = dict(state["home"])
    home["collective"] = {k: v for k, v in home["collective"].items() if k != "seq"}
    home["members"] = sorted(home["members"], key=lambda m: m["user"]["id"])
    cards = {
        key: None
        if card is None or "gone" in card
        else {k: v for k, v in card.items() if k != "position"}
        for key, card in state["cards"].items()
    }
    return {"board": board, "home": home, "cards": cards}


def differences(replayed: Any, fresh: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as readable paths (for the failure message)."""
    if isinstance(replayed, dict) and isinstance(fresh, dict):
        out = []
        for key in sorted(set(replayed) | set(fresh), key=str):
            out += differences(
                replayed.get(key, "<missing>"), fresh.get(key, "<missing>"), f"{path}.{key}"
            )
        return out
    if isinstance(replayed, list) and isinstance(fresh, list) and len(replayed) == len(fresh):
        return [
            d
            for i, (a, b) in enumerate(zip(replayed, fresh, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    return [] if replayed == fresh else [f"{path}: replayed {replayed!r}, fresh {fresh!r}"]


async def events_since(client: ApiClient, cid: int, since: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        page = await ok(await client.get(f"{API}/collectives/{cid}/events?since={since}&limit=500"))
        events += page["events"]
        since = page["next_since"]
        if not page["more"]:
            return events


Step = Callable[[World], Awaitable[None]]


async def edit_collective(w: World) -> None:
    await ok(await w.anna.patch(f"{API}/collectives/{w.cid}", json={"description": "Relancée"}))


async def add_phase(w: World) -> None:
    phase = await ok(
        await w.anna.post(
            f"{API}/collectives/{w.cid}/phases",
            json={
                "name": "Diagnostic",
                "kind": "individual",
                "starts_on": "2026-03-01",
                "ends_on": "2026-04-30",
            },
        )
    )
    w.ids["phase"] = phase["id"]


async def edit_phase(w: World) -> None:
    await ok(await w.anna.patch(f"{API}/phases/{w.ids['phase']}", json={"name": "Diagnostics"}))


async def add_board(w: World) -> None:
    body = {"name": "Pratiques", "kind": "practices", "phase_id": w.ids["phase"]}
    await ok(await w.anna.post(f"{API}/collectives/{w.cid}/boards", json=body))


async def edit_board(w: World) -> None:
    body = {"name": "Idées à creuser", "description": "Tout ce qui germe", "phase_id": None}
    body["phase_id"] = w.ids["phase"]
    await ok(await w.anna.patch(f"{API}/boards/{w.board}", json=body))


async def add_column(w: World) -> None:
    column = await ok(
        await w.anna.post(f"{API}/boards/{w.board}/columns", json={"name": "Tri", "position": 0})
    )
    w.ids["column"] = column["id"]


async def edit_column(w: World) -> None:
    body = {"name": "À trier", "position": 2}
    await ok(await w.anna.patch(f"{API}/columns/{w.ids['column']}", json=body))


async def delete_column(w: World) -> None:
    await ok(await w.anna.delete(f"{API}/columns/{w.ids['column']}"))


async def add_cards(w: World) -> None:
    for title, position in (("Nouvelle idée", 0), ("Encore une", 1)):
        body = {"title": title, "column_id": w.columns[0], "position": position}
        created = await ok(await w.marc.post(f"{API}/boards/{w.board}/cards", json=body))
        w.ids.setdefault("new_cards", []).append(created)


async def edit_card(w: World) -> None:
    card = await ok(await w.marc.get(f"{API}/cards/{w.cards[0]}"))
    body = {"version": card["version"], "title": "Mutualiser la caméra", "tags": ["outil"]}
    await ok(await w.marc.patch(f"{API}/cards/{card['id']}", json=body))


async def move_card(w: World) -> None:
    card = await ok(await w.marc.get(f"{API}/cards/{w.cards[0]}"))
    body = {"version": card["version"], "column_id": w.columns[1], "position": 0}
    await ok(await w.marc.patch(f"{API}/cards/{card['id']}", json=body))


async def pin_and_unpin(w: World) -> None:
    for card_id, pinned in ((w.cards[1], True), (w.cards[2], True), (w.cards[2], False)):
        card = await ok(await w.anna.get(f"{API}/cards/{card_id}"))
        body = {"version": card["version"], "pinned": pinned}
        await ok(await w.anna.patch(f"{API}/cards/{card_id}", json=body))


async def comment(w: World) -> None:
    for text in ("Je prends !", "Moi aussi", "Et moi"):
        posted = await ok(
            await w.marc.post(f"{API}/cards/{w.cards[0]}/comments", json={"body": text})
        )
        w.ids.setdefault("comments", []).append(posted)


async def edit_comment(w: World) -> None:
    first = w.ids["comments"][0]
    body = {"body": "Je prends, **vraiment**", "updated_at": first["updated_at"]}
    await ok(await w.marc.patch(f"{API}/comments/{first['id']}", json=body))


async def hide_and_restore_comment(w: World) -> None:
    first, second = w.ids["comments"][0]["id"], w.ids["comments"][1]["id"]
    await ok(await w.anna.patch(f"{API}/comments/{first}", json={"moderation": "hidden"}))
    await ok(await w.anna.patch(f"{API}/comments/{second}", json={"moderation": "hidden"}))
    await ok(await w.anna.patch(f"{API}/comments/{first}", json={"moderation": "published"}))


async def flag_and_hide_comment(w: World) -> None:
    third = w.ids["comments"][2]["id"]
    flag = await ok(
        await w.nina.post(f"{API}/comments/{third}/flags", json={"reason": "off_topic"})
    )
    await ok(await w.anna.post(f"{API}/flags/{flag['id']}/resolve", json={"outcome": "hidden"}))


async def delete_comment(w: World) -> None:
    await ok(await w.marc.delete(f"{API}/comments/{w.ids['comments'][0]['id']}"))


async def react(w: World) -> None:
    for client in (w.marc, w.anna):
        await ok(await client.post(f"{API}/cards/{w.cards[1]}/reactions", json={"kind": "useful"}))
    await ok(await w.anna.delete(f"{API}/cards/{w.cards[1]}/reactions/useful"))


async def attach(w: World) -> None:
    files = {"file": ("devis.txt", b"Devis camera thermique\n", "text/plain")}
    await ok(await w.marc.post(f"{API}/cards/{w.cards[1]}/attachments", files=files))


async def hide_and_restore_card(w: World) -> None:
    for card_id, moderation in (
        (w.cards[2], "hidden"),
        (w.cards[3], "hidden"),
        (w.cards[2], "published"),
    ):
        card = await ok(await w.anna.get(f"{API}/cards/{card_id}"))
        body = {"version": card["version"], "moderation": moderation}
        await ok(await w.anna.patch(f"{API}/cards/{card_id}", json=body))


async def flag_and_hide_card(w: World) -> None:
    flag = await ok(await w.nina.post(f"{API}/cards/{w.cards[4]}/flags", json={"reason": "spam"}))
    await ok(await w.anna.post(f"{API}/flags/{flag['id']}/resolve", json={"outcome": "hidden"}))


async def delete_card(w: World) -> None:
    await ok(await w.marc.delete(f"{API}/cards/{w.cards[5]}"))


async def merge_card(w: World) -> None:
    # The duplicate brings nothing the kept card's page lists (comments, files, one's own
    # reactions): no event carries those, and a member's log has the merge redacted (the
    # duplicate is no longer published), so only a fetch would show them.
    answer = await w.anna.post(f"{API}/cards/{w.cards[1]}/merge", json={"card_id": w.cards[2]})
    w.ids["merge"] = await ok(answer, 201)


async def undo_merge(w: World) -> None:
    await ok(await w.anna.post(f"{API}/merges/{w.ids['merge']['id']}/undo"))


async def member_profile(w: World) -> None:
    body = {"organisation": "Menuiserie Nina", "trade": "menuisière"}
    await ok(await w.nina.patch(f"{API}/collectives/{w.cid}/members/{w.nina.id}", json=body))


async def rename_marc(w: World) -> None:
    await ok(await w.marc.patch(f"{API}/me", json={"display_name": "Marc Isolation"}))


async def remove_nina(w: World) -> None:
    await ok(await w.anna.delete(f"{API}/collectives/{w.cid}/members/{w.nina.id}"))


async def join_olga(w: World) -> None:
    await join(w.anna, w.ids["olga"], w.cid, "observer")


async def delete_phase(w: World) -> None:
    await ok(await w.anna.delete(f"{API}/phases/{w.ids['phase']}"))


# (what it does, the kinds it must emit, the action), in an order where each has its object.
SCENARIOS: list[tuple[str, set[str], Step]] = [
    ("edit the collective", {"collective.updated"}, edit_collective),
    ("add a phase", {"phase.created"}, add_phase),
    ("edit the phase", {"phase.updated"}, edit_phase),
    ("add a board in the phase", {"board.created"}, add_board),
    ("rename the board, put it in the phase", {"board.updated"}, edit_board),
    ("add a column first", {"column.created"}, add_column),
    ("rename and move the column", {"column.updated"}, edit_column),
    ("delete the column", {"column.deleted"}, delete_column),
    ("publish two cards", {"card.created"}, add_cards),
    ("edit a card", {"card.updated"}, edit_card),
    ("move a card", {"card.moved"}, move_card),
    ("pin and unpin", {"card.pinned", "card.unpinned"}, pin_and_unpin),
    ("comment", {"comment.created"}, comment),
    ("edit a comment", {"comment.updated"}, edit_comment),
    ("hide and restore comments", {"comment.hidden", "comment.restored"}, hide_and_restore_comment),
    (
        "hide a flagged comment",
        {"flag.created", "flag.resolved", "comment.hidden"},
        flag_and_hide_comment,
    ),
    ("delete a comment", {"comment.deleted"}, delete_comment),
    ("react and take it back", {"reaction.added", "reaction.removed"}, react),
    ("attach a file", {"attachment.added"}, attach),
    ("hide and restore cards", {"card.hidden", "card.restored"}, hide_and_restore_card),
    ("hide a flagged card", {"flag.created", "flag.resolved", "card.hidden"}, flag_and_hide_card),
    ("delete a card", {"card.deleted"}, delete_card),
    ("merge a duplicate into another card", {"card.merged", "card.updated"}, merge_card),
    ("undo the merge", {"card.unmerged", "card.updated"}, undo_merge),
    ("a member edits their profile here", {"member.updated"}, member_profile),
    ("a member changes their display name", {"member.updated"}, rename_marc),
    ("remove a member", {"member.removed"}, remove_nina),
    ("an observer joins", {"member.joined"}, join_olga),
    ("delete the phase", {"phase.deleted"}, delete_phase),
]


def test_every_event_kind_has_a_replay_scenario_or_a_reason() -> None:
    scenario_kinds = set().union(*(kinds for _, kinds, _ in SCENARIOS))
    missing = set(EVENT_KINDS) - scenario_kinds - set(NOT_IN_SNAPSHOTS)
    assert not missing, f"event kinds without a replay scenario nor a reason: {sorted(missing)}"
    unknown = (scenario_kinds | set(NOT_IN_SNAPSHOTS)) - set(EVENT_KINDS)
    assert not unknown, f"scenarios for kinds that are not registered: {sorted(unknown)}"


async def setup(site: Site) -> World:
    anna = await site.client("anna-replay")
    marc = await site.client("marc-replay")
    nina = await site.client("nina-replay")
    created = await ok(await anna.post(f"{API}/collectives", json={"name": "Replay"}))
    cid = created["id"]
    await join(anna, marc, cid, "member")
    await join(anna, nina, cid, "member")
    board = await ok(
        await anna.post(f"{API}/collectives/{cid}/boards", json={"name": "Idées", "kind": "ideas"})
    )
    columns = [c["id"] for c in board["columns"]]
    cards = []
    for index, title in enumerate(("Caméra", "Isolant", "Toiture", "Chantier", "Bois", "Vrac")):
        body = {"title": title, "body": f"Texte {index}", "column_id": columns[index % 2]}
        cards.append(
            (await ok(await marc.post(f"{API}/boards/{board['id']}/cards", json=body)))["id"]
        )
    return World(
        anna,
        marc,
        nina,
        cid,
        board["id"],
        columns,
        cards,
        {"olga": await site.client("olga-replay")},
    )


async def test_replaying_events_with_the_pages_reducers_equals_a_fresh_fetch(
    browser: Any, site: Site
) -> None:
    world = await setup(site)
    _, page, errors = await logged_in(browser, site, "anna-replay")
    await page.goto("/")
    viewers = []
    for name, client, animator in (("animator", world.anna, True), ("member", world.marc, False)):
        seq = (await ok(await client.get(f"{API}/collectives/{world.cid}")))["seq"]
        viewers.append(Viewer(name, client, animator, await fetch(world, client), seq))

    seen: set[str] = set()
    for what, kinds, action in SCENARIOS:
        await action(world)
        for viewer in viewers:
            events = await events_since(viewer.client, world.cid, viewer.seq)
            if viewer.animator:
                emitted = {e["kind"] for e in events}
                assert kinds <= emitted, f"{what}: expected {kinds}, the log has {emitted}"
                seen |= emitted
            viewer.seq = max([viewer.seq, *(e["seq"] for e in events)])
            viewer.state = await page.evaluate(
                REPLAY, {"state": viewer.state, "events": events, "viewer": viewer.js}
            )
            fresh = await fetch(world, viewer.client)
            for key, card in viewer.state["cards"].items():
                if card and card.get("reload"):
                    # A hidden card published again, or the card a duplicate went into: the
                    # page fetches it (state.js says why).
                    assert (not viewer.animator and "card.restored" in kinds) or (
                        "card.merged" in kinds
                    ), (what, viewer.name)
                    viewer.state["cards"][key] = fresh["cards"][key]
            replayed, expected_state = normalised(viewer.state), normalised(fresh)
            assert replayed == expected_state, (
                f"after « {what} », replaying as the {viewer.name} differs from a fresh fetch: "
                + "; ".join(differences(replayed, expected_state)[:8])
            )
        # A merged card's page went to the card kept (the page itself, not a state): no longer
        # tracked, even once the merge is undone.
        left = {
            key
            for viewer in viewers
            for key, card in viewer.state["cards"].items()
            if card and card.get("gone") == "merged"
        }
        for viewer in viewers:
            for key in left:
                viewer.state["cards"].pop(key, None)
        world.cards = [c for c in world.cards if str(c) not in left]
    expected = set(EVENT_KINDS) - set(NOT_IN_SNAPSHOTS)
    assert expected <= seen, f"kinds never exercised: {sorted(expected - seen)}"
    assert errors == []
