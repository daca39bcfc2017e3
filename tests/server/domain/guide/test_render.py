"""The practice guide in every format: the PDF and the ODT carry the cover, the « Sommaire »
and every practice sheet; the HTML escapes what people typed; the open data holds every
practice and the licence, its CSV never runs a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from datetime import date

import pytest
from odf import teletype, text
from odf.opendocument import load
from pypdf import PdfReader

from server.core.errors import PdfUnavailable
from server.domain.guide.model import Guide, Image, Practice, Section, Trial
from server.domain.guide.opendata import guide_csv, guide_json
from server.domain.guide.render import guide_html, guide_odt, guide_pdf, period

# A valid 1×1 PNG (one blue pixel).
PIXEL_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\x90\xf6\xed\xfc\x0f\x00\x03i\x01\xf1\xea\xeb\x92"
    b"\x0c\x00\x00\x00\x00IEND\xaeB`\x82"
)

FULL = Practice(
    id=7,
    title="Mutualiser les achats",
    kind="practice",
    summary="## Pourquoi\n\nAcheter ensemble coûte moins cher.\n\n* papier\n* énergie",
    tags=("achats", "énergie"),
    author="Camille",
    context="Six boulangeries du canton.",
    steps=("Recenser les besoins", "Choisir un fournisseur", "Signer un contrat commun"),
    results="Moins 12 % sur la facture.",
    costs="Deux demi-journées.",
    vigilance="Garder un contrat résiliable.",
    contacts="achats@exemple.fr",
    tried_by=(Trial("Boulangerie Morin", "Ça marche"), Trial("Anonyme", "")),
    images=(Image("facture.png", "image/png", PIXEL_PNG),),
    capitalised_on=date(2026, 11, 3),
)
DECISION = Practice(
    id=8,
    title="Réunion mensuelle le mardi",
    kind="decision",
    summary="Décidé en plénière.",
    tags=("gouvernance",),
    author="Anonyme",
)
PLAIN = Practice(
    id=9,
    title="Covoiturer vers le marché",
    kind="practice",
    summary="Un tableau partagé des trajets.",
    tags=(),
    author="Luc",
)
GUIDE = Guide(
    collective="Les Fournils du Retz",
    description="Un collectif de boulangers.",
    territory="Pays de Retz",
    funders=("Région Pays de la Loire", "Ademe"),
    starts_on=date(2026, 3, 1),
    ends_on=date(2027, 6, 30),
    made_on=date(2026, 12, 8),
    licence="CC BY-SA 4.0",
    sections=(
        Section("Achats", (FULL, PLAIN)),
        Section("Gouvernance", (DECISION,)),
    ),
)
EMPTY = dataclasses.replace(GUIDE, sections=())
TITLES = [FULL.title, DECISION.title, PLAIN.title]
EXPECTED = [
    *TITLES,
    GUIDE.collective,
    "Guide des pratiques",
    "Sommaire",
    *FULL.steps,
    "Essayé par",
    "Boulangerie Morin",
    "De mars 2026 à juin 2027",
    "Édité le 8 décembre 2026",
    "Avec le soutien de Région Pays de la Loire et Ademe",
    "CC BY-SA 4.0",
]


def pdf_or_skip(guide: Guide) -> bytes:
    try:
        return guide_pdf(guide)
    except PdfUnavailable as missing:
        pytest.skip(f"WeasyPrint cannot load Pango on this machine: {missing}")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def odt_text(odt: bytes) -> str:
    doc = load(io.BytesIO(odt))
    return "\n".join(
        teletype.extractText(element)
        for kind in (text.H, text.P)
        for element in doc.getElementsByType(kind)
    )


def test_pdf_holds_the_cover_the_contents_and_every_sheet() -> None:
    pdf = pdf_or_skip(GUIDE)
    assert pdf.startswith(b"%PDF")
    found = pdf_text(pdf)
    for expected in EXPECTED:
        assert expected in found
    # Cover, contents, then one page per section at least.
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 4


def test_pdf_pages_carry_the_collective_and_their_number() -> None:
    reader = PdfReader(io.BytesIO(pdf_or_skip(GUIDE)))
    assert f"{GUIDE.collective} — page 2" in reader.pages[1].extract_text()
    assert "— page 1" not in reader.pages[0].extract_text()  # the cover has no footer


def test_odt_holds_the_same_content() -> None:
    found = odt_text(guide_odt(GUIDE))
    for expected in EXPECTED:
        assert expected in found
    assert "Décision" in found
    assert "Boulangerie Morin — «\u00a0Ça marche\u00a0»" in found


def test_odt_has_an_index_headings_by_level_steps_and_the_image() -> None:
    odt = guide_odt(GUIDE)
    doc = load(io.BytesIO(odt))
    (index,) = doc.getElementsByType(text.TableOfContent)
    (source,) = index.getElementsByType(text.TableOfContentSource)
    assert source.getAttribute("outlinelevel") == "2"
    entries = [teletype.extractText(p) for p in index.getElementsByType(text.P)]
    assert entries == ["Sommaire", "Achats", *[p.title for p in (FULL, PLAIN)], "Gouvernance"] + [
        DECISION.title
    ]
    headings = {
        teletype.extractText(h).strip(): h.getAttribute("outlinelevel")
        for h in doc.getElementsByType(text.H)
    }
    assert headings["Achats"] == "1"
    assert headings[FULL.title] == "2"
    assert headings["Démarche"] == "3"
    steps = [
        teletype.extractText(item)
        for found in doc.getElementsByType(text.List)
        if found.getAttribute("stylename") == "Steps"
        for item in found.getElementsByType(text.ListItem)
    ]
    assert steps == list(FULL.steps)
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        pictures = [name for name in archive.namelist() if name.startswith("Pictures/")]
        assert [archive.read(name) for name in pictures] == [PIXEL_PNG]


def test_html_is_printable_and_escapes_what_people_typed() -> None:
    hostile = dataclasses.replace(PLAIN, title="<script>alert(1)</script>", author="<b>Luc</b>")
    guide = dataclasses.replace(
        GUIDE, collective="A & <B>", sections=(Section("Achats", (FULL, hostile)),)
    )
    page = guide_html(guide)
    assert "<script>" not in page and "<b>Luc" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &amp; &lt;B&gt;" in page
    assert 'href="#practice-9"' in page and 'id="practice-9"' in page
    assert "target-counter(attr(href), page)" in page and "counter(page)" in page
    assert 'src="data:image/png;base64,' in page and 'alt="facture.png"' in page


def test_html_prints_only_the_parts_filled_in() -> None:
    page = guide_html(dataclasses.replace(GUIDE, sections=(Section("Achats", (PLAIN,)),)))
    for heading in ("Contexte", "Démarche", "Coûts et durée", "Essayé par", "Décision<"):
        assert heading not in page
    full = guide_html(GUIDE)
    assert "<ol><li>Recenser les besoins</li>" in full
    assert "<p>Pourquoi</p>" in full and "##" not in full  # Markdown markers dropped


def test_an_empty_guide_renders_in_every_format() -> None:
    message = "Aucune pratique capitalisée pour l'instant."
    assert message.replace("'", "&#x27;") in guide_html(EMPTY)
    assert message in odt_text(guide_odt(EMPTY))
    assert message in pdf_text(pdf_or_skip(EMPTY))
    assert guide_json(EMPTY)["practices"] == []
    assert list(csv.reader(io.StringIO(guide_csv(EMPTY))))[1:] == []


def test_dates_read_in_french() -> None:
    assert period(date(2026, 3, 1), date(2027, 6, 1)) == "De mars 2026 à juin 2027"
    assert period(date(2026, 4, 1), date(2026, 8, 1)) == "D'avril 2026 à août 2026"
    assert period(date(2026, 3, 1), None) == "Depuis mars 2026"
    assert period(None, date(2027, 6, 1)) == "Jusqu'en juin 2027"
    assert period(None, None) == ""
    undated = guide_html(dataclasses.replace(GUIDE, starts_on=None, ends_on=None))
    assert "Depuis" not in undated and "Jusqu" not in undated and ' class="period"' not in undated


def test_json_holds_every_practice_and_the_licence() -> None:
    data = json.loads(json.dumps(guide_json(GUIDE)))
    assert data["licence"] == "CC BY-SA 4.0"
    assert data["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert [p["title"] for p in data["practices"]] == [FULL.title, PLAIN.title, DECISION.title]
    full = data["practices"][0]
    assert full["theme"] == "Achats" and full["steps"] == list(FULL.steps)
    assert full["tried_by"] == [
        {"who": "Boulangerie Morin", "comment": "Ça marche"},
        {"who": "Anonyme", "comment": ""},
    ]
    assert full["images"] == ["facture.png"] and full["capitalised_on"] == "2026-11-03"
    assert data["practices"][2]["kind"] == "decision"
    reserved = guide_json(dataclasses.replace(GUIDE, licence="Tous droits réservés"))
    assert reserved["licence_url"] is None


def test_csv_holds_every_practice_and_neutralises_formulas() -> None:
    formula = dataclasses.replace(PLAIN, title='=HYPERLINK("http://evil","x")')
    guide = dataclasses.replace(
        GUIDE, sections=(Section("Achats", (FULL, formula)), Section("Gouvernance", (DECISION,)))
    )
    rows = list(csv.DictReader(io.StringIO(guide_csv(guide))))
    assert [row["title"] for row in rows] == [
        FULL.title,
        "'" + formula.title,
        DECISION.title,
    ]
    full = rows[0]
    assert full["steps"] == " | ".join(FULL.steps)
    assert full["tags"] == "achats, énergie"
    assert full["tried_by"] == "Boulangerie Morin: Ça marche; Anonyme"
    assert full["theme"] == "Achats" and full["id"] == "7"
    assert {row["licence"] for row in rows} == {"CC BY-SA 4.0"}
    assert {row["licence_url"] for row in rows} == {
        "https://creativecommons.org/licenses/by-sa/4.0/"
    }
