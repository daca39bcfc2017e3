"""The public showcase: a validated practice an animator puts there is shown, to anyone,
once its author consented — by name and company or anonymously — and nothing else of the
collective's members; taking it out, withdrawing the consent or hiding the card removes it at
once; search engines find it (sitemap, robots.txt), the rest of the site stays out."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ApiClient, World

API = "/api/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def validated_practice(world: World, author: ApiClient, title: str) -> dict[str, Any]:
    board = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/boards",
            json={"name": f"Pratiques {title[:10]}", "kind": "practices"},
        ),
        201,
    )
    card: dict[str, Any] = await ok(
        await author.post(
            f"{API}/boards/{board['id']}/cards",
            json={
                "kind": "practice",
                "title": title,
                "body": "Nous achetons ensemble chaque mois.",
                "tags": ["achats"],
                "practice": {"steps": ["Recenser", "Commander"]},
            },
        ),
        201,
    )
    await ok(
        await world.animator.post(
            f"{API}/cards/{card['id']}/capitalise", json={"capitalised": True}
        )
    )
    return card


async def test_shown_only_with_consent_and_nothing_else(world: World) -> None:
    await ok(
        await world.member.patch(
            f"{API}/collectives/{world.collective_id}/members/{world.member.id}",
            json={"organisation": "Boulangerie Marc"},
        )
    )
    card = await validated_practice(world, world.member, "Achat groupé de farine")
    other = await validated_practice(world, world.animator, "Un camion partagé")
    await ok(
        await world.animator.post(
            f"{API}/cards/{card['id']}/comments", json={"body": "Commentaire interne"}
        ),
        201,
    )
    # An idea, or a practice not validated, cannot go there; members cannot put one there.
    url = f"{API}/cards/{card['id']}/showcase"
    idea = await world.animator.request(
        "PUT", f"{API}/cards/{world.card['id']}/showcase", json={"public": True}
    )
    assert idea.status_code == 422
    assert (await world.member.request("PUT", url, json={"public": True})).status_code == 403
    assert (await world.outsider.request("PUT", url, json={"public": True})).status_code == 404
    state = await ok(await world.animator.request("PUT", url, json={"public": True}))
    assert state["public"] and not state["shown"] and state["url"] is None
    told = (await ok(await world.member.get(f"{API}/notifications")))["notifications"]
    assert any("vitrine" in n["title"] for n in told), "the author is asked"
    managed = await ok(
        await world.animator.get(f"{API}/collectives/{world.collective_id}/showcase")
    )
    slug = managed["slug"]
    assert slug == "renovation-drome" and managed["url"] == "/p/renovation-drome"

    anonymous = httpx.AsyncClient(
        transport=world.outsider.http._transport, base_url="http://testserver"
    )
    async with anonymous:
        page = await anonymous.get(f"/p/{slug}")
        assert page.status_code == 200
        assert "Achat groupé de farine" not in page.text, "no consent yet: not shown"
        # Only the author consents.
        consent = f"{API}/cards/{card['id']}/showcase-consent"
        refused = await world.animator.request("PUT", consent, json={"consent": "named"})
        assert refused.status_code == 403
        bad = await world.member.request("PUT", consent, json={"consent": "partout"})
        assert bad.status_code == 422
        shown = await ok(await world.member.request("PUT", consent, json={"consent": "named"}))
        assert shown["shown"] and shown["url"] == f"/p/{slug}/fiches/{card['id']}"
        page = await anonymous.get(f"/p/{slug}")
        assert "Achat groupé de farine" in page.text
        assert "marc" in page.text and "Boulangerie Marc" in page.text
        for secret in ("Un camion partagé", "Commentaire interne", "@example.fr", "Mutualiser"):
            assert secret not in page.text, secret
        assert '<meta name="description"' in page.text and 'rel="canonical"' in page.text
        detail = await anonymous.get(f"/p/{slug}/fiches/{card['id']}")
        assert detail.status_code == 200 and "Recenser" in detail.text and "Démarche" in detail.text
        assert (await anonymous.get(f"/p/{slug}/fiches/{other['id']}")).status_code == 404
        public = await ok(await anonymous.get(f"{API}/showcase/{slug}"))
        assert [p["title"] for p in public["practices"]] == ["Achat groupé de farine"]
        assert set(public["practices"][0]) >= {"author", "organisation"}
        assert "email" not in str(public)
        # Search on the page.
        found = await anonymous.get(f"/p/{slug}", params={"q": "farines"})
        assert "Achat groupé de farine" in found.text
        missed = await anonymous.get(f"/p/{slug}", params={"q": "tracteur"})
        assert "Achat groupé de farine" not in missed.text
        # Search engines: the showcase in the sitemap, the rest of the site disallowed.
        sitemap = await anonymous.get("/sitemap.xml")
        assert f"/p/{slug}/fiches/{card['id']}" in sitemap.text
        assert f"/fiches/{other['id']}" not in sitemap.text
        robots = await anonymous.get("/robots.txt")
        assert "Allow: /p/" in robots.text and "Disallow: /" in robots.text
        # Anonymous consent: neither the name nor the company.
        await ok(await world.member.request("PUT", consent, json={"consent": "anonymous"}))
        page = await anonymous.get(f"/p/{slug}")
        assert "Achat groupé de farine" in page.text and "Anonyme" in page.text
        assert "Boulangerie Marc" not in page.text and ">marc<" not in page.text
        # Withdrawn, taken out, hidden: gone at once.
        await ok(await world.member.request("PUT", consent, json={"consent": None}))
        assert "Achat groupé de farine" not in (await anonymous.get(f"/p/{slug}")).text
        await ok(await world.member.request("PUT", consent, json={"consent": "named"}))
        await ok(await world.animator.request("PUT", url, json={"public": False}))
        assert "Achat groupé de farine" not in (await anonymous.get(f"/p/{slug}")).text
        await ok(await world.animator.request("PUT", url, json={"public": True}))
        fresh = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
        await ok(
            await world.animator.patch(
                f"{API}/cards/{card['id']}",
                json={"version": fresh["version"], "moderation": "hidden"},
            )
        )
        assert "Achat groupé de farine" not in (await anonymous.get(f"/p/{slug}")).text
        assert (await anonymous.get(f"/p/{slug}/fiches/{card['id']}")).status_code == 404
        assert (await anonymous.get("/p/nulle-part")).status_code == 404
