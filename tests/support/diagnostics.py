"""Diagnostic test helpers: companies of a collective, a diagnostic answered through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ApiClient, MakeClient, World, join

API = "/api/v1"
TEMPLATE = "tpe-pme-360"
# One level per scale question of « Diagnostic 360° TPE/PME », in its order.
SCALES = [
    "commercial.prospection",
    "export.maturite",
    "marketing.offre",
    "production.organisation",
    "veille.pratique",
    "innovation.projets",
    "rd.moyens",
    "qualite.demarche",
    "rh.competences",
    "finance.pilotage",
    "numerique.outils",
]


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def company_member(
    world: World, make_client: MakeClient, name: str, organisation: str
) -> ApiClient:
    """A new member of ``world``'s collective who gave ``organisation`` as their company."""
    client = await make_client(name)
    await join(world.animator, client, world.collective_id, "member")
    await ok(
        await client.patch(
            f"{API}/collectives/{world.collective_id}/members/{client.id}",
            json={"organisation": organisation},
        )
    )
    return client


async def start(world: World, member_id: int, **body: Any) -> dict[str, Any]:
    body = {"template_id": TEMPLATE, "member_id": member_id, **body}
    started: dict[str, Any] = await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/diagnostics", json=body
        ),
        201,
    )
    return started


async def answer(
    world: World, diagnostic: dict[str, Any], levels: list[int], *, done: bool = True
) -> dict[str, Any]:
    """Answer every scale question with ``levels`` (cycled) and finish it."""
    answers = {q: levels[i % len(levels)] for i, q in enumerate(SCALES)}
    body: dict[str, Any] = {"version": diagnostic["version"], "answers": answers}
    if done:
        body["status"] = "done"
    saved: dict[str, Any] = await ok(
        await world.animator.patch(f"{API}/diagnostics/{diagnostic['id']}", json=body)
    )
    return saved
