"""Outgoing email, chosen by ``SMTP_URL``: written to the log (default) or sent over SMTP."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger("essaim.mail")


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    # Extra header fields (e.g. List-Unsubscribe); From, To and Subject are set from above.
    headers: tuple[tuple[str, str], ...] = ()


class Mailer:
    """Writes each email to the log; also keeps the last ones (handy for tests and demos)."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.sent: list[Email] = []

    async def send(self, email: Email) -> None:
        self.sent = [*self.sent[-99:], email]
        log.info("email to %s: %s\n%s", email.to, email.subject, email.text)


class SmtpMailer(Mailer):
    def __init__(self, sender: str, url: str) -> None:
        super().__init__(sender)
        parts = urlsplit(url)
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None

    async def send(self, email: Email) -> None:
        self.sent = [*self.sent[-99:], email]
        await asyncio.to_thread(self._send_blocking, email)

    def _send_blocking(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        for name, value in email.headers:
            message[name] = value
        message.set_content(email.text)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._implicit_tls:
            smtp = smtplib.SMTP_SSL(self._host, self._port, context=context, timeout=30)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=30)
        with smtp:
            if not self._implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)


def mailer_from_url(url: str, sender: str) -> Mailer:
    if not url:
        return Mailer(sender)
    if urlsplit(url).scheme in {"smtp", "smtps"}:
        return SmtpMailer(sender, url)
    raise ValueError("SMTP_URL must start with smtp:// or smtps://")
