"""Companies of a collective for the browser tests: members who gave an organisation, and
their diagnostics started, answered and finished through the API (the served ``Site``'s
clients, where ``tests.support.diagnostics`` works on the in-process ``World``)."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, join
from tests.support.diagnostics import SCALES, TEMPLATE, ok

API = "/api/v1"


async def company_member(
    animator: ApiClient, client: ApiClient, collective_id: int, organisation: str
) -> ApiClient:
    """``client`` joins the collective as a member of ``organisation``."""
    await join(animator, client, collective_id, "member")
    await ok(
        await client.patch(
            f"{API}/collectives/{collective_id}/members/{client.id}",
            json={"organisation": organisation},
        )
    )
    return client


async def diagnose(
    animator: ApiClient,
    collective_id: int,
    member_id: int,
    levels: list[int],
    colleagues: list[int] | None = None,
) -> dict[str, Any]:
    """A finished « Diagnostic 360° TPE/PME » of the member's company (with ``colleagues``,
    named by the animator), each scale question answered with ``levels`` (cycled)."""
    started = await ok(
        await animator.post(
            f"{API}/collectives/{collective_id}/diagnostics",
            json={
                "template_id": TEMPLATE,
                "member_id": member_id,
                "company_user_ids": colleagues or [],
            },
        ),
        201,
    )
    answers = {q: levels[i % len(levels)] for i, q in enumerate(SCALES)}
    done: dict[str, Any] = await ok(
        await animator.patch(
            f"{API}/diagnostics/{started['id']}",
            json={"version": started["version"], "answers": answers, "status": "done"},
        )
    )
    return done
