"""Pages over HTTP: login redirects, the same permissions as the API (404 for another
collective's board), security headers, languages, and safe ``next`` redirects."""

from __future__ import annotations

import re

import pytest

from tests.conftest import MakeClient, World
from tests.support.diagnostics import answer, company_member, start
from tests.support.pages import page_data


async def test_pages_need_a_session_and_come_back_after_login(make_client: MakeClient) -> None:
    anonymous = await make_client()
    paths = ("/", "/c/1", "/b/1", "/cards/1", "/w/1", "/search?q=isolant", "/profile")
    for path in (*paths, "/c/1/diagnostics", "/c/1/needs", "/d/1"):
        response = await anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/")
    login = await anonymous.get("/login?next=/c/1")
    assert login.status_code == 200
    assert page_data(login.text) == {"next": "/c/1"}


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
async def test_next_never_leaves_the_site(make_client: MakeClient, target: str) -> None:
    anonymous = await make_client()
    response = await anonymous.get("/login", params={"next": target})
    assert page_data(response.text) == {"next": "/"}


async def test_a_member_sees_their_board_and_not_anyone_elses(world: World) -> None:
    own = await world.member.get(f"/b/{world.board_id}")
    assert own.status_code == 200
    data = page_data(own.text)
    assert data["board"]["id"] == world.board_id
    assert "Mutualiser les achats d&#39;isolant" in own.text or "Mutualiser" in own.text
    theirs = await world.outsider.get(f"/b/{world.board_id}")
    assert theirs.status_code == 404
    assert "Mutualiser" not in theirs.text and "Idées" not in theirs.text
    card = await world.outsider.get(f"/cards/{world.card['id']}")
    assert card.status_code == 404
    home = await world.outsider.get(f"/c/{world.collective_id}")
    assert home.status_code == 404


async def test_the_profile_page_shows_the_account_and_each_membership(world: World) -> None:
    page = await world.member.get("/profile")
    assert page.status_code == 200
    assert 'value="marc"' in page.text
    assert "Mon entreprise dans «\u00a0Rénovation Drôme\u00a0»" in page.text


async def test_only_animators_and_observers_open_the_animation_view(world: World) -> None:
    path = f"/c/{world.collective_id}/animation"
    assert (await world.animator.get(path)).status_code == 200
    assert (await world.observer.get(path)).status_code == 200
    refused = await world.member.get(path)
    assert refused.status_code == 403
    assert "Vous ne pouvez pas ouvrir cette page" in refused.text
    assert (await world.outsider.get(path)).status_code == 404


async def test_a_workshop_page_names_people_for_members_only(world: World) -> None:
    started = await world.animator.post(
        f"/api/v1/boards/{world.board_id}/workshops", json={"template": "brainstorming"}
    )
    assert started.status_code == 201, started.text
    wid = started.json()["id"]
    assert (await world.member.post(f"/api/v1/workshops/{wid}/join")).status_code == 200
    path = f"/w/{wid}"
    animator = page_data((await world.animator.get(path)).text)
    assert [u["display_name"] for u in animator["workshop"]["participants"]] == ["marc"]
    assert {m["user"]["display_name"] for m in animator["members"]} >= {"anna", "marc"}
    assert animator["attendees"] == []
    assert animator["board"] == {"id": world.board_id, "name": "Idées"}
    member = page_data((await world.member.get(path)).text)
    assert "members" not in member and "attendees" not in member
    observer = await world.observer.get(path)
    assert observer.status_code == 200
    assert page_data(observer.text)["workshop"]["participants"] is None
    # As a word: the page's catalog holds « Démarche », whose JSON escape contains « marc ».
    assert not re.search(r"\bmarc\b", observer.text)
    outsider = await world.outsider.get(path)
    assert outsider.status_code == 404 and "Brainstorming" not in outsider.text
    assert (await world.member.get("/w/999999")).status_code == 404


async def test_diagnostic_pages_follow_the_api_s_privacy(
    world: World, make_client: MakeClient
) -> None:
    """A diagnostic's page is its company's and the animators' (404 for anyone else); the
    list is for animators and the company (observers: 403) and carries no answer; the needs
    page is for animators and observers."""
    colleague = await company_member(world, make_client, "julien", "Menuiserie Roux")
    diagnostic = await answer(world, await start(world, colleague.id), [2, 3])
    cid = world.collective_id
    own = await colleague.get(f"/d/{diagnostic['id']}")
    assert own.status_code == 200
    shown = page_data(own.text)
    assert shown["diagnostic"]["answers"] == diagnostic["answers"]
    assert [u["display_name"] for u in shown["animators"]] == ["anna"]
    for other in (world.member, world.observer, world.outsider):
        refused = await other.get(f"/d/{diagnostic['id']}")
        assert refused.status_code == 404 and "Menuiserie" not in refused.text
    listed = page_data((await world.animator.get(f"/c/{cid}/diagnostics")).text)
    assert [d["id"] for d in listed["diagnostics"]] == [diagnostic["id"]]
    assert "answers" not in listed["diagnostics"][0]
    assert {t["id"] for t in listed["templates"]} >= {"tpe-pme-360", "renovation-energetique"}
    assert "olga" not in {m["user"]["display_name"] for m in listed["members"]}
    mine = page_data((await colleague.get(f"/c/{cid}/diagnostics")).text)
    assert [d["id"] for d in mine["diagnostics"]] == [diagnostic["id"]]
    assert "members" not in mine and "templates" not in mine
    assert page_data((await world.member.get(f"/c/{cid}/diagnostics")).text)["diagnostics"] == []
    assert (await world.observer.get(f"/c/{cid}/diagnostics")).status_code == 403
    # The collective's page shows the way to one's diagnostic only to whom has one.
    assert f"/c/{cid}/diagnostics" in (await colleague.get(f"/c/{cid}")).text
    assert f"/c/{cid}/diagnostics" not in (await world.member.get(f"/c/{cid}")).text
    needs = await world.observer.get(f"/c/{cid}/needs")
    assert needs.status_code == 200
    assert page_data(needs.text)["needs"] | {"themes": []} == {
        "template": {"id": "tpe-pme-360", "name": "Diagnostic 360° TPE/PME", "diagnosed": 1},
        "templates": [{"id": "tpe-pme-360", "name": "Diagnostic 360° TPE/PME", "diagnosed": 1}],
        "diagnosed": 1,
        "minimum": 5,
        "available": False,
        "themes": [],
    }
    assert (await world.member.get(f"/c/{cid}/needs")).status_code == 403
    assert (await world.outsider.get(f"/c/{cid}/needs")).status_code == 404


