"""Attachments over HTTP: multipart upload, type sniffed from the bytes, names sanitised,
content-addressed storage, size limits, access rules, and the exact bytes served back."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pypdf
import pytest
from starlette.applications import Starlette

from server.app.asgi import create_app
from tests.conftest import (
    ApiClient,
    PostgresServer,
    Template,
    World,
    fast_settings,
    join,
    own_database,
)

API = "/api/v1"
MAX_UPLOAD = 50_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


@dataclass
class Shared:
    """One app and database per backend for the whole module, with a world in it; each test
    gets a fresh card on the shared board (see ``world``)."""

    app: Starlette
    world: World


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def shared(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Template,
    postgres: PostgresServer | None,
) -> AsyncIterator[Shared]:
    data_dir = tmp_path_factory.mktemp("attachments")
    url = await own_database(
        request.param, data_dir, sqlite_template, postgres, "essaim_attachments"
    )
    # This app accepts attachments up to 50 kB.
    settings = fast_settings(data_dir / "data", url, max_upload_bytes=MAX_UPLOAD)
    app = create_app(settings, migrate=False)
    async with app.router.lifespan_context(app):
        clients = [await ApiClient(app).register(n) for n in ("anna", "marc", "olga", "oscar")]
        animator, member, observer, outsider = clients
        created = await animator.post(f"{API}/collectives", json={"name": "Rénovation Drôme"})
        cid = created.json()["id"]
        await join(animator, member, cid, "member")
        await join(animator, observer, cid, "observer")
        other = await outsider.post(f"{API}/collectives", json={"name": "Autre collective"})
        assert other.status_code == 201, other.text
        board = await animator.post(f"{API}/collectives/{cid}/boards", json={"name": "Idées"})
        assert board.status_code == 201, board.text
        columns = [c["id"] for c in board.json()["columns"]]
        world = World(animator, member, observer, outsider, cid, board.json()["id"], columns, {})
        yield Shared(app, world)
        for client in clients:
            await client.aclose()


@pytest.fixture
def app(shared: Shared) -> Starlette:
    return shared.app


@pytest.fixture
async def world(shared: Shared) -> World:
    """The shared world with a card of its own for this test."""
    card = await shared.world.member.post(
        f"{API}/boards/{shared.world.board_id}/cards", json={"title": "Devis isolation"}
    )
    assert card.status_code == 201, card.text
    return dataclasses.replace(shared.world, card=card.json())


# ---------------------------------------------------------------- real documents, built here


def pdf_bytes(text: str = "Essaim") -> bytes:
    """A minimal but valid one-page PDF (correct cross-reference offsets)."""
    content = f"BT /F1 24 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    out += b"%%EOF\n"
    return bytes(out)


def png_bytes(colour: bytes = b"\xff\x00\x00") -> bytes:
    """A valid 1×1 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + colour))
        + chunk(b"IEND", b"")
    )


