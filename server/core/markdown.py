"""Markdown for cards and comments, rendered to HTML that is safe to insert in a page.

Two locks, so that one mistake is not enough: markdown-it never passes raw HTML through
(``html: False``) and refuses ``javascript:``-like links, then nh3 (the ammonia sanitiser)
keeps only an allow-list of tags and attributes and only http, https and mailto links.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Sanitised HTML for a card or comment body (an empty string for an empty body)."""
    if not text.strip():
        return ""
    html = _parser.render(text)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
    )