async def test_a_board_made_from_a_need_names_its_meeting_to_animators(world: World) -> None:
    created = await world.animator.post(
        f"/api/v1/collectives/{world.collective_id}/meetings",
        json={"title": "Atelier export", "held_on": "2031-03-04"},
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    path = f"/b/{world.board_id}?meeting={meeting['id']}"
    shown = page_data((await world.animator.get(path)).text)
    assert shown["meeting"] == {
        "id": meeting["id"],
        "title": "Atelier export",
        "held_on": "2031-03-04",
    }
    assert "meeting" not in page_data((await world.member.get(path)).text)
    for wrong in ("999999", "abc", "1" * 30):
        other = await world.animator.get(f"/b/{world.board_id}?meeting={wrong}")
        assert "meeting" not in page_data(other.text)


async def test_pages_carry_a_strict_content_security_policy(world: World) -> None:
    response = await world.member.get(f"/cards/{world.card['id']}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    # The page's own script is a module from /static, and nothing inline runs.
    scripts = re.findall(r"<script(?![^>]*type=\"application/json\")[^>]*>", response.text)
    assert len(scripts) == 1
    assert re.fullmatch(r'<script type="module" src="/static/js/card\.js\?v=\w+">', scripts[0])


async def test_page_data_cannot_break_out_of_its_script_element(world: World) -> None:
    created = await world.member.post(
        f"/api/v1/boards/{world.board_id}/cards",
        json={"title": "</script><script>alert(1)</script>", "body": "x"},
    )
    assert created.status_code == 201
    response = await world.member.get(f"/b/{world.board_id}")
    assert "</script><script>alert(1)" not in response.text
    titles = [
        card["title"]
        for column in page_data(response.text)["board"]["columns"]
        for card in column["cards"]
    ]
    assert "</script><script>alert(1)</script>" in titles


async def test_the_language_follows_the_member_then_the_browser(
    world: World, make_client: MakeClient
) -> None:
    anonymous = await make_client()
    english = await anonymous.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Log in to Essaim" in english.text
    # Registered in French (the default): the setting wins over the browser.
    french = await world.member.get("/", headers={"Accept-Language": "en-GB,en"})
    assert '<html lang="fr">' in french.text and "Mes collectifs" in french.text
    await world.member.patch("/api/v1/me", json={"language": "en"})
    chosen = await world.member.get("/", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in chosen.text and "My collectives" in chosen.text


async def test_invitation_pages_say_what_is_wrong(world: World, make_client: MakeClient) -> None:
    anonymous = await make_client()
    unknown = await anonymous.get("/invitations/not-a-token")
    assert unknown.status_code == 404
    assert "Ce lien d’invitation n’est pas valide" in unknown.text
    created = await world.animator.post(
        f"/api/v1/collectives/{world.collective_id}/invitations", json={"role": "observer"}
    )
    path = created.json()["url"].split("testserver", 1)[-1]
    shown = await anonymous.get(path)
    assert shown.status_code == 200
    assert "Rejoindre «\u00a0Rénovation Drôme\u00a0»" in shown.text
    assert "observateur" in shown.text
    newcomer = await make_client("nina")
    token = path.rsplit("/", 1)[1]
    assert (await newcomer.post(f"/api/v1/invitations/{token}/accept")).status_code == 200
    used = await anonymous.get(path)
    assert used.status_code == 410
    assert "Cette invitation a déjà servi" in used.text


async def test_unknown_pages_get_the_html_not_found_page(make_client: MakeClient) -> None:
    anonymous = await make_client()
    page = await anonymous.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = await anonymous.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


async def test_static_files_are_served_and_light(make_client: MakeClient) -> None:
    anonymous = await make_client()
    css = await anonymous.get("/static/css/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    script = await anonymous.get("/static/js/board.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert (await anonymous.get("/static/../server/settings.py")).status_code == 404


async def test_an_id_no_row_can_have_is_the_not_found_page(world: World) -> None:
    for path in ("/w/99999999999", "/b/99999999999", "/v/99999999999", "/cards/99999999999"):
        response = await world.member.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