def markdown_bytes() -> bytes:
    return "# Compte rendu\n\nÉchanges sur l'isolation — « très utile ».\n".encode()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Plan d'action isolation</w:t></w:r></w:p></w:body>"
            "</w:document>",
        )
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.2">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            "<office:document-content"
            ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            "<office:body><office:text><text:p>Diagnostic énergie</text:p></office:text>"
            "</office:body></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def docm_bytes() -> bytes:
    """A macro-enabled Word document: an OOXML package whose main part is not a .docx one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ---------------------------------------------------------------- helpers


def card_url(world: World) -> str:
    return f"{API}/cards/{world.card['id']}"


async def upload(
    client: ApiClient, world: World, name: str, data: bytes, claimed: str = "application/pdf"
) -> httpx.Response:
    return await client.post(
        f"{card_url(world)}/attachments", files={"file": (name, data, claimed)}
    )


def stored_files(app: Starlette) -> list[Path]:
    """Every file under the attachments directory (temporary uploads included)."""
    root: Path = app.state.essaim.settings.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


State = tuple[int, list[dict[str, Any]], list[Path]]


async def state(world: World, app: Starlette) -> State:
    """The collective's seq, the card's attachments and the files on disk."""
    collective = await world.animator.get(f"{API}/collectives/{world.collective_id}")
    card = await world.animator.get(card_url(world))
    return collective.json()["seq"], card.json()["attachments"], stored_files(app)


def assert_error(response: httpx.Response, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert {"code", "message", "fields"} <= error.keys(), error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    if field is None:
        assert error["fields"] == {}, error
    else:
        assert field in error["fields"], error


async def assert_nothing_recorded(world: World, app: Starlette, before: State) -> None:
    """Same seq, no attachment on the card, no new file (not even a temporary one)."""
    assert await state(world, app) == before
    assert before[1] == []


def new_files(app: Starlette, before: list[Path]) -> list[Path]:
    return sorted(set(stored_files(app)) - set(before))


# ---------------------------------------------------------------- accepted documents

DOCUMENTS = [
    pytest.param("devis.pdf", pdf_bytes(), "application/pdf", "application/pdf", True, id="pdf"),
    pytest.param("chantier.png", png_bytes(), "image/png", "image/png", True, id="png"),
    pytest.param(
        "compte-rendu.md",
        markdown_bytes(),
        "text/markdown",
        "text/markdown; charset=utf-8",
        False,
        id="markdown",
    ),
    pytest.param("plan d'action.docx", docx_bytes(), DOCX, DOCX, False, id="docx"),
    pytest.param("diagnostic énergie.odt", odt_bytes(), ODT, ODT, False, id="odt"),
]


def test_built_documents_are_real() -> None:
    """The hand-built fixtures are what they claim: a readable PDF, a decodable PNG, zips."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes("Essaim")))
    assert "Essaim" in reader.pages[0].extract_text()
    assert png_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with zipfile.ZipFile(io.BytesIO(odt_bytes())) as odt:
        assert odt.namelist()[0] == "mimetype"
        assert odt.read("mimetype") == ODT.encode()
        assert odt.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as docx:
        assert {"[Content_Types].xml", "word/document.xml"} <= set(docx.namelist())


@pytest.mark.parametrize(("name", "data", "claimed", "expected", "inline"), DOCUMENTS)
async def test_upload_is_sniffed_hashed_recorded_and_served_back_exactly(
    world: World,
    app: Starlette,
    name: str,
    data: bytes,
    claimed: str,
    expected: str,
    inline: bool,
) -> None:
    seq_before, _, files_before = await state(world, app)
    response = await upload(world.member, world, name, data, claimed)
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["content_type"] == expected
    assert attachment["size"] == len(data)
    assert attachment["sha256"] == hashlib.sha256(data).hexdigest()
    assert attachment["filename"] == name
    assert attachment["card_id"] == world.card["id"]
    assert attachment["uploader_id"] == world.member.id
    assert attachment["url"] == f"{API}/attachments/{attachment['id']}"

    card = (await world.observer.get(card_url(world))).json()
    assert [a["id"] for a in card["attachments"]] == [attachment["id"]]
    path = app.state.essaim.files.path_of(attachment["sha256"])
    assert path.read_bytes() == data
    assert set(new_files(app, files_before)) <= {path}

    download = await world.observer.get(attachment["url"])
    assert download.status_code == 200, download.text
    assert download.content == data
    assert download.headers["content-type"] == expected
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.split(";")[0] == ("inline" if inline else "attachment")
    assert f"filename*=UTF-8''{quote(name)}" in disposition

    events = await world.animator.get(
        f"{API}/collectives/{world.collective_id}/events", params={"since": seq_before}
    )
    assert events.status_code == 200, events.text
    added = [e for e in events.json()["events"] if e["kind"] == "attachment.added"]
    assert len(added) == 1
    assert added[0]["card"] == world.card["id"]
    assert added[0]["data"]["id"] == attachment["id"]
    assert added[0]["data"]["sha256"] == attachment["sha256"]
    assert events.json()["seq"] == seq_before + 1


