"""Each kind of notification reaches whom it should, and only them: mentions (in a comment,
a card, an edit — only the newly named), grouped reactions (counted, not named), votes opened
and closed, meetings to come (with their .ics), invitations accepted and flags (animators)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from icalendar import Calendar

from server.domain.notify.dispatch import dispatch
from server.domain.notify.mentions import find_mentions
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.platform import essaim_of
from tests.support.votes import open_vote

API = "/api/v1"
CARD = "« Mutualiser les achats d'isolant »"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def of_kind(client: ApiClient, kind: str) -> list[dict[str, Any]]:
    found = await ok(await client.get(f"{API}/notifications"))
    return [n for n in found["notifications"] if n["kind"] == kind]


def test_mentions_are_found_by_whole_display_names_longest_first() -> None:
    names = {1: "Marie", 2: "Marie Dupont", 3: "Jean-Luc Petit", 4: "Éloïse"}
    assert find_mentions("Merci @Marie Dupont !", names) == {2: "Marie Dupont"}
    assert find_mentions("@marie et @jean-luc petit, vous venez ?", names) == {
        1: "Marie",
        3: "Jean-Luc Petit",
    }
    assert find_mentions("@Éloïse: oui", names) == {4: "Éloïse"}
    assert find_mentions("marie@example.fr ou @Mariette", names) == {}, "no partial names"
    assert find_mentions("Pas de mention ici.", names) == {}


async def test_a_mention_reaches_the_person_named_and_only_once(
    world: World, make_client: MakeClient
) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    card = world.card["id"]
    # Anna mentions Léa in a comment on Marc's card: Léa gets a mention, Marc a comment.
    await ok(
        await world.animator.post(
            f"{API}/cards/{card}/comments", json={"body": "@lea, tu as un fournisseur ?"}
        ),
        201,
    )
    [mention] = await of_kind(lea, "mention")
    assert mention["title"] == f"anna vous a mentionné·e dans un commentaire sur {CARD}"
    assert mention["data"]["url"].startswith(f"/cards/{card}#comment-")
    assert await of_kind(lea, "comment") == []
    assert len(await of_kind(world.member, "comment")) == 1
    # An observer or an outsider named is not told (they cannot see the card).
    await ok(
        await world.animator.post(
            f"{API}/cards/{card}/comments", json={"body": "@olga et @oscar, pour info"}
        ),
        201,
    )
    assert await of_kind(world.observer, "mention") == []
    assert await of_kind(world.outsider, "mention") == []
    # A mention in a new card; editing it tells only whom the edit adds.
    made = await ok(
        await world.member.post(
            f"{API}/boards/{world.board_id}/cards",
            json={"title": "Achat groupé", "body": "Avec @anna"},
        ),
        201,
    )
    [in_card] = await of_kind(world.animator, "mention")
    assert in_card["title"] == "marc vous a mentionné·e dans « Achat groupé »"
    await ok(
        await world.member.patch(
            f"{API}/cards/{made['id']}",
            json={"body": "Avec @anna et @lea", "version": made["version"]},
        )
    )
    assert len(await of_kind(world.animator, "mention")) == 1
    assert len(await of_kind(lea, "mention")) == 2
    # Naming oneself tells nobody.
    await ok(
        await world.member.post(
            f"{API}/cards/{card}/comments", json={"body": "Moi, @marc, je m'en occupe."}
        ),
        201,
    )
    assert await of_kind(world.member, "mention") == []


async def test_reactions_are_grouped_and_counted_not_named(
    world: World, make_client: MakeClient
) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    url = f"{API}/cards/{world.card['id']}/reactions"
    await ok(await world.animator.post(url, json={"kind": "useful"}), 201)
    await ok(await lea.post(url, json={"kind": "useful"}), 201)
    await ok(await world.animator.post(url, json={"kind": "useful"}), 201)  # idempotent
    [grouped] = await of_kind(world.member, "reaction")
    assert grouped["title"] == f"2 personnes ont trouvé votre fiche {CARD} utile"
    assert "anna" not in grouped["title"] and "lea" not in grouped["title"]
    await ok(await lea.post(url, json={"kind": "tried_it"}), 201)
    [mixed] = await of_kind(world.member, "reaction")
    assert mixed["id"] == grouped["id"]
    assert mixed["title"] == f"2 personnes ont réagi à votre fiche {CARD}"
    # Reacting to one's own card tells nobody; reading starts a new group.
    await ok(await world.member.post(f"{API}/notifications/read", json={"all": True}))
    await ok(await world.member.post(url, json={"kind": "useful"}), 201)
    assert [n for n in await of_kind(world.member, "reaction") if n["read_at"] is None] == []


async def test_votes_opened_and_closed_reach_members_not_observers(world: World) -> None:
    vote = await open_vote(world.animator, world, method="majority", budget=1)
    [opened] = await of_kind(world.member, "vote")
    assert opened["title"] == "Nouveau vote : Quelle piste expérimenter ?"
    assert opened["data"]["url"] == f"/v/{vote['id']}"
    assert await of_kind(world.animator, "vote") == [], "not the one who opened it"
    assert await of_kind(world.observer, "vote") == []
    assert await of_kind(world.outsider, "vote") == []
    await ok(await world.animator.post(f"{API}/votes/{vote['id']}/close"))
    titles = [n["title"] for n in await of_kind(world.member, "vote")]
    assert "Vote clos : Quelle piste expérimenter ? — voyez le résultat" in titles


async def test_a_meeting_to_come_is_told_with_its_ics(world: World) -> None:
    essaim = essaim_of(world)
    day = (date.today() + timedelta(days=10)).isoformat()
    meeting = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/meetings",
            json={
                "title": "Atelier achats groupés",
                "kind": "workshop",
                "held_on": day,
                "starts_at": f"{day}T14:00:00+01:00",
                "ends_at": f"{day}T16:00:00+01:00",
                "location": "CMA de Valence",
            },
        ),
        201,
    )
    [told] = await of_kind(world.member, "meeting")
    assert told["title"].startswith("Réunion programmée : Atelier achats groupés, le ")
    assert told["title"].endswith("à 14:00 — CMA de Valence")
    assert len(await of_kind(world.observer, "meeting")) == 1, "observers come to meetings"
    assert await of_kind(world.animator, "meeting") == []
    assert await of_kind(world.outsider, "meeting") == []
    run = await dispatch(essaim)
    [email] = [e for e in run.sent if e.to == "marc@example.fr"]
    [ics] = email.files
    assert ics.name == "reunion.ics" and ics.content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(ics.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Atelier achats groupés (Rénovation Drôme)"
    assert str(event["location"]) == "CMA de Valence"
    assert str(event["uid"]).startswith(f"meeting-{meeting['id']}@")
    # A meeting recorded after it was held tells nobody.
    await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/meetings",
            json={"title": "Bilan", "kind": "workshop", "held_on": "2025-03-12"},
        ),
        201,
    )
    assert len(await of_kind(world.member, "meeting")) == 1


async def test_invitations_accepted_and_flags_reach_the_animators_only(
    world: World, make_client: MakeClient
) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    [joined] = await of_kind(world.animator, "invitation")
    assert joined["title"] == "3 personnes ont rejoint le collectif : marc, olga, lea"
    await ok(await world.animator.post(f"{API}/notifications/read", json={"all": True}))
    sam = await make_client("sam")
    await join(world.animator, sam, world.collective_id, "observer")
    fresh = [n for n in await of_kind(world.animator, "invitation") if n["read_at"] is None]
    assert [n["title"] for n in fresh] == ["sam a rejoint le collectif (observateur·rice)"]
    assert await of_kind(world.member, "invitation") == []
    url = f"{API}/cards/{world.card['id']}/flags"
    await ok(await lea.post(url, json={"reason": "spam"}), 201)
    tom = await make_client("tom")
    await join(world.animator, tom, world.collective_id, "member")
    await ok(await tom.post(url, json={"reason": "off_topic"}), 201)
    [flag] = await of_kind(world.animator, "flag")
    assert flag["title"] == f"2 signalements à examiner sur {CARD}"
    assert "lea" not in flag["title"] and "tom" not in flag["title"]
    for other in (world.member, lea, world.observer, world.outsider):
        assert await of_kind(other, "flag") == []
