"""Alerts and their thresholds over HTTP, on SQLite and PostgreSQL: each rule raised from
backdated activity through the real write path, described with its evidence and actions,
stable ids, self-resolution, thresholds per collective, permissions and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.core.models import clock_at
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.collectives import seq, url


def ago(days: float = 0, hours: float = 0) -> datetime:
    return datetime.now(UTC) - timedelta(days=days, hours=hours)


async def alerts(world: World) -> list[dict[str, Any]]:
    response = await world.animator.get(url(world, "/alerts"))
    assert response.status_code == 200, response.text
    return list(response.json()["alerts"])


async def newcomer(world: World, make_client: MakeClient, name: str) -> ApiClient:
    client = await make_client(name)
    await join(world.animator, client, world.collective_id, "member")
    return client


async def post_at(client: ApiClient, board_id: int, title: str, when: datetime) -> int:
    with clock_at(when):
        response = await client.post(f"/api/v1/boards/{board_id}/cards", json={"title": title})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_newcomers_unanswered_first_post_raises_an_alert_that_resolves_itself(
    world: World, make_client: MakeClient
) -> None:
    assert await alerts(world) == []  # the world's card was posted just now
    lea = await newcomer(world, make_client, "lea")
    card_id = await post_at(lea, world.board_id, "Qui connaît un bon fournisseur ?", ago(hours=30))
    found = [a for a in await alerts(world) if a["rule"] == "newcomer_unanswered"]
    assert len(found) == 1
    alert = found[0]
    assert alert["id"] == f"newcomer_unanswered:card:{card_id}"
    assert alert["user"] == {"id": lea.id, "display_name": "lea"}
    assert alert["card"] == {
        "id": card_id,
        "title": "Qui connaît un bon fournisseur ?",
        "board_id": world.board_id,
    }
    assert alert["board"] == {"id": world.board_id, "name": "Idées"}
    assert alert["actions"] == ["welcome", "pin"]
    assert alert["evidence"]["threshold_hours"] == 24.0
    assert 29.9 <= alert["evidence"]["hours_waiting"] <= 30.1
    assert "lea" in alert["summary_fr"] and "sans réponse" in alert["summary_fr"]
    assert datetime.fromisoformat(alert["since"]) < datetime.now(UTC)
    assert [a["id"] for a in await alerts(world)] == [alert["id"]], "ids are stable"

    answer = await world.member.post(f"/api/v1/cards/{card_id}/comments", json={"body": "Oui !"})
    assert answer.status_code == 201
    assert await alerts(world) == []


async def test_post_unanswered_board_stalled_and_concentration(
    world: World, make_client: MakeClient
) -> None:
    lea = await newcomer(world, make_client, "lea")
    first = await post_at(lea, world.board_id, "Ma première fiche", ago(days=10))
    with clock_at(ago(days=9)):
        await world.animator.post(f"/api/v1/cards/{first}/comments", json={"body": "Bienvenue"})
    second = await post_at(lea, world.board_id, "Une autre question", ago(days=3))
    with clock_at(ago(days=20)):
        stalled = await world.animator.post(
            url(world, "/boards"), json={"name": "Pratiques", "kind": "practices"}
        )
    by_rule = {a["rule"]: a for a in await alerts(world)}
    assert set(by_rule) == {"post_unanswered", "board_stalled"}
    assert by_rule["post_unanswered"]["card"]["id"] == second
    assert by_rule["post_unanswered"]["actions"] == ["pin", "nudge"]
    board_alert = by_rule["board_stalled"]
    assert board_alert["board"] == {"id": stalled.json()["id"], "name": "Pratiques"}
    assert (board_alert["user"], board_alert["card"], board_alert["actions"]) == (
        None,
        None,
        ["prompt"],
    )
    assert "Pratiques" in board_alert["summary_fr"]

    for n in range(10):
        await world.member.post(f"/api/v1/boards/{world.board_id}/cards", json={"title": f"N{n}"})
    concentrated = [a for a in await alerts(world) if a["rule"] == "concentration"]
    assert len(concentrated) == 1
    assert concentrated[0]["user"] == {"id": world.member.id, "display_name": "marc"}
    assert concentrated[0]["evidence"]["contributions"] == 11
    assert concentrated[0]["actions"] == ["prompt", "nudge"]


async def test_a_member_silent_against_their_habit(world: World, make_client: MakeClient) -> None:
    sophie = await newcomer(world, make_client, "sophie")
    for n, days_ago in enumerate(range(100, 39, -5)):
        card = await post_at(sophie, world.board_id, f"Fiche {n}", ago(days=days_ago))
        with clock_at(ago(days=days_ago - 0.5)):
            await world.member.post(f"/api/v1/cards/{card}/comments", json={"body": "Merci"})
    silent = [a for a in await alerts(world) if a["rule"] == "member_silent"]
    assert [a["id"] for a in silent] == [f"member_silent:member:{sophie.id}"]
    assert silent[0]["user"]["display_name"] == "sophie"
    assert silent[0]["evidence"]["usual_gap_days"] == 5.0
    assert silent[0]["actions"] == ["nudge"]
    assert "sophie" in silent[0]["summary_fr"]
    assert (silent[0]["last_nudge_at"], silent[0]["next_nudge_at"]) == (None, None)
    # Nudged a day ago: the alert says so, and when the next nudge will be accepted.
    with clock_at(ago(days=1)):
        nudge = await world.animator.post(url(world, "/nudges"), json={"user_id": sophie.id})
    assert nudge.status_code == 201, nudge.text
    (nudged,) = [a for a in await alerts(world) if a["rule"] == "member_silent"]
    last = datetime.fromisoformat(nudged["last_nudge_at"])
    assert abs(last - ago(days=1)) < timedelta(minutes=1)
    assert datetime.fromisoformat(nudged["next_nudge_at"]) == last + timedelta(days=3)
    await sophie.post(f"/api/v1/cards/{world.card['id']}/reactions", json={"kind": "useful"})
    assert [a for a in await alerts(world) if a["rule"] == "member_silent"] == []


async def test_hidden_cards_raise_no_alert(world: World, make_client: MakeClient) -> None:
    lea = await newcomer(world, make_client, "lea")
    card_id = await post_at(lea, world.board_id, "Pas pour tout le monde", ago(days=2))
    assert len(await alerts(world)) == 1
    hidden = await world.animator.patch(
        f"/api/v1/cards/{card_id}", json={"version": 1, "moderation": "hidden"}
    )
    assert hidden.status_code == 200
    assert await alerts(world) == []


async def test_alerts_are_for_animators_only(world: World) -> None:
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        for path in ("/alerts", "/alert-thresholds"):
            response = await client.get(url(world, path))
            assert response.status_code == status, (path, response.text)
            assert "Rénovation" not in response.text
        put = await client.request(
            "PUT", url(world, "/alert-thresholds"), json={"post_unanswered_hours": 72}
        )
        assert put.status_code == status


async def test_thresholds_are_stored_per_collective_and_change_the_alerts(
    world: World, make_client: MakeClient
) -> None:
    defaults = await world.animator.get(url(world, "/alert-thresholds"))
    assert defaults.status_code == 200
    body = defaults.json()
    assert body["thresholds"] == body["defaults"]
    assert body["thresholds"]["newcomer_unanswered_hours"] == 24.0
    assert body["thresholds"]["post_unanswered_hours"] == 48.0
    assert body["thresholds"]["silence_min_days"] == 14.0
    assert body["thresholds"]["board_stalled_days"] == 14.0
    assert body["thresholds"]["concentration_share"] == 0.5

    lea = await newcomer(world, make_client, "lea")
    await post_at(lea, world.board_id, "Attente", ago(hours=30))
    assert len(await alerts(world)) == 1
    before = await seq(world)
    put = await world.animator.request(
        "PUT", url(world, "/alert-thresholds"), json={"newcomer_unanswered_hours": 36}
    )
    assert put.status_code == 200, put.text
    assert put.json()["thresholds"]["newcomer_unanswered_hours"] == 36.0
    assert put.json()["thresholds"]["post_unanswered_hours"] == 48.0
    assert await seq(world) == before + 1, "a threshold change is an event"
    listed = await world.animator.get(url(world, "/alerts"))
    assert listed.json()["alerts"] == []
    assert listed.json()["thresholds"]["newcomer_unanswered_hours"] == 36.0
    # Another collective keeps the defaults.
    other = await world.outsider.get(
        f"/api/v1/collectives/{world.collective_id + 1}/alert-thresholds"
    )
    assert other.json()["thresholds"]["newcomer_unanswered_hours"] == 24.0
    # PUT replaces: what is left out goes back to its default.
    reset = await world.animator.request("PUT", url(world, "/alert-thresholds"), json={})
    assert reset.json()["thresholds"] == reset.json()["defaults"]
    assert len(await alerts(world)) == 1


async def test_every_threshold_read_can_be_written_back(world: World) -> None:
    """The browser sends back the whole set it read, the rhythm rule's thresholds included."""
    read = (await world.animator.get(url(world, "/alert-thresholds"))).json()["thresholds"]
    assert read["rhythm_alpha"] > 0
    edited = {**read, "rhythm_alpha": 0.0, "silence_min_days": 21}
    put = await world.animator.request("PUT", url(world, "/alert-thresholds"), json=edited)
    assert put.status_code == 200, put.text
    assert put.json()["thresholds"] == {**read, "rhythm_alpha": 0.0, "silence_min_days": 21.0}
    refused = await world.animator.request(
        "PUT", url(world, "/alert-thresholds"), json={"rhythm_alpha": 0.5}
    )
    assert refused.status_code == 422 and "rhythm_alpha" in refused.json()["error"]["fields"]


async def test_bad_thresholds_are_refused_and_change_nothing(world: World) -> None:
    await world.animator.request(
        "PUT", url(world, "/alert-thresholds"), json={"board_stalled_days": 21}
    )
    before = await seq(world)
    for body in (
        {"post_unanswered_hours": 0},
        {"post_unanswered_hours": 100_000},
        {"concentration_share": 1.5},
        {"concentration_share": 0},
        {"silence_gap_multiple": "2"},
        {"concentration_min_contributions": 2.5},
        {"board_stalled_days": None, "unknown": 3},
        [1, 2],
    ):
        response = await world.animator.request("PUT", url(world, "/alert-thresholds"), json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["fields"], body
    assert await seq(world) == before
    kept = await world.animator.get(url(world, "/alert-thresholds"))
    assert kept.json()["thresholds"]["board_stalled_days"] == 21.0
