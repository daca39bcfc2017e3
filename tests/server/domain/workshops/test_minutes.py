"""A workshop's minutes: what it produced, in French Markdown and as a printable page, with
names for members and animators only; a title typed with HTML or Markdown stays literal."""

from __future__ import annotations

from tests.conftest import World
from tests.support.votes import open_vote, option_ids, put_ballot
from tests.support.workshops import API, act, ok, post_card, start

TRAP = "<script>alert(1)</script> *gras* [lien](https://x.fr)"


async def ended_workshop(world: World) -> dict[str, object]:
    workshop = await start(world.animator, world.board_id, title="Atelier chanvre")
    wid = workshop["id"]
    await ok(await act(world.member, wid, "join"))
    await ok(await act(world.animator, wid, "join"))
    hidden = await ok(await post_card(world.member, world.board_id, "Stock commun de chanvre"), 201)
    await ok(await act(world.animator, wid, "step", index=1))
    named = await ok(await post_card(world.animator, world.board_id, TRAP), 201)
    await ok(await act(world.animator, wid, "step", index=2))
    vote = await open_vote(
        world.animator,
        world,
        title="Que tester d'abord ?",
        method="dot",
        card_ids=[hidden["id"], named["id"]],
        board_id=world.board_id,
    )
    await ok(await put_ballot(world.member, vote["id"], {"dots": {str(option_ids(vote)[0]): 3}}))
    await ok(await world.animator.post(f"{API}/votes/{vote['id']}/close"))
    await ok(await act(world.animator, wid, "end"))
    await ok(
        await world.animator.request(
            "PUT", f"{API}/workshops/{wid}/attendance", json={"user_ids": [world.member.id]}
        )
    )
    return workshop


async def test_the_markdown_minutes_say_what_the_workshop_produced(world: World) -> None:
    workshop = await ended_workshop(world)
    response = await world.member.get(
        f"{API}/workshops/{workshop['id']}/minutes", params={"format": "markdown"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    assert "attachment" in response.headers["content-disposition"]
    text = response.text
    assert text.startswith("# Compte rendu — Atelier chanvre\n")
    assert "**Méthode :** Brainstorming" in text
    assert "1. Divergence (10 min)\n2. Regroupement (10 min)\n3. Vote par gommettes (5 min)" in text
    assert "2 personnes ont rejoint l'atelier." in text
    assert "- anna\n- marc" in text
    assert "Présence confirmée par l'animation : marc." in text
    assert "Stock commun de chanvre](/cards/" in text and "— idée, marc" in text, "revealed"
    assert "— idée, anna" in text
    assert "\\<script\\>" in text, "a title's HTML is escaped as text"
    assert "### Que tester d'abord ?" in text
    assert "vote par points, clos, 1 votant·e." in text
    assert "Stock commun de chanvre : 3 points **(retenue)**" in text
    assert "## Décisions" in text and "/cards/" in text.split("## Décisions")[1]


async def test_the_printable_minutes_are_a_self_contained_page(world: World) -> None:
    workshop = await ended_workshop(world)
    response = await world.animator.get(f"{API}/workshops/{workshop['id']}/minutes")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert page.startswith("<!doctype html>") and '<html lang="fr">' in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<h1>Compte rendu — Atelier chanvre</h1>" in page
    assert 'href="http://' in page, "links to cards are absolute, for a printed or mailed copy"
    assert "@media print" in page


async def test_observers_get_the_minutes_without_names_and_bad_formats_are_refused(
    world: World,
) -> None:
    workshop = await ended_workshop(world)
    path = f"{API}/workshops/{workshop['id']}/minutes"
    seen = await world.observer.get(path, params={"format": "markdown"})
    assert seen.status_code == 200
    assert "2 personnes ont rejoint" in seen.text
    assert "- marc" not in seen.text and "Présence confirmée : 1 personnes." in seen.text
    bad = await world.member.get(path, params={"format": "pdf"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {
        "format": "html or markdown"
    }
    assert (await world.outsider.get(path)).status_code == 404
