"""Outgoing email, chosen by ``SMTP_URL``: written to the log (default) or sent over SMTP."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger("essaim.mail")


@dataclass(frozen=True)
class EmailFile:
    """A file sent with an email (an invitation's ``.ics``)."""

    name: str
    content_type: str  # "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    # Extra header fields (e.g. List-Unsubscribe); From, To and Subject are set from above.
    headers: tuple[tuple[str, str], ...] = ()
    html: str | None = None  # the same message as HTML (multipart/alternative)
    files: tuple[EmailFile, ...] = ()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def mime_message(email: Email, sender: str) -> EmailMessage:
    """The RFC 5322 message of ``email``: plain text, its HTML alternative, then the files."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    for name, value in email.headers:
        message[name] = value
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    for file in email.files:
        maintype, _, rest = file.content_type.partition("/")
        subtype, _, params = rest.partition(";")
        extra = dict(
            (k.strip(), v.strip()) for k, _, v in (p.partition("=") for p in params.split(";")) if k
        )
        message.add_attachment(
            file.data, maintype=maintype, subtype=subtype.strip(), filename=file.name, params=extra
        )
    return message


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
        message = mime_message(email, self.sender)
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


class MailQueue:
    """Sends emails in the background, one at a time, so that no request waits for an SMTP
    exchange (whose duration would tell, for instance, whether a password reset found an
    account). Bounded: past ``size`` waiting emails, new ones are dropped with an error in
    the log rather than holding memory or the request. Failures are logged, never raised.

    The platform owns it: ``Essaim.stop()`` calls ``close()``, which sends what is queued
    (for at most ``grace_seconds``), then stops the sender."""

    def __init__(
        self,
        send: Callable[[Email], Awaitable[None]],
        size: int = 1000,
        grace_seconds: float = 10.0,
    ) -> None:
        self._send = send
        self._size = size
        self._grace = grace_seconds
        self._queue: asyncio.Queue[Email] | None = None
        self._worker: asyncio.Task[None] | None = None

    def submit(self, email: Email) -> None:
        """Queue ``email`` (the sender starts on first use, in the running event loop)."""
        if self._queue is None:
            self._queue = asyncio.Queue(self._size)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(self._queue), name="essaim-mail")
        try:
            self._queue.put_nowait(email)
        except asyncio.QueueFull:
            log.error("mail queue full (%d waiting): email to %s dropped", self._size, email.to)

    async def drain(self) -> None:
        """Wait until every queued email was handed to the mailer (sent or failed)."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        """Send what is queued (within the grace period), then stop the sender."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            async with asyncio.timeout(self._grace):
                await self.drain()
        except TimeoutError:
            assert self._queue is not None
            log.error("stopping with %d emails unsent", self._queue.qsize())
        finally:
            worker.cancel()
            try:
                await worker
            except asyncio.CancelledError:
                pass
            self._queue = None

    async def _run(self, queue: asyncio.Queue[Email]) -> None:
        while True:
            email = await queue.get()
            try:
                await self._send(email)
            except Exception:
                log.exception("sending the email to %s failed", email.to)
            finally:
                queue.task_done()
