"""Online backup and restore of the embedded default (SQLite file + attachments directory).

A backup is one ``.tar.gz``: ``manifest.json``, ``essaim.db`` and ``attachments/ab/<sha256>``.
The database is copied with SQLite's online backup API in a single step, i.e. inside one read
transaction: a consistent snapshot of every write committed before it began, taken while
``essaim serve`` keeps writing (WAL readers never block the writer). The attachments are
copied after the snapshot: a file is stored before the row that names it is committed, and
stored files are never changed, so every file the snapshot names is there to copy.

A restore checks the whole archive (member names, the database's hash and
``PRAGMA integrity_check``, each attachment's SHA-256) before it touches the data directory,
and refuses a non-empty one unless forced (what it replaces is moved aside, not deleted).
The restored store gets a new epoch, so live clients resync rather than resume.

PostgreSQL deployments use ``pg_dump``/``pg_restore`` (:data:`POSTGRES_HOWTO`).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from server.cli.common import Commands, add_command, settings_from
from server.core.settings import Settings

FORMAT = "essaim-backup/1"
DATABASE_MEMBER = "essaim.db"
MANIFEST_MEMBER = "manifest.json"
ATTACHMENTS_MEMBER = "attachments"
CHUNK = 1024 * 1024

POSTGRES_HOWTO = """\
essaim backup and essaim restore handle the embedded SQLite database only; DATABASE_URL is
PostgreSQL. Dump it with PostgreSQL's own tools (a consistent online dump), then copy the
attachments directory ({attachments}); PGURL is DATABASE_URL without "+asyncpg":

    pg_dump --format=custom --file=essaim.dump "$PGURL"
    pg_restore --clean --if-exists --no-owner --dbname="$PGURL" essaim.dump
"""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    archive: Path
    revision: str
    attachments: int
    database_bytes: int


def sqlite_path(settings: Settings) -> Path:
    """The SQLite file of ``settings``, or BackupError (with the pg_dump lines) otherwise."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_HOWTO.format(attachments=settings.attachments_dir))
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def default_archive_name(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return Path(f"essaim-backup-{stamp}.tar.gz")


# ---------------------------------------------------------------- backup


def backup(settings: Settings, target: Path) -> Summary:
    """Write a consistent backup of the running (or stopped) embedded default to ``target``."""
    database = sqlite_path(settings)
    if not database.is_file():
        raise BackupError(f"no database at {database}: nothing to back up")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".essaim-backup-", dir=target.parent) as work:
        snapshot = Path(work) / DATABASE_MEMBER
        _snapshot(database, snapshot)
        revision, hashes = _describe(snapshot)
        files = []
        for sha in sorted(hashes):
            source = settings.attachments_dir / sha[:2] / sha
            if not source.is_file():
                raise BackupError(f"attachment {sha} is named by the database but missing")
            files.append((sha, source))
        size = snapshot.stat().st_size
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "alembic_revision": revision,
            "database": {"sha256": _sha256(snapshot), "size": size},
            "attachments": {sha: source.stat().st_size for sha, source in files},
        }
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest, indent=2).encode())
            archive.add(snapshot, DATABASE_MEMBER, recursive=False)
            for sha, source in files:
                archive.add(source, f"{ATTACHMENTS_MEMBER}/{sha[:2]}/{sha}", recursive=False)
        # The archive holds every account's data and password hash: readable by its owner only.
        partial.chmod(0o600)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    return Summary(target, revision, len(files), size)


def _snapshot(database: Path, snapshot: Path) -> None:
    # pages=-1: the whole database in one step, so in one read transaction (a consistent
    # snapshot); the live writer is not blocked in WAL mode. The copy is made self-contained
    # (rollback journal), so the archive holds one file.
    with (
        closing(sqlite3.connect(database, timeout=60)) as source,
        closing(sqlite3.connect(snapshot)) as copy,
    ):
        source.execute("PRAGMA busy_timeout=60000")
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()


def _describe(snapshot: Path) -> tuple[str, set[str]]:
    """The snapshot's migration revision and the attachment hashes it names; checked whole."""
    with closing(sqlite3.connect(snapshot)) as db:
        check = db.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(f"the database copy is damaged: {check[:5]}")
        revision = _revision(db)
        hashes = {row[0] for row in db.execute("SELECT DISTINCT sha256 FROM attachments")}
    return revision, hashes


def _revision(db: sqlite3.Connection) -> str:
    try:
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not an Essaim database: {exc}") from None
    return str(row[0]) if row else ""


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- restore


def restore(settings: Settings, archive_path: Path, *, force: bool = False) -> Summary:
    """Check ``archive_path`` whole, then make it the data of ``settings`` (stop the server
    first). A data directory holding anything is refused unless ``force``; what a forced
    restore replaces is moved to ``<data dir>/replaced-<time>/``."""
    database = sqlite_path(settings)
    attachments = settings.attachments_dir
    present = [*_database_files(database), attachments]
    occupied = [p for p in present if p.exists() and _holds_something(p)]
    if occupied and not force:
        raise BackupError(
            f"{settings.data_dir} already holds data ({', '.join(map(str, occupied))}); "
            "restore into an empty data directory, or pass --force to replace it"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".essaim-restore-", dir=settings.data_dir) as work:
        staged = Path(work)
        manifest = _extract_checked(archive_path, staged)
        if occupied:
            aside = settings.data_dir / f"replaced-{datetime.now(UTC):%Y%m%d-%H%M%S}"
            aside.mkdir()
            for path in present:
                if path.exists():
                    shutil.move(path, aside / path.name)
        for path in present:  # empty leftovers (a 0-byte file, an empty directory)
            if path.is_dir():
                path.rmdir()
            elif path.exists():
                path.unlink()
        _new_epoch(staged / DATABASE_MEMBER)
        (staged / ATTACHMENTS_MEMBER).mkdir(exist_ok=True)
        shutil.move(staged / ATTACHMENTS_MEMBER, attachments)
        shutil.move(staged / DATABASE_MEMBER, database)
    return Summary(
        archive_path,
        str(manifest["alembic_revision"]),
        len(manifest["attachments"]),
        int(manifest["database"]["size"]),
    )


