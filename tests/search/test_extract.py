"""Text extraction from real PDF, DOCX, ODT, Markdown files built here; unreadable files are
recorded as such and never block the upload."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from search.extract import DOCX, ODT, PDF, Unreadable, chunks, extract_text
from server.core.models import Attachment
from tests.search.conftest import Stack


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the lines in Helvetica (WinAnsi, so French accents work)."""
    text = "".join(
        f"BT /F1 12 Tf 50 {750 - 20 * n} Td ("
        + line.encode("cp1252").decode("latin-1").replace("(", "\\(").replace(")", "\\)")
        + ") Tj ET\n"
        for n, line in enumerate(lines)
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt(paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def test_pdf_docx_odt_and_text_are_read(tmp_path: Path) -> None:
    lines = ["Diagnostic énergétique", "Isolation des façades"]
    for name, data, kind in [
        ("a.pdf", make_pdf(lines), PDF),
        ("a.docx", make_docx(lines), DOCX),
        ("a.odt", make_odt(lines), ODT),
        ("a.md", "# Diagnostic énergétique\n\nIsolation des façades\n".encode(), "text/markdown"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        text = extract_text(path, kind)
        assert "Diagnostic énergétique" in text and "Isolation des façades" in text, name


def test_damaged_files_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a PDF")
    for kind in (PDF, DOCX, ODT, "image/png"):
        try:
            extract_text(path, kind)
        except Unreadable:
            continue
        raise AssertionError(f"{kind} should be unreadable")


def test_long_texts_are_chunked() -> None:
    pieces = list(chunks("mot " * 3100, size=1500))
    assert [len(p.split()) for p in pieces] == [1500, 1500, 100]
    assert list(chunks("")) == [""]


async def test_uploaded_documents_are_searchable_and_unreadable_ones_recorded(
    stack: Stack,
) -> None:
    card = await stack.card(stack.member, "Dossier de l'atelier")
    uploads = [
        ("bilan.pdf", make_pdf(["Bilan carbone du fournil"]), "application/pdf"),
        ("plan.docx", make_docx(["Plan de formation des apprentis"]), "application/octet-stream"),
        ("charte.odt", make_odt(["Charte de la mutualisation"]), "application/octet-stream"),
    ]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("mimetype", ODT)  # an ODT with no content.xml
    uploads.append(("vide.odt", broken.getvalue(), "application/octet-stream"))
    for name, data, kind in uploads:
        response = await stack.member.post(
            f"/api/v1/cards/{card}/attachments", files={"file": (name, data, kind)}
        )
        assert response.status_code == 201, response.text
    await stack.index()
    for q, name in [
        ("bilan carbone ", "bilan.pdf"),
        ("apprenti ", "plan.docx"),
        ("mutualisation ", "charte.odt"),
    ]:
        [hit] = (await stack.find(stack.member, q))["hits"]
        assert (hit["type"], hit["title"], hit["card_id"]) == ("attachment", name, card)
    async with stack.search.essaim.db.read() as session:
        status = dict(
            (await session.execute(select(Attachment.filename, Attachment.text_status))).all()
        )
    assert status == {
        "bilan.pdf": "ok",
        "plan.docx": "ok",
        "charte.odt": "ok",
        "vide.odt": "unreadable",
    }
