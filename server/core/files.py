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

from server.core.errors import ErrorCode, PayloadTooLarge, UnsupportedMediaType

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# Content types we accept, by what the bytes are (never by what the client claims).
ALLOWED_BINARY = {PDF, DOCX, XLSX, PPTX, *ODF_TYPES, *IMAGE_TYPES}
TEXT_TYPES_BY_EXTENSION = {".md": "text/markdown", ".markdown": "text/markdown", ".csv": "text/csv"}
# Shown inline by browsers; everything else is served as a download.
INLINE_TYPES = {PDF, *IMAGE_TYPES}
# Served instead of a recorded inline type that the stored bytes no longer confirm.
UNKNOWN_BINARY = "application/octet-stream"

# An OOXML package says what it is in [Content_Types].xml, by its main part's type; the
# macro-enabled and template variants have other types and are refused.
_OOXML_BY_MAIN_PART = {
    DOCX + ".main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    PPTX + ".main+xml": PPTX,
}
_CONTENT_TYPE_ATTRIBUTE = re.compile(rb"""ContentType\s*=\s*["']([^"']{1,200})["']""")
_MAX_MANIFEST_BYTES = 1024 * 1024
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
    """What the file really is, or UnsupportedMediaType for anything outside the allow-list.

    Only the bytes decide, each by the rule its own format sets: a PDF starts with ``%PDF-``
    (what a browser's viewer requires), an image with its signature, a ZIP is an office
    document only when its own manifest says so. Nothing is guessed from an entry's name,
    so a ZIP whose first entry claims PDF is refused rather than served inline as a PDF.
    """
    with path.open("rb") as fh:
        head = fh.read(8192)
    mime = _sniff(path, head)
    if mime in ALLOWED_BINARY:
        return mime
    if mime is None and _is_text(head):
        extension = Path(filename).suffix.lower()
        base = TEXT_TYPES_BY_EXTENSION.get(extension, "text/plain")
        return f"{base}; charset=utf-8"
    raise UnsupportedMediaType(
        "this type of file is not accepted (PDF, images, office documents and text are)",
        code=ErrorCode.UNSUPPORTED_FILE_TYPE,
        fields={"file": f"unsupported content ({mime or 'unknown binary'})"},
    )


def _sniff(path: Path, head: bytes) -> str | None:
    """The allowed type the bytes prove, another type they show, or None (text or unknown)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip_document(path) or "application/zip"
    kind = filetype.guess(head)
    mime: str | None = kind.mime if kind else None
    if mime is None or mime in IMAGE_TYPES or mime not in ALLOWED_BINARY:
        return mime
    # An allowed type that its own rule did not prove (a PDF behind a BOM): unknown bytes.
    return UNKNOWN_BINARY


def _sniff_zip_document(path: Path) -> str | None:
    """An ODF document (its first entry ``mimetype`` names an ODF type) or an OOXML one (its
    ``[Content_Types].xml`` declares a .docx, .xlsx or .pptx main part), else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if entries and entries[0].filename == "mimetype":
                if entries[0].file_size > 200:
                    return None
                declared = archive.read(entries[0]).decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
            manifest = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
            if manifest is None or manifest.file_size > _MAX_MANIFEST_BYTES:
                return None
            declared_types = _CONTENT_TYPE_ATTRIBUTE.findall(archive.read(manifest))
    except (zipfile.BadZipFile, OSError, KeyError, NotImplementedError, RuntimeError):
        return None
    found = {_OOXML_BY_MAIN_PART.get(t.decode("ascii", "replace")) for t in declared_types}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def served_type(path: Path, recorded: str) -> tuple[str, bool]:
    """The type to serve a stored file with, and whether it may be shown inline: only when
    the bytes still prove the recorded inline type (a record made before sniffing was strict
    is served as a download of unknown bytes instead)."""
    if recorded not in INLINE_TYPES:
        return recorded, False
    with path.open("rb") as fh:
        head = fh.read(8192)
    if _sniff(path, head) == recorded:
        return recorded, True
    return UNKNOWN_BINARY, False


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
                    "the file is empty", code=ErrorCode.EMPTY_FILE, fields={"file": "empty"}
                )
            content_type = sniff_content_type(tmp, filename)
            sha = digest.hexdigest()
            final = self.path_of(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return StoredFile(sha256=sha, size=size, content_type=content_type, path=final)
        finally:
            tmp.unlink(missing_ok=True)