def _new_epoch(database: Path) -> None:
    # A restored store is another store: a client holding a position from the live one (which
    # may have gone further than the backup, with other events under the same seq numbers)
    # is told to resync instead of resuming on the wrong events.
    with closing(sqlite3.connect(database)) as db:
        db.execute("UPDATE store_meta SET value = ? WHERE key = 'epoch'", (uuid.uuid4().hex,))
        db.commit()


def _holds_something(path: Path) -> bool:
    return path.stat().st_size > 0 if path.is_file() else any(path.iterdir())


def _database_files(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]


def _extract_checked(archive_path: Path, staged: Path) -> dict[str, Any]:
    """Extract ``archive_path`` into ``staged``, checking every member against the manifest;
    BackupError (and nothing restored) at the first doubt."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _manifest(archive)
            expected = {DATABASE_MEMBER} | {
                f"{ATTACHMENTS_MEMBER}/{sha[:2]}/{sha}" for sha in manifest["attachments"]
            }
            seen = set()
            for member in archive:
                if member.name == MANIFEST_MEMBER:
                    continue
                if member.name not in expected or member.name in seen or not member.isfile():
                    raise BackupError(f"unexpected member {member.name!r} in the archive")
                seen.add(member.name)
                with _open(archive, member) as source:
                    target = staged / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("wb") as out:
                        shutil.copyfileobj(source, out, CHUNK)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} is not a readable Essaim backup: {exc}") from None
    missing = expected - seen
    if missing:
        raise BackupError(f"the archive lacks {len(missing)} member(s), e.g. {min(missing)}")
    database = staged / DATABASE_MEMBER
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("the database in the archive does not match its manifest")
    for sha in manifest["attachments"]:
        if _sha256(staged / ATTACHMENTS_MEMBER / sha[:2] / sha) != sha:
            raise BackupError(f"attachment {sha} in the archive is damaged")
    revision, hashes = _describe(database)
    if hashes - set(manifest["attachments"]):
        raise BackupError("the database names attachments the archive does not hold")
    if revision != manifest["alembic_revision"]:
        raise BackupError("the database's migration revision does not match its manifest")
    return manifest


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST_MEMBER)
    except KeyError:
        raise BackupError("no manifest.json: not an Essaim backup") from None
    with _open(archive, member) as fh:
        try:
            manifest = json.loads(fh.read(CHUNK))
        except ValueError:
            raise BackupError("manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"not an Essaim backup of format {FORMAT}")
    attachments = manifest.get("attachments")
    if not isinstance(attachments, dict) or not all(
        isinstance(k, str) and len(k) == 64 and all(c in "0123456789abcdef" for c in k)
        for k in attachments
    ):
        raise BackupError("manifest.json lists attachments that are not SHA-256 names")
    database = manifest.get("database")
    if (
        not isinstance(database, dict)
        or not isinstance(database.get("sha256"), str)
        or not isinstance(database.get("size"), int)
    ):
        raise BackupError("manifest.json does not describe the database")
    if not isinstance(manifest.get("alembic_revision"), str):
        raise BackupError("manifest.json does not name the database's migration revision")
    return manifest


@contextmanager
def _open(archive: tarfile.TarFile, member: tarfile.TarInfo) -> Iterator[IO[bytes]]:
    source = archive.extractfile(member)
    if source is None:
        raise BackupError(f"member {member.name!r} is not a file")
    with source:
        yield source


def register(commands: Commands) -> None:
    backup_command = add_command(
        commands,
        "backup",
        "Back up the embedded database and attachments into one archive, while the server "
        "runs (PostgreSQL: use pg_dump).",
    )
    backup_command.add_argument(
        "--to", metavar="FILE", help="archive to write (default essaim-backup-<time>.tar.gz)"
    )
    backup_command.set_defaults(run=cmd_backup)
    restore_command = add_command(
        commands,
        "restore",
        "Restore an essaim backup archive into the data directory (stop the server first).",
    )
    restore_command.add_argument("file", metavar="FILE", help="archive written by essaim backup")
    restore_command.add_argument(
        "--force",
        action="store_true",
        help="replace existing data (moved aside to <data dir>/replaced-<time>/)",
    )
    restore_command.set_defaults(run=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    target = Path(args.to) if args.to else default_archive_name()
    try:
        summary = backup(settings_from(args), target)
    except BackupError as exc:
        print(f"essaim backup: {exc}", file=sys.stderr)
        return 2
    print(
        f"Sauvegarde écrite : {summary.archive} (base {summary.database_bytes} octets, "
        f"révision {summary.revision}, {summary.attachments} pièces jointes)."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        summary = restore(settings, Path(args.file), force=args.force)
    except BackupError as exc:
        print(f"essaim restore: {exc}", file=sys.stderr)
        return 2
    print(
        f"Sauvegarde {summary.archive} restaurée dans {settings.data_dir} (révision "
        f"{summary.revision}, {summary.attachments} pièces jointes)."
    )
    return 0
