"""The weekly digest, on SQLite and PostgreSQL: who gets it (idle members with news, once per
interval, not after unsubscribing), what it says, the unsubscribe page, and ``essaim digest``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from animation.digest import run_digest
from server.core.models import DigestDelivery, DigestOptOut, clock_at
from tests.conftest import World
from tests.support.platform import essaim_of

REPO = Path(__file__).resolve().parents[2]


def link_of(text: str) -> str:
    return next(word for word in text.split() if "/digest/unsubscribe?" in word)


def token_of(text: str) -> str:
    return parse_qs(urlsplit(link_of(text)).query)["token"][0]


async def test_idle_members_get_news_of_their_collectives_once(world: World) -> None:
    essaim = essaim_of(world)
    now = datetime.now(UTC)
    # Marc visited 10 days ago; since then Anna answered his card and posted a new one.
    with clock_at(now - timedelta(days=10)):
        visit = await world.member.post(
            f"/api/v1/collectives/{world.collective_id}/visits", json={}
        )
        assert visit.status_code == 204
    await world.animator.post(
        f"/api/v1/cards/{world.card['id']}/comments", json={"body": "Bonne idée !"}
    )
    await world.animator.post(
        f"/api/v1/boards/{world.board_id}/cards", json={"title": "Commande groupée de laine"}
    )
    # Olga (observer) visited yesterday: no digest for her.
    with clock_at(now - timedelta(days=1)):
        await world.observer.post(f"/api/v1/collectives/{world.collective_id}/visits", json={})

    dry = await run_digest(essaim, dry_run=True)
    assert {d.user.display_name for d in dry.sent} == {"marc", "anna"}
    assert essaim.mailer.sent == []
    async with essaim.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(DigestDelivery)) == 0

    result = await run_digest(essaim)
    by_name = {d.user.display_name: d for d in result.sent}
    assert set(by_name) == {"marc", "anna"}
    marc = by_name["marc"]
    assert (marc.new_cards, marc.answers) == (1, 1)
    mails = {m.to: m for m in essaim.mailer.sent}
    text = mails["marc@example.fr"].text
    assert text.startswith("Bonjour marc,")
    assert "« Rénovation Drôme »" in text
    assert "anna a répondu à « Mutualiser les achats d'isolant »" in text
    assert "« Commande groupée de laine »" in text
    assert "/digest/unsubscribe?token=" in text
    # Anna's own card is no news to her; Marc's card is.
    assert "Commande groupée" not in mails["anna@example.fr"].text

    again = await run_digest(essaim)
    assert again.sent == [], "at most one digest per interval"


async def test_the_unsubscribe_link_stops_the_digest(world: World) -> None:
    essaim = essaim_of(world)
    await world.animator.post(
        f"/api/v1/cards/{world.card['id']}/comments", json={"body": "Bonne idée !"}
    )
    await run_digest(essaim)
    mail = next(m for m in essaim.mailer.sent if m.to == "marc@example.fr")
    token = token_of(mail.text)

    # The mail carries the one-click unsubscribe headers (RFC 2369, RFC 8058) with the link.
    headers = dict(mail.headers)
    assert headers["List-Unsubscribe"] == f"<{link_of(mail.text)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    anonymous = world.outsider.http
    # Opening the link (or a mail scanner fetching it) only asks for confirmation.
    page = await anonymous.get(f"/digest/unsubscribe?token={token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert "Ne plus recevoir le résumé ?" in page.text
    assert 'lang="fr"' in page.text.replace("'", '"')
    assert f"method='post' action='/digest/unsubscribe?token={token}'" in page.text
    async with essaim.db.read() as session:
        assert list(await session.scalars(select(DigestOptOut.user_id))) == []
    # The page's button, and a mail client's one-click POST, stop it; twice is harmless.
    done = await anonymous.post(f"/digest/unsubscribe?token={token}")
    assert done.status_code == 200 and "Désinscription confirmée" in done.text
    twice = await anonymous.post(
        f"/digest/unsubscribe?token={token}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 200
    async with essaim.db.read() as session:
        assert list(await session.scalars(select(DigestOptOut.user_id))) == [world.member.id]

    for bad in ("", "?token=", "?token=nope", f"?token={token}x", "?token=" + "a" * 500):
        for method in ("GET", "POST"):
            response = await anonymous.request(method, f"/digest/unsubscribe{bad}")
            assert response.status_code == 400, (method, bad)
            assert "Lien non valable" in response.text
    assert (await anonymous.put(f"/digest/unsubscribe?token={token}")).status_code == 405

    later = datetime.now(UTC) + timedelta(days=8)
    with clock_at(later):
        await world.animator.post(
            f"/api/v1/boards/{world.board_id}/cards", json={"title": "Encore du nouveau"}
        )
    result = await run_digest(essaim, now=later + timedelta(hours=1))
    assert world.member.id not in {d.user.id for d in result.sent}


def test_essaim_digest_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSAIM_")}
    env.pop("DATABASE_URL", None)
    env.pop("SMTP_URL", None)
    command = [sys.executable, "-m", "server.cli", "digest", "--data-dir", str(tmp_path)]
    for extra in (["--dry-run"], []):
        done = subprocess.run(
            command + extra, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "digest sent=0 would_send=0 nothing_new=0"
    helped = subprocess.run(
        command + ["--help"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert "--dry-run" in helped.stdout
