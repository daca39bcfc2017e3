"""Attachment storage: names sanitised, content types sniffed from the bytes, files kept on
disk under their SHA-256 (so the same document uploaded twice is stored once)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from server.errors import PayloadTooLarge, UnsupportedMediaType

# Content types we accept, by what the bytes are (never by what the client claims).
ALLOWED_BINARY = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
TEXT_TYPES_BY_EXTENSION = {".md": "text/markdown", ".markdown": "text/markdown", ".csv": "text/csv"}
# Shown inline by browsers; everything else is served as a download.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}

_OOXML_BY_DIR = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_FORBIDDEN_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    path: Path


def sanitize_filename(name: str, max_length: int = 120) -> str:
    """A display-safe file name: no directories, control or reserved characters, NFC."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _FORBIDDEN_IN_NAME.sub("_", name).strip(" .")
    if not name:
        return "fichier"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name[:max_length]
    ext = ext[:16]
    return f"{stem[: max_length - len(ext) - 1]}.{ext}"


def sniff_content_type(path: Path, filename: str) -> str:
    """What the file really is, or UnsupportedMediaType for anything outside the allow-list."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    kind = filetype.guess(head)
    mime: str | None = kind.mime if kind else None
    if mime in {"application/zip", "application/x-zip-compressed"} or (
        mime and mime.startswith("application/vnd.")
    ):
        mime = _sniff_zip_document(path)
    if mime in ALLOWED_BINARY:
        return mime
    if mime is None and _is_text(head):
        extension = Path(filename).suffix.lower()
        base = TEXT_TYPES_BY_EXTENSION.get(extension, "text/plain")
        return f"{base}; charset=utf-8"
    raise UnsupportedMediaType(
        "this type of file is not accepted (PDF, images, office documents and text are)",
        code="unsupported_file_type",
        fields={"file": f"unsupported content ({mime or 'unknown binary'})"},
    )


def _sniff_zip_document(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ALLOWED_BINARY else None
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML_BY_DIR.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed block is still text.
        return exc.start >= len(head) - 3
    return True


class FileStore:
    """Content-addressed files under ``root``: ``ab/abcdef…``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def save(self, source: BinaryIO, filename: str, max_bytes: int) -> StoredFile:
        """Copy ``source`` to the store, enforcing the size limit and sniffing the type."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(
                            f"the file is larger than {max_bytes} bytes",
                            fields={"file": f"at most {max_bytes} bytes"},
                        )
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UnsupportedMediaType(
                    "the file is empty", code="empty_file", fields={"file": "empty"}
                )
            content_type = sniff_content_type(tmp, filename)
            sha = digest.hexdigest()
            final = self.path_of(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return StoredFile(sha256=sha, size=size, content_type=content_type, path=final)
        finally:
            tmp.unlink(missing_ok=True)
