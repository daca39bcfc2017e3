"""Settings: one typed object read once from the environment, each with a default and help.

Every setting is documented in README.md (a test fails when one is missing there).
URL settings choose backends by scheme: ``DATABASE_URL``, ``BROKER_URL``, ``SMTP_URL``.
Secrets are never logged: ``Settings.describe()`` masks URL passwords.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _setting(env: str, default: Any, help: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Essaim configuration; build it with ``Settings.from_env()``."""

    data_dir: Path = _setting(
        "ESSAIM_DATA_DIR",
        Path("essaim-data"),
        "Directory holding the SQLite database and attachments (embedded default).",
    )
    database_url: str = _setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL; empty means sqlite+aiosqlite:///<data dir>/essaim.db. "
        "PostgreSQL: postgresql+asyncpg://user:pass@host/db.",
    )
    broker_url: str = _setting(
        "BROKER_URL",
        "memory://",
        "Pub/sub for live events and presence: memory:// (one process) or redis://host:6379/0.",
    )
    search_url: str = _setting(
        "SEARCH_URL",
        "",
        "Search backend: empty uses the database's own full-text search (SQLite FTS5 or "
        "PostgreSQL); meilisearch://host:7700 (or meilisearchs:// for HTTPS) uses Meilisearch.",
    )
    search_api_key: str = _setting(
        "SEARCH_API_KEY", "", "API key for the Meilisearch backend (its master or admin key)."
    )
    index_max_attempts: int = _setting(
        "ESSAIM_INDEX_MAX_ATTEMPTS",
        5,
        "How many times the search indexer tries a change that fails on its own (not because "
        "the engine is down) before marking it failed and going on; see the health endpoint.",
    )
    replay_window: int = _setting(
        "ESSAIM_REPLAY_WINDOW",
        5000,
        "How many events a reconnecting WebSocket client may be behind and still get them "
        "replayed; further behind, it is told to resync.",
    )
    presence_ttl_seconds: float = _setting(
        "ESSAIM_PRESENCE_TTL_SECONDS",
        20.0,
        "Life of a presence entry unless its process refreshes it: the users of a crashed "
        "process disappear within this time.",
    )
    ws_send_queue: int = _setting(
        "ESSAIM_WS_SEND_QUEUE",
        1000,
        "Messages queued for one WebSocket client before it is closed as a slow consumer.",
    )
    ws_heartbeat_seconds: float = _setting(
        "ESSAIM_WS_HEARTBEAT_SECONDS",
        25.0,
        "Interval at which clients should ping; silent for three intervals, they are closed.",
    )
    smtp_url: str = _setting(
        "SMTP_URL",
        "",
        "Outgoing mail: smtp://user:pass@host:587 (STARTTLS) or smtps://…:465; "
        "empty writes emails to the log.",
    )
    mail_from: str = _setting(
        "ESSAIM_MAIL_FROM", "Essaim <no-reply@localhost>", "Sender address of outgoing emails."
    )
    public_url: str = _setting(
        "ESSAIM_PUBLIC_URL",
        "",
        "Public base URL of the links Essaim emails (invitations, password reset, address "
        "verification, nudges, digests). When empty, a request's own address is used only if "
        "it is a loopback host or one of ESSAIM_ALLOWED_ORIGINS, else http://localhost:8000 "
        "(with a warning in the log): set it in production.",
    )
    allowed_origins: tuple[str, ...] = _setting(
        "ESSAIM_ALLOWED_ORIGINS",
        (),
        "Comma-separated extra origins (scheme://host[:port]) allowed to send unsafe "
        "requests; the server's own origin and that of ESSAIM_PUBLIC_URL always are.",
    )
    cookie_secure: str = _setting(
        "ESSAIM_COOKIE_SECURE",
        "auto",
        "Secure flag of the session cookie: auto (when the request came over HTTPS), "
        "true or false.",
    )
    forwarded_allow_ips: str = _setting(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Comma-separated addresses or networks of the reverse proxy in front of essaim serve: "
        "only a request from one of them has its X-Forwarded-For/-Proto trusted (the client "
        "address the login throttle counts). Set it to the proxy's address, never to *.",
    )
    session_ttl_hours: int = _setting(
        "ESSAIM_SESSION_TTL_HOURS", 24 * 14, "Lifetime of a login session, in hours."
    )
    invitation_ttl_days: int = _setting(
        "ESSAIM_INVITATION_TTL_DAYS", 14, "Lifetime of an invitation link, in days."
    )
    max_body_bytes: int = _setting(
        "ESSAIM_MAX_BODY_BYTES", 1_048_576, "Largest JSON request body accepted, in bytes."
    )
    max_upload_bytes: int = _setting(
        "ESSAIM_MAX_UPLOAD_BYTES", 20 * 1_048_576, "Largest attachment accepted, in bytes."
    )
    login_max_failures_account: int = _setting(
        "ESSAIM_LOGIN_MAX_FAILURES_ACCOUNT",
        5,
        "Failed logins allowed per account within the throttle window.",
    )
    login_max_failures_account_all: int = _setting(
        "ESSAIM_LOGIN_MAX_FAILURES_ACCOUNT_ALL",
        20,
        "Failed logins allowed per account from all addresses together within the throttle "
        "window; past it every login to the account is refused until the window passes or "
        "its owner resets the password.",
    )
    login_max_failures_address: int = _setting(
        "ESSAIM_LOGIN_MAX_FAILURES_ADDRESS",
        20,
        "Failed logins allowed per client address within the throttle window.",
    )
    login_window_seconds: int = _setting(
        "ESSAIM_LOGIN_WINDOW_SECONDS", 900, "Length of the login throttle window, in seconds."
    )
    register_max_per_address: int = _setting(
        "ESSAIM_REGISTER_MAX_PER_ADDRESS",
        30,
        "Sign-ups allowed per client address within ESSAIM_REGISTER_WINDOW_SECONDS "
        "(a workshop signing up from one venue shares an address).",
    )
    register_window_seconds: int = _setting(
        "ESSAIM_REGISTER_WINDOW_SECONDS", 3600, "Length of the sign-up throttle window, in seconds."
    )
    hash_concurrency: int = _setting(
        "ESSAIM_HASH_CONCURRENCY",
        2,
        "Password hashes computed at once per process (each takes a worker thread and "
        "ESSAIM_ARGON2_MEMORY_KIB of memory); further logins and sign-ups wait their turn.",
    )
    password_reset_ttl_minutes: int = _setting(
        "ESSAIM_PASSWORD_RESET_TTL_MINUTES", 60, "Lifetime of a password-reset link, in minutes."
    )
    email_verification_ttl_hours: int = _setting(
        "ESSAIM_EMAIL_VERIFICATION_TTL_HOURS",
        72,
        "Lifetime of the link that verifies an email address, in hours.",
    )
    account_email_max_per_email: int = _setting(
        "ESSAIM_ACCOUNT_EMAIL_MAX_PER_EMAIL",
        3,
        "Password-reset or verification emails that may be requested for one address within "
        "ESSAIM_ACCOUNT_EMAIL_WINDOW_SECONDS.",
    )
    account_email_max_per_address: int = _setting(
        "ESSAIM_ACCOUNT_EMAIL_MAX_PER_ADDRESS",
        10,
        "Password-reset or verification emails that one client address may request within "
        "ESSAIM_ACCOUNT_EMAIL_WINDOW_SECONDS.",
    )
    account_email_window_seconds: int = _setting(
        "ESSAIM_ACCOUNT_EMAIL_WINDOW_SECONDS",
        3600,
        "Length of the throttle window of password-reset and verification emails, in seconds.",
    )
    export_max_per_hour: int = _setting(
        "ESSAIM_EXPORT_MAX_PER_HOUR",
        5,
        "Data exports (GET /me/export) one account may download per hour: each builds a full"
        " copy of its data and files on disk.",
    )
    argon2_time_cost: int = _setting(
        "ESSAIM_ARGON2_TIME_COST", 3, "argon2id time cost (iterations) for password hashes."
    )
    argon2_memory_kib: int = _setting(
        "ESSAIM_ARGON2_MEMORY_KIB", 65536, "argon2id memory cost for password hashes, in KiB."
    )
    visit_debounce: int = _setting(
        "ESSAIM_VISIT_DEBOUNCE",
        600,
        "Seconds during which repeated visits of one member to the same collective, board or "
        "card are recorded once.",
    )
    digest_idle_days: int = _setting(
        "ESSAIM_DIGEST_IDLE_DAYS",
        7,
        "essaim digest writes to members who have not visited for this many days (and at most "
        "once in that time).",
    )
    action_reminder_days: int = _setting(
        "ESSAIM_ACTION_REMINDER_DAYS",
        3,
        "An action of a company's plan that is due within this many days gets one reminder "
        "(a notification to its owner, or to the diagnosed member); 0 turns reminders off.",
    )
    notify_email_minutes: int = _setting(
        "ESSAIM_NOTIFY_EMAIL_MINUTES",
        15,
        "At most one notification email per thread (a card, a vote…) and person in this many "
        "minutes: what comes meanwhile joins the next one.",
    )
    notify_interval_seconds: float = _setting(
        "ESSAIM_NOTIFY_INTERVAL_SECONDS",
        60.0,
        "How often `essaim serve` sends the notification emails due (and the daily and weekly "
        "notification digests); 0 turns the sender off in this process.",
    )
    notify_digest_hour: int = _setting(
        "ESSAIM_NOTIFY_DIGEST_HOUR",
        8,
        "The hour (Paris time) after which the daily notification digest goes, and the weekly "
        "one on Mondays.",
    )
    reply_domain: str = _setting(
        "ESSAIM_REPLY_DOMAIN",
        "",
        "Mail domain of the signed reply addresses (`reply+<token>@<domain>`) of notification "
        "emails about a card; its MX must reach the inbound receiver. Empty: no reply by email.",
    )
    reply_ttl_days: int = _setting(
        "ESSAIM_REPLY_TTL_DAYS",
        60,
        "How long the reply address of a notification email keeps working.",
    )
    inbound_smtp: str = _setting(
        "ESSAIM_INBOUND_SMTP",
        "",
        "`host:port` on which `essaim serve` runs an SMTP receiver for replies (e.g. "
        "`127.0.0.1:2525`, behind the MTA that relays the reply domain). Empty: none.",
    )
    inbound_secret: str = _setting(
        "ESSAIM_INBOUND_SECRET",
        "",
        "Shared secret of `POST /api/v1/inbound/email` (an MTA pipe or a provider's webhook "
        "sends it as `Authorization: Bearer …`). Empty: the route answers 404.",
    )
    inbound_max_bytes: int = _setting(
        "ESSAIM_INBOUND_MAX_BYTES",
        15 * 1024 * 1024,
        "Largest reply email accepted (bytes, attachments included); larger ones are refused.",
    )
    log_level: str = _setting(
        "ESSAIM_LOG_LEVEL", "info", "Log level: debug, info, warning or error."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every setting from ``environ`` (default ``os.environ``), then apply overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _cast(f.default, raw, f.metadata["env"])
        values.update(overrides)
        return cls(**values)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'essaim.db').resolve()}"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    def describe(self) -> dict[str, str]:
        """Every setting by environment name, secrets and URL passwords masked (safe to log)."""
        out: dict[str, str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            text = ",".join(value) if isinstance(value, tuple) else str(value)
            env = f.metadata["env"]
            if text and env.endswith(("_KEY", "_SECRET", "_PASSWORD")):
                text = "***"
            out[env] = mask_url_password(text) if "://" in text else text
        return out


def setting_docs() -> list[tuple[str, str, str]]:
    """(environment name, default, help) for every setting, in declaration order."""
    docs = []
    for f in dataclasses.fields(Settings):
        default = f.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        docs.append((f.metadata["env"], shown, f.metadata["help"]))
    return docs


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _cast(default: Any, raw: str, name: str) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(item.strip() for item in raw.split(",") if item.strip())
    except ValueError as exc:
        raise ValueError(f"setting {name} must be of type {type(default).__name__}") from exc
    return raw
