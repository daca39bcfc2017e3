"""Uploaded files: names made safe to show, types decided by the bytes alone (an allow-list),
and a content-addressed store that enforces the size limit."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest

from server.core.errors import PayloadTooLarge, UnsupportedMediaType
from server.core.files import (
    DOCX,
    PDF,
    UNKNOWN_BINARY,
    FileStore,
    sanitize_filename,
    served_type,
    sniff_content_type,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ELF = b"\x7fELF" + b"\x00" * 60


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\anna\\Devis été.pdf", "Devis été.pdf"),
        ("plan<v2>?.md", "plan_v2_.md"),
        ("  ..  ", "fichier"),
        (".bashrc", "bashrc"),
    ],
)
def test_file_names_lose_directories_and_reserved_characters(given: str, shown: str) -> None:
    assert sanitize_filename(given) == shown


def test_file_names_are_nfc_and_cut_keeping_their_extension() -> None:
    assert sanitize_filename(unicodedata.normalize("NFD", "Réunion.odt")) == "Réunion.odt"
    long = sanitize_filename("compte-rendu " * 20 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")


def test_text_is_typed_by_its_extension_with_utf8(tmp_path: Path) -> None:
    notes = "# Chantier de l’école\nIsolation à prévoir.\n".encode()
    assert sniff_content_type(write(tmp_path, "a", notes), "notes.md") == (
        "text/markdown; charset=utf-8"
    )
    assert sniff_content_type(write(tmp_path, "b", b"nom;ville\nAnna;Die\n"), "liste.csv") == (
        "text/csv; charset=utf-8"
    )
    # A character cut at the end of the sniffed block is still text.
    cut = ("é" * 4096).encode()[:8191]
    assert sniff_content_type(write(tmp_path, "c", cut), "long.txt") == "text/plain; charset=utf-8"


def test_pdf_images_and_office_documents_are_typed_by_their_bytes(tmp_path: Path) -> None:
    assert sniff_content_type(write(tmp_path, "a", b"%PDF-1.7\n"), "devis.txt") == PDF
    assert sniff_content_type(write(tmp_path, "b", PNG), "photo.pdf") == "image/png"
    odt = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""})
    assert sniff_content_type(write(tmp_path, "c", odt), "cr.zip") == (
        "application/vnd.oasis.opendocument.text"
    )
    manifest = (
        b'<Types><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    docx = zipped({"[Content_Types].xml": manifest})
    assert sniff_content_type(write(tmp_path, "d", docx), "devis.docx") == DOCX


@pytest.mark.parametrize(
    "content",
    [
        zipped({"devis.pdf": b"%PDF-1.7\n"}),  # a ZIP whose entry claims PDF
        ELF,  # a program
        b"\xef\xbb\xbf%PDF-1.7\n\x00",  # a PDF behind a BOM: not what viewers accept
    ],
)
def test_anything_else_is_refused(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        sniff_content_type(write(tmp_path, "f", content), "devis.pdf")


def test_only_files_whose_bytes_still_prove_an_inline_type_are_shown_inline(
    tmp_path: Path,
) -> None:
    assert served_type(write(tmp_path, "a", b"%PDF-1.7\n"), PDF) == (PDF, True)
    assert served_type(write(tmp_path, "b", b"<html>"), PDF) == (UNKNOWN_BINARY, False)
    assert served_type(write(tmp_path, "c", b"x"), "text/plain; charset=utf-8") == (
        "text/plain; charset=utf-8",
        False,
    )


def test_the_store_keeps_files_by_their_sha256(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    stored = store.save(io.BytesIO(b"%PDF-1.7\n"), "devis.pdf", max_bytes=1000)
    again = store.save(io.BytesIO(b"%PDF-1.7\n"), "autre.pdf", max_bytes=1000)
    assert stored == again
    assert (stored.size, stored.content_type) == (9, PDF)
    assert (
        stored.path
        == store.path_of(stored.sha256)
        == tmp_path / "files" / stored.sha256[:2] / stored.sha256
    )
    assert stored.path.read_bytes() == b"%PDF-1.7\n"


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"x" * 1001, PayloadTooLarge), (b"", UnsupportedMediaType), (ELF, UnsupportedMediaType)],
)
def test_refused_uploads_leave_nothing_behind(
    tmp_path: Path, content: bytes, error: type[Exception]
) -> None:
    store = FileStore(tmp_path / "files")
    with pytest.raises(error):
        store.save(io.BytesIO(content), "devis.pdf", max_bytes=1000)
    assert list(store.root.rglob("*")) == []
