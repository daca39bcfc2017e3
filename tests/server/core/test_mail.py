"""Outgoing mail: the log backend keeps and logs messages; the SMTP backend really sends;
the background queue logs failures and overflow instead of raising."""

from __future__ import annotations

import logging

import pytest
from aiosmtpd.controller import Controller

from server.core.mail import Email, Mailer, MailQueue, SmtpMailer, mailer_from_url
from tests.support.mail import Inbox
from tests.support.network import free_port


async def test_smtp_mailer_delivers_to_a_real_smtp_server() -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = mailer_from_url(f"smtp://127.0.0.1:{port}", "Essaim <essaim@example.fr>")
        assert isinstance(mailer, SmtpMailer)
        await mailer.send(
            Email(
                "marc@example.fr",
                "Invitation à « Drôme »",
                "Bonjour, é à ç",
                headers=(("List-Unsubscribe", "<https://x/digest/unsubscribe?token=t>"),),
            )
        )
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "marc@example.fr"
    assert str(message["Subject"]) == "Invitation à « Drôme »"
    assert message["List-Unsubscribe"] == "<https://x/digest/unsubscribe?token=t>"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes) and "é à ç" in body.decode("utf-8")


async def test_without_smtp_url_emails_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    mailer = mailer_from_url("", "Essaim <essaim@example.fr>")
    assert type(mailer) is Mailer
    with caplog.at_level(logging.INFO, logger="essaim.mail"):
        await mailer.send(Email("marc@example.fr", "Sujet", "Le lien : https://x/invitations/t"))
    assert "https://x/invitations/t" in caplog.text
    assert mailer.sent[-1].to == "marc@example.fr"


def test_an_unknown_mail_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="SMTP_URL"):
        mailer_from_url("http://mail.example.fr", "x@example.fr")


async def test_a_failing_or_full_mail_queue_logs_and_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(Mailer):
        async def send(self, email: Email) -> None:
            raise OSError("connection refused")

    queue = MailQueue(Broken("e@example.fr").send, size=1)
    queue.submit(Email(to="a@example.fr", subject="s", text="t"))
    queue.submit(Email(to="b@example.fr", subject="s", text="t"))  # the queue holds one
    await queue.drain()
    await queue.close()
    assert "email to b@example.fr dropped" in caplog.text
    assert "sending the email to a@example.fr failed" in caplog.text
