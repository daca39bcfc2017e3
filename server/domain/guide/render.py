"""The practice guide to print and to edit: a printable French page (HTML, which WeasyPrint
turns into the PDF) and an ODT text document (odfpy), both from the same :class:`Guide`.

Both carry the same content in the same order: a cover, a « Sommaire », then one section per
theme (a new page each) whose practice sheets show only the parts that were filled in."""

from __future__ import annotations

import base64
import io
import re
from datetime import date
from html import escape

from odf import draw, style, svg, teletype, text
from odf.element import Element
from odf.opendocument import OpenDocumentText

from server.core.errors import PdfUnavailable
from server.domain.guide.model import Guide, Image, Practice, Trial
from server.domain.guide.opendata import licence_url

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
GUIDE_TITLE = "Guide des pratiques"
EMPTY_GUIDE = "Aucune pratique capitalisée pour l'instant."
DECISION = "Décision"
TRIED_BY = "Essayé par"

# A Markdown heading (``## Titre``) or bullet (``* point``) marker at the start of a line: the
# summary is printed as text, so the marker goes and the words stay.
_MARKER = re.compile(r"^\s{0,3}(?:#{1,6}|\*)\s+")


# --- The words both formats print ------------------------------------------------------------


def french_date(day: date) -> str:
    """« 8 décembre 2026 », « 1er mars 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def _month(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def period(starts_on: date | None, ends_on: date | None) -> str:
    """« De mars 2026 à juin 2027 » (« D'avril … »), one end only, or "" without dates."""
    if starts_on and ends_on:
        start = _month(starts_on)
        de = "D'" if start[0] in "aeiouéè" else "De "
        return f"{de}{start} à {_month(ends_on)}"
    if starts_on:
        return f"Depuis {_month(starts_on)}"
    if ends_on:
        return f"Jusqu'en {_month(ends_on)}"
    return ""


def _french_list(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


def funders_line(funders: tuple[str, ...]) -> str:
    """« Avec le soutien de A, B et C », or "" without funders."""
    return f"Avec le soutien de {_french_list(funders)}" if funders else ""


def licence_line(licence: str) -> str:
    """The licence as the cover states it (its deed's address included)."""
    url = licence_url(licence)
    if url is None:
        return f"{licence}." if licence else ""
    return f"Ce guide est diffusé sous licence {licence} : {url}"


def paragraphs(source: str) -> list[str]:
    """``source`` split on blank lines, each paragraph's lines kept (joined by "\\n") and
    their leading Markdown heading or bullet markers dropped."""
    found = []
    for block in re.split(r"\n[ \t]*\n", source.replace("\r\n", "\n").strip()):
        lines = [_MARKER.sub("", line).strip() for line in block.split("\n")]
        kept = "\n".join(line for line in lines if line)
        if kept:
            found.append(kept)
    return found


def practice_meta(practice: Practice) -> str:
    """The line under a practice's title: its author, its tags, when it was capitalised."""
    parts = [f"Proposée par {practice.author}"]
    if practice.tags:
        parts.append("Mots-clés : " + ", ".join(practice.tags))
    if practice.capitalised_on:
        parts.append(f"Capitalisée le {french_date(practice.capitalised_on)}")
    return " · ".join(parts)


def prose_after_steps(practice: Practice) -> tuple[tuple[str, str], ...]:
    """The sheet's text parts that follow « Démarche », with their headings."""
    return (
        ("Résultats et indicateurs", practice.results),
        ("Coûts et durée", practice.costs),
        ("Points de vigilance", practice.vigilance),
        ("Contacts", practice.contacts),
    )


def trial_line(trial: Trial) -> str:
    """« Name — « comment » », or the name alone."""
    return f"{trial.who} — «\u00a0{trial.comment}\u00a0»" if trial.comment else trial.who


# --- HTML and PDF ----------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm;
  @bottom-center { content: string(collective) " — page " counter(page); font-size: 9pt;
    color: #4a5260; } }
@page :first { @bottom-center { content: none; } }
body { font: 11pt/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1b1f24; margin: 0; }
.cover { text-align: center; padding-top: 55mm; break-after: page; }
.cover .collective { font-size: 26pt; font-weight: bold; margin: 0;
  string-set: collective content(); }
.cover .title { font-size: 19pt; margin: .6rem 0 2rem; color: #1b4d89; }
.cover p { margin: .35rem 0; } .cover .licence { margin-top: 3rem; font-size: 9pt; }
h1 { break-before: page; font-size: 18pt; margin: 0 0 1rem; color: #1b4d89; }
h2 { font-size: 14pt; margin: 1.8rem 0 .2rem; border-bottom: 1px solid #c9ced6;
  padding-bottom: .15rem; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1rem 0 .3rem; break-after: avoid; }
.toc ol { list-style: none; padding: 0; margin: 0; } .toc li { margin: .2rem 0; }
.toc ol ol { padding-left: 1.2rem; } .toc .theme > a { font-weight: bold; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page); }
.badge { background: #1b4d89; color: #fff; border-radius: 3px; padding: 0 .35em;
  font-size: 9pt; font-weight: bold; vertical-align: middle; }
.meta { color: #4a5260; font-size: 9.5pt; margin: .2rem 0 .6rem; }
figure { margin: .8rem 0; break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #4a5260; } .muted { color: #4a5260; }
"""


def _html_prose(source: str) -> str:
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs(source))


def _html_part(heading: str, source: str) -> str:
    return f"<h3>{escape(heading)}</h3>{_html_prose(source)}" if source.strip() else ""


def _html_image(image: Image) -> str:
    data = base64.b64encode(image.data).decode("ascii")
    name = escape(image.filename)
    return (
        f'<figure><img src="data:{escape(image.content_type)};base64,{data}" alt="{name}">'
        f"<figcaption>{name}</figcaption></figure>"
    )


def _html_practice(practice: Practice) -> str:
    badge = f' <span class="badge">{DECISION}</span>' if practice.kind == "decision" else ""
    parts = [
        f'<article class="practice"><h2 id="practice-{practice.id}">'
        f"{escape(practice.title)}{badge}</h2>",
        f'<p class="meta">{escape(practice_meta(practice))}</p>',
        _html_prose(practice.summary),
        _html_part("Contexte", practice.context),
    ]
    if practice.steps:
        steps = "".join(f"<li>{escape(step)}</li>" for step in practice.steps)
        parts.append(f"<h3>Démarche</h3><ol>{steps}</ol>")
    parts += [_html_part(heading, source) for heading, source in prose_after_steps(practice)]
    if practice.tried_by:
        trials = "".join(f"<li>{escape(trial_line(t))}</li>" for t in practice.tried_by)
        parts.append(f"<h3>{TRIED_BY}</h3><ul>{trials}</ul>")
    parts += [_html_image(image) for image in practice.images]
    parts.append("</article>")
    return "\n".join(part for part in parts if part)


def _html_cover(guide: Guide) -> str:
    lines = [
        f'<p class="collective">{escape(guide.collective)}</p>',
        f'<p class="title">{GUIDE_TITLE}</p>',
    ]
    for css, line in (
        ("description", guide.description),
        ("territory", guide.territory),
        ("funders", funders_line(guide.funders)),
        ("period", period(guide.starts_on, guide.ends_on)),
        ("made", f"Édité le {french_date(guide.made_on)}"),
    ):
        if line.strip():
            lines.append(f'<p class="{css}">{escape(line)}</p>')
    url = licence_url(guide.licence)
    if url is not None:
        lines.append(
            f'<p class="licence">Ce guide est diffusé sous licence <a href="{escape(url)}">'
            f"{escape(guide.licence)}</a> : {escape(url)}</p>"
        )
    elif guide.licence:
        lines.append(f'<p class="licence">{escape(licence_line(guide.licence))}</p>')
    return '<section class="cover">\n' + "\n".join(lines) + "\n</section>"


def _html_contents(guide: Guide) -> str:
    themes = []
    for number, section in enumerate(guide.sections, start=1):
        practices = "".join(
            f'<li><a href="#practice-{p.id}">{escape(p.title)}</a></li>' for p in section.practices
        )
        themes.append(
            f'<li class="theme"><a href="#section-{number}">{escape(section.title)}</a>'
            f"<ol>{practices}</ol></li>"
        )
    return f'<nav class="toc"><h1>Sommaire</h1><ol>{"".join(themes)}</ol></nav>'


def guide_html(guide: Guide) -> str:
    """The guide as a complete printable page (A4, for WeasyPrint), every text escaped."""
    if guide.sections:
        body = [_html_contents(guide)]
        for number, section in enumerate(guide.sections, start=1):
            body.append(f'<section class="theme"><h1 id="section-{number}">')
            body.append(f"{escape(section.title)}</h1>")
            body += [_html_practice(practice) for practice in section.practices]
            body.append("</section>")
    else:
        body = [f'<h1>{GUIDE_TITLE}</h1><p class="muted">{escape(EMPTY_GUIDE)}</p>']
    title = f"{GUIDE_TITLE} — {guide.collective}"
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n"
        f"{_html_cover(guide)}\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def guide_pdf(guide: Guide) -> bytes:
    """The guide as PDF (WeasyPrint; blocking: run it in a thread). Imported here, so that the
    server starts without Pango on a machine that never prints a guide."""
    try:
        from weasyprint import HTML
    except (OSError, ImportError) as missing:  # cffi could not load Pango
        raise PdfUnavailable("this server cannot make PDFs: use the ODT or HTML guide") from missing
    pdf: bytes = HTML(string=guide_html(guide)).write_pdf()
    return pdf


# --- ODT ---------------------------------------------------------------------------------------

PICTURE_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
IMAGE_MAX_CM = (16.0, 12.0)  # width, height: within the A4 text area
PIXELS_PER_CM = 96 / 2.54


def _image_size_cm(image: Image) -> tuple[float, float]:
    """The image's size on the page (96 dpi, shrunk to fit), or the largest box if Pillow
    cannot read it."""
    try:
        from PIL import Image as Pillow

        with Pillow.open(io.BytesIO(image.data)) as picture:
            pixels_wide, pixels_high = picture.size
    except Exception:  # any unreadable picture: print it at the largest size
        return IMAGE_MAX_CM
    if pixels_wide <= 0 or pixels_high <= 0:
        return IMAGE_MAX_CM
    width, height = pixels_wide / PIXELS_PER_CM, pixels_high / PIXELS_PER_CM
    scale = min(1.0, IMAGE_MAX_CM[0] / width, IMAGE_MAX_CM[1] / height)
    return width * scale, height * scale


Props = dict[str, str]

# The named paragraph styles (LibreOffice's own names where it has one, so that its table of
# contents and navigator know them): paragraph properties, then text properties.
PARAGRAPH_STYLES: dict[str, tuple[Props, Props]] = {
    "Text body": ({"marginbottom": "0.2cm"}, {"fontsize": "11pt"}),
    "Title": (
        {"textalign": "center", "margintop": "5cm", "marginbottom": "0.3cm"},
        {"fontsize": "26pt", "fontweight": "bold"},
    ),
    "Subtitle": (
        {"textalign": "center", "marginbottom": "1.5cm"},
        {"fontsize": "19pt", "color": "#1b4d89"},
    ),
    "Cover line": ({"textalign": "center", "marginbottom": "0.2cm"}, {}),
    "Heading 1": (
        {"breakbefore": "page", "marginbottom": "0.4cm", "keepwithnext": "always"},
        {"fontsize": "18pt", "fontweight": "bold", "color": "#1b4d89"},
    ),
    "Heading 2": (
        {"margintop": "0.6cm", "marginbottom": "0.1cm", "keepwithnext": "always"},
        {"fontsize": "14pt", "fontweight": "bold"},
    ),
    "Heading 3": (
        {"margintop": "0.35cm", "marginbottom": "0.1cm", "keepwithnext": "always"},
        {"fontsize": "11.5pt", "fontweight": "bold"},
    ),
    "Practice meta": ({"marginbottom": "0.25cm"}, {"fontsize": "9.5pt", "color": "#4a5260"}),
    "Figure": ({"margintop": "0.3cm"}, {}),
    "Caption": ({"marginbottom": "0.3cm"}, {"fontsize": "9pt", "color": "#4a5260"}),
    "Contents Heading": (
        {"breakbefore": "page", "marginbottom": "0.4cm"},
        {"fontsize": "18pt", "fontweight": "bold", "color": "#1b4d89"},
    ),
    "Contents 1": ({"margintop": "0.15cm"}, {"fontweight": "bold"}),
    "Contents 2": ({"marginleft": "0.6cm", "margintop": "0.05cm"}, {}),
    "Empty guide": ({"breakbefore": "page"}, {}),
    "Footer": ({"textalign": "center"}, {"fontsize": "9pt", "color": "#4a5260"}),
}


def _paragraph_style(display: str, paragraph: Props, texts: Props) -> Element:
    found = style.Style(name=display.replace(" ", "_20_"), displayname=display, family="paragraph")
    properties = style.ParagraphProperties(**paragraph)
    if display in ("Contents 1", "Contents 2"):  # the page number at the right margin, dots before
        stops = style.TabStops()
        stops.addElement(
            style.TabStop(position="17.4cm", type="right", leaderstyle="dotted", leadertext=".")
        )
        properties.addElement(stops)
    found.addElement(properties)
    if texts:
        found.addElement(style.TextProperties(**texts))
    if display.startswith("Heading "):
        found.setAttribute("defaultoutlinelevel", display.removeprefix("Heading "))
    if display == "Title":  # the cover has no footer
        found.setAttribute("masterpagename", "First_20_Page")
    return found


def _list_style(name: str, level_style: Element) -> Element:
    found = text.ListStyle(name=name, displayname=name)
    level_style.addElement(style.ListLevelProperties(spacebefore="0.3cm", minlabelwidth="0.6cm"))
    found.addElement(level_style)
    return found


class _OdtGuide:
    """The document being written, with its styles."""

    def __init__(self, guide: Guide) -> None:
        self.guide = guide
        self.doc = OpenDocumentText()
        self._pictures = 0
        self.styles = {name: _paragraph_style(name, *p) for name, p in PARAGRAPH_STYLES.items()}
        self.badge = style.Style(name="Badge", displayname="Badge", family="text")
        self.badge.addElement(
            style.TextProperties(
                fontweight="bold", fontsize="9pt", color="#ffffff", backgroundcolor="#1b4d89"
            )
        )
        number = text.ListLevelStyleNumber(level=1, numformat="1", numsuffix=".")
        self.steps = _list_style("Steps", number)
        self.bullets = _list_style("Trials", text.ListLevelStyleBullet(level=1, bulletchar="•"))
        for named in (*self.styles.values(), self.badge, self.steps, self.bullets):
            self.doc.styles.addElement(named)
        self.frame = style.Style(name="Image_20_frame", family="graphic")
        self.frame.addElement(
            style.GraphicProperties(wrap="none", horizontalpos="center", horizontalrel="paragraph")
        )
        self.doc.automaticstyles.addElement(self.frame)
        self._page_styles()

    def _page_styles(self) -> None:
        """A4 pages whose footer names the collective and numbers the page; none on the cover."""
        layout = style.PageLayout(name="A4")
        layout.addElement(
            style.PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="2cm",
                marginbottom="1.5cm",
                marginleft="1.8cm",
                marginright="1.8cm",
            )
        )
        footer_style = style.FooterStyle()
        footer_style.addElement(style.HeaderFooterProperties(minheight="0.6cm", margintop="0.4cm"))
        layout.addElement(footer_style)
        self.doc.automaticstyles.addElement(layout)
        standard = style.MasterPage(name="Standard", pagelayoutname=layout)
        footer = style.Footer()
        line = text.P(stylename=self.styles["Footer"])
        teletype.addTextToElement(line, f"{self.guide.collective} — page ")
        line.addElement(text.PageNumber(selectpage="current"))
        footer.addElement(line)
        standard.addElement(footer)
        first = style.MasterPage(
            name="First_20_Page",
            displayname="First Page",
            pagelayoutname=layout,
            nextstylename=standard,
        )
        self.doc.masterstyles.addElement(standard)
        self.doc.masterstyles.addElement(first)

    # The content, in the order of the page.

    def _p(self, stylename: Element, content: str) -> None:
        paragraph = text.P(stylename=stylename)
        teletype.addTextToElement(paragraph, content)
        self.doc.text.addElement(paragraph)

    def _h(self, level: int, content: str) -> Element:
        heading = text.H(outlinelevel=level, stylename=self.styles[f"Heading {level}"])
        teletype.addTextToElement(heading, content)
        self.doc.text.addElement(heading)
        return heading

    def _prose(self, source: str) -> None:
        for paragraph in paragraphs(source):
            self._p(self.styles["Text body"], paragraph)

    def _part(self, heading: str, source: str) -> None:
        if source.strip():
            self._h(3, heading)
            self._prose(source)

    def _list(self, list_style: Element, items: list[str]) -> None:
        found = text.List(stylename=list_style)
        for item in items:
            entry = text.ListItem()
            paragraph = text.P(stylename=self.styles["Text body"])
            teletype.addTextToElement(paragraph, item)
            entry.addElement(paragraph)
            found.addElement(entry)
        self.doc.text.addElement(found)

    def cover(self) -> None:
        guide = self.guide
        self._p(self.styles["Title"], guide.collective)
        self._p(self.styles["Subtitle"], GUIDE_TITLE)
        for line in (
            guide.description,
            guide.territory,
            funders_line(guide.funders),
            period(guide.starts_on, guide.ends_on),
            f"Édité le {french_date(guide.made_on)}",
            licence_line(guide.licence),
        ):
            if line.strip():
                self._p(self.styles["Cover line"], line)

    def contents(self) -> None:
        """An index LibreOffice refreshes with page numbers (outline levels 1 and 2), filled
        already with the themes and practice titles so that it reads well before an update."""
        index = text.TableOfContent(name="Sommaire")
        source = text.TableOfContentSource(outlinelevel=2)
        source.addElement(
            text.IndexTitleTemplate(stylename=self.styles["Contents Heading"], text="Sommaire")
        )
        for level in (1, 2):
            template = text.TableOfContentEntryTemplate(
                outlinelevel=level, stylename=self.styles[f"Contents {level}"]
            )
            template.addElement(text.IndexEntryLinkStart())
            template.addElement(text.IndexEntryText())
            template.addElement(text.IndexEntryTabStop(type="right", leaderchar="."))
            template.addElement(text.IndexEntryPageNumber())
            template.addElement(text.IndexEntryLinkEnd())
            source.addElement(template)
        index.addElement(source)
        body = text.IndexBody()
        title = text.IndexTitle(name="Sommaire_Head")
        title.addElement(text.P(stylename=self.styles["Contents Heading"], text="Sommaire"))
        body.addElement(title)
        for section in self.guide.sections:
            body.addElement(text.P(stylename=self.styles["Contents 1"], text=section.title))
            for practice in section.practices:
                body.addElement(text.P(stylename=self.styles["Contents 2"], text=practice.title))
        index.addElement(body)
        self.doc.text.addElement(index)

    def practice(self, practice: Practice) -> None:
        heading = self._h(2, practice.title)
        if practice.kind == "decision":
            heading.addText(" ")
            heading.addElement(text.Span(stylename=self.badge, text=f"\u00a0{DECISION}\u00a0"))
        self._p(self.styles["Practice meta"], practice_meta(practice))
        self._prose(practice.summary)
        self._part("Contexte", practice.context)
        if practice.steps:
            self._h(3, "Démarche")
            self._list(self.steps, list(practice.steps))
        for part_heading, source in prose_after_steps(practice):
            self._part(part_heading, source)
        if practice.tried_by:
            self._h(3, TRIED_BY)
            self._list(self.bullets, [trial_line(t) for t in practice.tried_by])
        for image in practice.images:
            self.image(practice, image)

    def image(self, practice: Practice, image: Image) -> None:
        self._pictures += 1
        extension = PICTURE_EXTENSIONS.get(image.content_type, "")
        href = self.doc.addPicture(
            f"Pictures/practice-{practice.id}-{self._pictures}{extension}",
            mediatype=image.content_type,
            content=image.data,
        )
        width, height = _image_size_cm(image)
        frame = draw.Frame(
            stylename=self.frame,
            name=f"image-{self._pictures}",
            anchortype="as-char",
            width=f"{width:.3f}cm",
            height=f"{height:.3f}cm",
        )
        frame.addElement(draw.Image(href=href, type="simple", show="embed", actuate="onLoad"))
        frame.addElement(svg.Title(text=image.filename))
        holder = text.P(stylename=self.styles["Figure"])
        holder.addElement(frame)
        self.doc.text.addElement(holder)
        self._p(self.styles["Caption"], image.filename)

    def write(self) -> bytes:
        self.cover()
        if self.guide.sections:
            self.contents()
            for section in self.guide.sections:
                self._h(1, section.title)
                for practice in section.practices:
                    self.practice(practice)
        else:
            self._p(self.styles["Empty guide"], EMPTY_GUIDE)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def guide_odt(guide: Guide) -> bytes:
    """The guide as an ODT text document: the same content as :func:`guide_html`, with a
    table of contents LibreOffice can update (page numbers) and the images inside."""
    return _OdtGuide(guide).write()
