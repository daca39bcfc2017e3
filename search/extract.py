"""Text of attached files for search: PDF, DOCX, ODT, plain text and Markdown.

``extract_text`` answers the text, or raises ``Unreadable`` (damaged, encrypted, or a type
whose words we cannot read, such as images); callers record that and carry on. Long texts
are cut into ``chunks`` so that engines with per-field limits see every word.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT_PREFIXES = ("text/plain", "text/markdown")

# A chunk is at most this many words: well under Meilisearch's 65,535 positions per attribute
# and short enough for bm25's length normalisation to stay meaningful.
CHUNK_WORDS = 1500
# Text beyond this is not indexed: a 20 MB upload must not stall the indexer.
MAX_CHARS = 2_000_000

_ODF_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SPACES = re.compile(r"[ \t\r\f\v]+")


class Unreadable(Exception):
    """The file's text cannot be extracted; the attachment stays, unsearchable by content."""


def searchable(content_type: str) -> bool:
    """Whether files of this type have text we extract."""
    base = content_type.split(";")[0].strip()
    return base in {PDF, DOCX, ODT} or base.startswith(TEXT_PREFIXES)


def extract_text(path: Path, content_type: str) -> str:
    """The text of the file at ``path`` (whitespace tidied, at most ``MAX_CHARS``)."""
    base = content_type.split(";")[0].strip()
    try:
        if base == PDF:
            text = _pdf(path)
        elif base == DOCX:
            text = _docx(path)
        elif base == ODT:
            text = _odt(path)
        elif base.startswith(TEXT_PREFIXES):
            text = path.read_bytes()[: MAX_CHARS * 4].decode("utf-8", errors="replace")
        else:
            raise Unreadable(f"no text extraction for {base}")
    except Unreadable:
        raise
    except Exception as exc:  # any parser failure means the same thing: no text
        raise Unreadable(f"{type(exc).__name__}: {exc}") from exc
    return _SPACES.sub(" ", text)[:MAX_CHARS].strip()


def chunks(text: str, size: int = CHUNK_WORDS) -> Iterator[str]:
    """``text`` cut into pieces of at most ``size`` words (at least one piece)."""
    parts = text.split()
    if not parts:
        yield ""
        return
    for start in range(0, len(parts), size):
        yield " ".join(parts[start : start + size])


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    if reader.is_encrypted:
        raise Unreadable("encrypted PDF")
    pages: list[str] = []
    size = 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        size += len(pages[-1])
        if size > MAX_CHARS:
            break
    return "\n".join(pages)


def _docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _odt(path: Path) -> str:
    # content.xml read directly: odfpy's loader is much slower and adds nothing for plain text.
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    lines: list[str] = []
    for element in root.iter():
        if element.tag in (f"{{{_ODF_TEXT_NS}}}p", f"{{{_ODF_TEXT_NS}}}h"):
            lines.append("".join(element.itertext()))
    return "\n".join(lines)
