"""The embedded SMTP receiver (``ESSAIM_INBOUND_SMTP``): a reply relayed by the MTA is posted
(250), a refused one is rejected with a 550 that tells why (the MTA bounces it), an
auto-reply is accepted and dropped (no bounce, no loop), and it relays nothing else."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.core.models import Comment
from server.domain.notify.dispatch import dispatch
from tests.conftest import ApiClient
from tests.server.domain.notify.conftest import REPLY_DOMAIN
from tests.support.apps import clients, custom_app


def send(port: int, sender: str, rcpt: str, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        refused: dict[str, tuple[int, bytes]] = smtp.send_message(
            message, from_addr=sender, to_addrs=[rcpt]
        )
        return refused


async def test_replies_by_smtp(tmp_path: Path, database_url: str) -> None:
    async with (
        custom_app(
            tmp_path,
            database_url,
            reply_domain=REPLY_DOMAIN,
            inbound_smtp="127.0.0.1:0",
            public_url="https://essaim.example",
        ) as app,
        clients(app) as new,
    ):
        essaim = app.state.essaim
        port = app.state.inbound_smtp.bound_port
        anna: ApiClient = await new("anna")
        marc: ApiClient = await new("marc")
        cid = (await anna.post("/api/v1/collectives", json={"name": "Boulangers"})).json()["id"]
        invite = await anna.post(f"/api/v1/collectives/{cid}/invitations", json={"role": "member"})
        token = invite.json()["url"].rsplit("/", 1)[1]
        assert (await marc.post(f"/api/v1/invitations/{token}/accept")).status_code == 200
        board = (await anna.post(
            f"/api/v1/collectives/{cid}/boards", json={"name": "Idées", "kind": "ideas"}
        )).json()  # fmt: skip
        card = (await marc.post(
            f"/api/v1/boards/{board['id']}/cards", json={"title": "Farine bio en commun"}
        )).json()  # fmt: skip
        await anna.post(f"/api/v1/cards/{card['id']}/comments", json={"body": "Oui !"})
        [email] = [e for e in (await dispatch(essaim)).sent if e.to == "marc@example.fr"]
        address = email.header("Reply-To") or ""

        def answer(text: str, message_id: str, **headers: str) -> EmailMessage:
            message = EmailMessage()
            message["From"] = "marc@example.fr"
            message["To"] = address
            message["Subject"] = "Re: " + email.subject
            message["Message-ID"] = message_id
            for name, value in headers.items():
                message[name.replace("_", "-")] = value
            message.set_content(text)
            return message

        async def comments() -> int:
            async with essaim.db.read() as session:
                found = await session.scalar(
                    select(func.count()).where(Comment.card_id == card["id"])
                )
            return int(found or 0)

        refused = await asyncio.to_thread(
            send, port, "marc@example.fr", address, answer("Je passe jeudi.", "<s1@x>")
        )
        assert refused == {}
        assert await comments() == 2
        # Refused: a 550 with the reason, nothing posted.
        with pytest.raises(smtplib.SMTPDataError) as bounced:
            await asyncio.to_thread(send, port, "marc@example.fr", address, answer("", "<s2@x>"))
        assert bounced.value.smtp_code == 550 and b"vide" in bounced.value.smtp_error
        assert await comments() == 2
        # An auto-reply: accepted, dropped.
        auto = answer("Je suis absent.", "<s3@x>", Auto_Submitted="auto-replied")
        assert await asyncio.to_thread(send, port, "marc@example.fr", address, auto) == {}
        assert await comments() == 2
        # Not a reply address of ours: it relays nothing.
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            await asyncio.to_thread(
                send, port, "marc@example.fr", "anyone@elsewhere.example", answer("x", "<s4@x>")
            )
