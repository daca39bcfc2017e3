"""The running platform: settings plus the backends they select, built once per process."""

from __future__ import annotations

from sqlalchemy import select

from server.core.broker import Broker, broker_from_url
from server.core.db import Database
from server.core.files import FileStore
from server.core.mail import Mailer, MailQueue, mailer_from_url
from server.core.models import StoreMeta
from server.core.security import Passwords
from server.core.settings import Settings


class Essaim:
    """Everything a domain service needs: database, broker, mailer, files, passwords.

    The rest of what runs in a process belongs to the layers above, which core cannot import:
    the realtime hub (connections, feeds, presence) and the search runtime (backend, indexer).
    The app keeps the three side by side in ``app.state`` (``server.app.asgi``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        self.broker: Broker = broker_from_url(settings.broker_url)
        self.mailer: Mailer = mailer_from_url(settings.smtp_url, settings.mail_from)
        # Account mail goes through it, so that no request waits for the SMTP exchange.
        # (Through ``self.mailer`` when it sends: the mailer may be swapped, as tests do.)
        self.mail_queue = MailQueue(lambda email: self.mailer.send(email))
        self.files = FileStore(settings.attachments_dir)
        self.passwords = Passwords(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.hash_concurrency
        )

    async def epoch(self) -> str:
        """This store's epoch (set by the first migration): positions are valid only in it."""
        async with self.db.read() as session:
            value = await session.scalar(select(StoreMeta.value).where(StoreMeta.key == "epoch"))
        return str(value or "")

    async def start(self, *, migrate: bool = True) -> None:
        """Migrate and connect; on failure nothing stays open (callers only ``stop()`` a
        platform that started)."""
        try:
            if migrate:
                await self.db.migrate()
            await self.broker.connect()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        try:
            await self.mail_queue.close()  # before the database: nothing else is awaited
        finally:
            try:
                await self.broker.disconnect()
            finally:
                await self.db.dispose()
