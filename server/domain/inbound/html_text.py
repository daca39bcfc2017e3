"""The text a person wrote in an HTML mail body, without the quoted message under it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text to keep.
_INVISIBLE = frozenset({"head", "style", "script", "title", "template"})

# Elements that start a line of their own (and end it).
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)

# Classes of a quoted message's container, by the client that writes it. Gmail's
# div.gmail_quote (div.gmail_quote_container since 2024) is not one of them: it holds the
# attribution (div.gmail_attr) and blockquote.gmail_quote, but also what the person typed
# between quotes when answering inline, so only those two are dropped.
_QUOTE_CLASSES = frozenset(
    {
        "gmail_attr",  # Gmail: « Le lun. 7 déc. 2026 à 14:03, … a écrit : »
        "moz-cite-prefix",  # Thunderbird: the "Le … a écrit :" line above its blockquote
        "yahoo_quoted",  # Yahoo Mail
        "protonmail_quote",  # Proton Mail
    }
)

# Ids of a quoted message's container.
_QUOTE_IDS = frozenset(
    {
        "mail-editor-reference-message-container",  # Outlook for Mac
        "yahoo_quoted",  # Yahoo Mail (older)
    }
)

# Ids after which nothing is the person's: Outlook (web, new Outlook, mobile) puts an empty
# div#appendonsend, a rule, then div#divRplyFwdMsg with the "De : … Envoyé : …" block, then the
# quoted message as siblings, not children.
_STOP_IDS = frozenset({"divRplyFwdMsg", "appendonsend"})

_SPACES = re.compile(r"[ \t\n\r\f]+")


class _TextCollector(HTMLParser):
    """Collects visible text, skipping invisible and quoted elements."""

    def __init__(self, mark_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.mark_quotes = mark_quotes
        self.parts: list[str] = []
        self.stopped = False
        self._skip_tag: str | None = None  # the element being skipped
        self._skip_depth = 0  # its nesting depth (same tag name inside it)
        self._pre = 0
        self._lists: list[list[int]] = []  # per open list: [is_ordered, items so far]

    # -- output

    def _ends_with_newline(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def _line_break(self) -> None:
        """End the current line, unless it is already ended (nested blocks add no blank)."""
        if not self._ends_with_newline():
            self.parts.append("\n")

    def _paragraph_break(self) -> None:
        """End the current line and leave one blank line, as a paragraph's margin shows."""
        self._line_break()
        text = "".join(self.parts[-2:])
        if self.parts and not text.endswith("\n\n"):
            self.parts.append("\n")

    # -- parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if self._skip_tag is not None:
            if tag == self._skip_tag and tag not in _VOID:
                self._skip_depth += 1
            return
        values = {name: value or "" for name, value in attrs}
        element_id = values.get("id", "")
        if element_id in _STOP_IDS:
            self.stopped = True
            return
        classes = set(values.get("class", "").split())
        quoted = (
            tag == "blockquote"  # any: Apple Mail's type="cite", Gmail's, Orange, SFR …
            or bool(classes & _QUOTE_CLASSES)
            or element_id in _QUOTE_IDS
        )
        if tag in _INVISIBLE or quoted:
            if tag not in _VOID:
                self._skip_tag, self._skip_depth = tag, 1
            if quoted:
                self._line_break()
                if self.mark_quotes and not "".join(self.parts[-2:]).endswith(">\n"):
                    self.parts.append(">\n")
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and "MsoNormal" not in classes:
            # Outlook's MsoNormal paragraphs have no margin: one line each. Elsewhere a
            # paragraph is set apart by a blank line.
            self._paragraph_break()
        elif tag in ("ul", "ol"):
            self._line_break()
            self._lists.append([tag == "ol", 0])
        elif tag == "li":
            self._line_break()
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                self.parts.append(f"{self._lists[-1][1]}. ")
            else:
                self.parts.append("- ")
        elif tag in _BLOCKS:
            self._line_break()
        if tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag == "p":
            self._line_break()
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._line_break()
        elif tag in _BLOCKS:
            self._line_break()
        if tag == "pre" and self._pre:
            self._pre -= 1

    def handle_data(self, data: str) -> None:
        if self.stopped or self._skip_tag is not None:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if self._ends_with_newline():
                data = data.lstrip(" ")
        if data:
            self.parts.append(data.replace("\xa0", " "))


def html_to_text(html: str, *, mark_quotes: bool = False) -> str:
    """The visible text of ``html`` with its line breaks, quoted blocks and everything after
    Outlook's reply header left out; ``strip_reply`` still has to run on it. With
    ``mark_quotes``, a line ">" stands where a quote was dropped, so that ``strip_reply`` tells
    an attribution followed by a quote (and maybe more of the person's text) from an unquoted
    copy of the message replied to."""
    collector = _TextCollector(mark_quotes)
    collector.feed(html)
    collector.close()
    lines = "".join(collector.parts).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