@pytest.mark.parametrize(
    ("name", "claimed", "data", "expected"),
    [
        pytest.param("notes.pdf", "application/pdf", png_bytes(), "image/png", id="png_as_pdf"),
        pytest.param("photo.png", "image/png", pdf_bytes(), "application/pdf", id="pdf_as_png"),
        pytest.param(
            "page.html",
            "text/html",
            b"<!doctype html><script>alert(document.cookie)</script>",
            "text/plain; charset=utf-8",
            id="html_as_text",
        ),
        pytest.param("rapport.docx", DOCX, odt_bytes(), ODT, id="odt_as_docx"),
    ],
)
async def test_content_type_comes_from_the_bytes_not_from_the_client(
    world: World, name: str, claimed: str, data: bytes, expected: str
) -> None:
    response = await upload(world.member, world, name, data, claimed)
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == expected
    assert response.json()["filename"] == name
    download = await world.member.get(response.json()["url"])
    assert download.headers["content-type"] == expected
    assert download.content == data
    assert download.headers["x-content-type-options"] == "nosniff"
    if not expected.startswith(("image/", "application/pdf")):
        assert download.headers["content-disposition"].startswith("attachment;")


def raw_multipart(filename: bytes, data: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body written by hand, so the file name reaches the server unescaped."""
    boundary = f"essaim-{uuid.uuid4().hex}".encode()
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: text/markdown\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n"
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        pytest.param(b"../../etc/passwd", "passwd", id="dot_dot_slash"),
        pytest.param(b"/var/www/index.md", "index.md", id="absolute"),
        pytest.param(b"rap\x01port\x1f\x7f final.md", None, id="control_chars"),
        pytest.param('Réunion  <n°3>: "bilan"?.md'.encode(), None, id="reserved_chars"),
        pytest.param(b"...", "fichier", id="only_dots"),
        pytest.param(("x" * 300 + ".md").encode(), None, id="too_long"),
    ],
)
async def test_file_name_is_sanitised(
    world: World, app: Starlette, filename: bytes, expected: str | None
) -> None:
    data = markdown_bytes()
    files_before = stored_files(app)
    body, headers = raw_multipart(filename, data)
    response = await world.member.post(
        f"{card_url(world)}/attachments", content=body, headers=headers
    )
    assert response.status_code == 201, response.text
    stored = response.json()["filename"]
    if expected is not None:
        assert stored == expected
    assert stored and len(stored) <= 120
    assert not any(c in stored for c in '/\\:*?"<>|'), stored
    assert not any(ord(c) < 32 or ord(c) == 127 for c in stored), stored
    assert not stored.startswith(".")
    download = await world.member.get(response.json()["url"])
    assert download.content == data
    disposition = download.headers["content-disposition"]
    assert "/" not in disposition.split("filename*=", 1)[1]
    assert f"filename*=UTF-8''{quote(stored)}" in disposition
    # The name never decides where the bytes go: only their hash does.
    path = app.state.essaim.files.path_of(hashlib.sha256(data).hexdigest())
    assert path in stored_files(app)
    assert set(new_files(app, files_before)) <= {path}


# ---------------------------------------------------------------- refused uploads


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param(
            "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000), id="windows_exe"
        ),
        pytest.param(
            "installer.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(8) + os.urandom(2000), id="elf"
        ),
        pytest.param("data.bin", b"\x00\x01\x02\xff" + os.urandom(2000), id="unknown_binary"),
        pytest.param(
            "archive.docx", zip_bytes({"payload.sh": b"#!/bin/sh\nrm -rf /\n"}), id="plain_zip"
        ),
        pytest.param(
            "fake.odt",
            zip_bytes({"mimetype": b"application/x-msdownload", "x.exe": b"MZ"}),
            id="zip_with_foreign_mimetype",
        ),
        pytest.param("latin1.md", "Cahier des charges à réviser".encode("latin-1"), id="not_utf8"),
        # A ZIP is never taken for what its entries claim: only %PDF- makes a PDF, and only an
        # ODF mimetype or an OOXML main part makes an office document.
        pytest.param(
            "devis.pdf",
            zip_bytes({"mimetype": b"application/pdf", "page.html": b"<script>x()</script>"}),
            id="zip_whose_mimetype_says_pdf",
        ),
        pytest.param(
            "photo.png", zip_bytes({"mimetype": b"image/png", "x": b"y"}), id="zip_says_png"
        ),
        pytest.param("devis.pdf", zip_bytes({"devis.pdf": pdf_bytes()}), id="zip_of_a_pdf"),
        pytest.param("devis.pdf", b"\xef\xbb\xbf" + pdf_bytes(), id="pdf_after_a_bom"),
        pytest.param("macros.docx", docm_bytes(), id="macro_enabled_word"),
    ],
)
async def test_executable_or_unknown_file_is_refused_with_415_and_nothing_recorded(
    world: World, app: Starlette, name: str, data: bytes
) -> None:
    before = await state(world, app)
    response = await upload(world.member, world, name, data, "application/pdf")
    assert_error(response, 415, "unsupported_file_type", "file")
    await assert_nothing_recorded(world, app, before)


async def test_empty_file_is_refused_and_nothing_recorded(world: World, app: Starlette) -> None:
    before = await state(world, app)
    response = await upload(world.member, world, "vide.pdf", b"", "application/pdf")
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert {"code", "message", "fields"} <= error.keys()
    assert "file" in error["fields"]
    await assert_nothing_recorded(world, app, before)


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(MAX_UPLOAD + 1, id="just_over_the_upload_limit"),
        pytest.param(1_300_000, id="over_the_request_cap"),
    ],
)
async def test_file_over_the_upload_limit_gets_413_and_nothing_stored(
    world: World, app: Starlette, size: int
) -> None:
    before = await state(world, app)
    data = (b"# Gros fichier\n" + b"ligne de texte\n" * (size // 15 + 1))[:size]
    response = await upload(world.member, world, "gros.md", data, "text/markdown")
    assert_error(response, 413, "payload_too_large", "file" if size == MAX_UPLOAD + 1 else None)
    await assert_nothing_recorded(world, app, before)


async def test_file_at_the_upload_limit_is_accepted(world: World) -> None:
    data = (b"# Juste assez\n" + b"x" * MAX_UPLOAD)[:MAX_UPLOAD]
    response = await upload(world.member, world, "juste.md", data, "text/markdown")
    assert response.status_code == 201, response.text
    assert response.json()["size"] == MAX_UPLOAD


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            {"files": {"document": ("a.pdf", pdf_bytes(), "application/pdf")}}, id="other"
        ),
        pytest.param({"data": {"file": "not a file"}, "files": {"x": ("x", b"x")}}, id="text"),
        pytest.param({"files": {"file": ("", pdf_bytes(), "application/pdf")}}, id="no_name"),
    ],
)
async def test_upload_without_a_file_field_gets_422(
    world: World, app: Starlette, send: dict[str, Any]
) -> None:
    before = await state(world, app)
    response = await world.member.post(f"{card_url(world)}/attachments", **send)
    assert_error(response, 422, "invalid_input", "file")
    await assert_nothing_recorded(world, app, before)


@pytest.mark.parametrize(
    "send",
    [
        pytest.param({"json": {"file": "JVBERi0xLjQ="}}, id="json"),
        pytest.param(
            {"content": pdf_bytes(), "headers": {"Content-Type": "application/pdf"}}, id="raw_pdf"
        ),
        pytest.param({"content": b"file=x", "headers": {"Content-Type": "text/plain"}}, id="text"),
    ],
)
async def test_upload_that_is_not_multipart_gets_415(
    world: World, app: Starlette, send: dict[str, Any]
) -> None:
    before = await state(world, app)
    response = await world.member.post(f"{card_url(world)}/attachments", **send)
    assert_error(response, 415, "unsupported_media_type", None)
    await assert_nothing_recorded(world, app, before)


async def test_observer_upload_is_forbidden_and_stores_nothing(
    world: World, app: Starlette
) -> None:
    before = await state(world, app)
    response = await upload(world.observer, world, "devis.pdf", pdf_bytes())
    assert_error(response, 403, "forbidden", None)
    await assert_nothing_recorded(world, app, before)


async def test_outsider_upload_gets_404_and_stores_nothing(world: World, app: Starlette) -> None:
    before = await state(world, app)
    response = await upload(world.outsider, world, "devis.pdf", pdf_bytes())
    assert_error(response, 404, "not_found", None)
    await assert_nothing_recorded(world, app, before)


@pytest.mark.parametrize(
    "path", ["/cards/999999/attachments", "/cards/99999999999999999999/attachments"]
)
async def test_upload_to_an_unknown_card_gets_404_and_stores_nothing(
    world: World, app: Starlette, path: str
) -> None:
    before = await state(world, app)
    response = await world.member.post(
        API + path, files={"file": ("devis.pdf", pdf_bytes(), "application/pdf")}
    )
    assert_error(response, 404, "not_found", None)
    await assert_nothing_recorded(world, app, before)


async def test_anonymous_or_csrf_less_upload_is_refused(world: World, app: Starlette) -> None:
    before = await state(world, app)
    anonymous = ApiClient(app)
    try:
        response = await upload(anonymous, world, "devis.pdf", pdf_bytes())
    finally:
        await anonymous.aclose()
    assert_error(response, 401, "not_authenticated", None)
    response = await world.member.post(
        f"{card_url(world)}/attachments",
        files={"file": ("devis.pdf", pdf_bytes(), "application/pdf")},
        headers={"X-CSRF-Token": "wrong"},
    )
    assert_error(response, 403, "csrf_failed", None)
    await assert_nothing_recorded(world, app, before)


async def test_outsider_cannot_download_an_attachment(world: World) -> None:
    response = await upload(world.member, world, "devis.pdf", pdf_bytes())
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    refused = await world.outsider.get(url)
    assert_error(refused, 404, "not_found", None)
    assert pdf_bytes() not in refused.content
    for path in ("/attachments/999999", "/attachments/99999999999999999999", "/attachments/0"):
        missing = await world.member.get(API + path)
        assert_error(missing, 404, "not_found", None)


async def test_same_bytes_twice_are_stored_once_but_recorded_twice(
    world: World, app: Starlette
) -> None:
    data = pdf_bytes(f"Devis commun {uuid.uuid4().hex}")
    files_before = stored_files(app)
    first = await upload(world.member, world, "devis.pdf", data)
    second = await upload(
        world.animator, world, "devis-copie.pdf", data, "application/octet-stream"
    )
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    one, two = first.json(), second.json()
    assert one["id"] != two["id"]
    assert one["sha256"] == two["sha256"] == hashlib.sha256(data).hexdigest()
    assert new_files(app, files_before) == [app.state.essaim.files.path_of(one["sha256"])]
    card = (await world.member.get(card_url(world))).json()
    assert [(a["id"], a["filename"]) for a in card["attachments"]] == [
        (one["id"], "devis.pdf"),
        (two["id"], "devis-copie.pdf"),
    ]
    for attachment in (one, two):
        download = await world.member.get(attachment["url"])
        assert download.content == data
        assert quote(attachment["filename"]) in download.headers["content-disposition"]


async def test_every_attachment_is_served_sandboxed_and_never_sniffed(world: World) -> None:
    """An inline PDF or image runs nothing in the site's origin (CSP sandbox), may only be
    framed by the site, and is never re-typed by the browser."""
    for name, data, inline in (
        ("devis.pdf", pdf_bytes(), True),
        ("chantier.png", png_bytes(), True),
        ("notes.md", markdown_bytes(), False),
    ):
        response = await upload(world.member, world, name, data)
        assert response.status_code == 201, response.text
        download = await world.member.get(response.json()["url"])
        policy = [d.strip() for d in download.headers["content-security-policy"].split(";")]
        assert "sandbox" in policy and "default-src 'none'" in policy, policy
        assert "frame-ancestors 'self'" in policy, policy
        assert download.headers["x-content-type-options"] == "nosniff"
        disposition = download.headers["content-disposition"]
        assert disposition == f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{name}"


async def test_a_stored_pdf_whose_bytes_are_not_a_pdf_is_served_as_a_download(
    world: World, app: Starlette
) -> None:
    """A record typed PDF before sniffing was strict (a ZIP saying PDF) is not shown inline."""
    response = await upload(world.member, world, "devis.pdf", pdf_bytes(uuid.uuid4().hex))
    assert response.status_code == 201, response.text
    crafted = zip_bytes({"mimetype": b"application/pdf", "page.html": b"<script>x()</script>"})
    app.state.essaim.files.path_of(response.json()["sha256"]).write_bytes(crafted)
    download = await world.member.get(response.json()["url"])
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == crafted
