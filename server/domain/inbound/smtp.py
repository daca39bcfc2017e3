"""The embedded SMTP receiver of replies (``ESSAIM_INBOUND_SMTP=host:port``): aiosmtpd's
protocol served on the app's own event loop, behind the MTA that relays the reply domain to it.
It takes only ``reply+…@<ESSAIM_REPLY_DOMAIN>`` recipients (it is no relay), rejects what is
refused with a 550 (the MTA bounces it to the sender) and accepts auto-replies and repeated
deliveries without posting them (a bounce to an auto-responder could start a loop)."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from server.core.platform import Essaim
from server.domain.inbound.receive import receive
from server.domain.notify.tokens import token_in

log = logging.getLogger("essaim.inbound")

# What a bounce says, in both languages (the sender reads it in their mail client).
BOUNCES = {
    "forged": "cette adresse de réponse n'est pas valable / this reply address is not valid",
    "expired": "cette adresse de réponse a expiré : répondez depuis Essaim / "
    "this reply address expired: answer in Essaim",
    "wrong_sender": "répondez depuis l'adresse qui a reçu la notification / "
    "reply from the address the notification was sent to",
    "not_member": "vous n'êtes plus membre de ce collectif / you are no longer a member",
    "card_closed": "cette fiche ne prend plus de commentaires / this card takes no more comments",
    "empty": "réponse vide une fois la citation retirée / empty once the quote was removed",
    "too_long": "réponse trop longue : publiez-la dans Essaim / too long: post it in Essaim",
    "oversize": "message trop volumineux / message too large",
    "no_token": "adresse inconnue / unknown address",
}


def ascii_only(text: str) -> str:
    """SMTP replies are ASCII: « réponse » becomes « reponse »."""
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("ascii", "ignore").decode("ascii")


class ReplyHandler:
    """aiosmtpd handler: each message goes to ``receive``."""

    def __init__(self, essaim: Essaim) -> None:
        self.essaim = essaim

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if token_in(address, self.essaim.settings.reply_domain or "") is None:
            return "550 5.1.1 unknown recipient (replies to Essaim notifications only)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            outcome = await receive(self.essaim, raw, list(envelope.rcpt_tos))
        except Exception:
            log.exception("receiving a reply by email failed")
            return "451 4.3.0 temporary failure, try again later"
        if outcome.bounced:
            return f"550 5.7.1 {ascii_only(BOUNCES.get(outcome.reason, outcome.reason))}"
        return "250 OK"


class InboundSmtp:
    """Serves the receiver from ``start`` to ``stop``."""

    def __init__(self, essaim: Essaim, where: str) -> None:
        self.essaim = essaim
        host, _, port = where.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("ESSAIM_INBOUND_SMTP must be host:port, e.g. 127.0.0.1:2525")
        self.host, self.port = host.strip("[]"), int(port)
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        handler = ReplyHandler(self.essaim)
        limit = self.essaim.settings.inbound_max_bytes
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(handler, data_size_limit=limit, hostname="essaim", ident="Essaim"),
            self.host,
            self.port,
        )
        log.info("receiving replies by SMTP on %s:%s", self.host, self.port)

    @property
    def bound_port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
