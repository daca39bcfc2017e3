"""Card and comment bodies as HTML: Markdown rendered, and nothing unsafe ever let through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from server.core.markdown import render_markdown
from tests.conftest import World


def test_markdown_is_rendered() -> None:
    html = render_markdown("# Titre\n\n**gras**, *italique*, ~~barré~~\n\n- un\n- deux\n\n> cité")
    for tag in (
        "<h1>",
        "<strong>gras</strong>",
        "<em>italique</em>",
        "<s>barré</s>",
        "<li>un</li>",
    ):
        assert tag in html
    assert "<blockquote>" in html
    table = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in table and "<td>1</td>" in table
    assert render_markdown("   ") == ""


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "[clic](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "![x](javascript:alert(1))",
    ],
)
def test_nothing_unsafe_survives(attack: str) -> None:
    parsed = Elements()
    parsed.feed(render_markdown(attack))
    assert parsed.tags <= {"p", "a"}
    for name, value in parsed.attributes:
        assert not name.startswith("on") and name != "style"
        if name == "href":
            assert value.split(":", 1)[0] in {"http", "https", "mailto"}


class Elements(HTMLParser):
    """The tags and attributes of an HTML fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((k, v or "") for k, v in attrs)


def test_links_are_kept_and_marked_external() -> None:
    html = render_markdown("[ADEME](https://www.ademe.fr) <mailto:contact@exemple.fr>")
    assert '<a href="https://www.ademe.fr" rel="nofollow noopener noreferrer">ADEME</a>' in html
    assert 'href="mailto:contact@exemple.fr"' in html


async def test_api_and_events_carry_the_sanitised_html(world: World) -> None:
    body = "**Isolant** biosourcé <script>alert(1)</script>"
    created = await world.member.post(
        f"/api/v1/boards/{world.board_id}/cards", json={"title": "Ouate", "body": body}
    )
    card = created.json()
    assert card["body"] == body  # the text as written, for editing
    assert card["body_html"].startswith("<p><strong>Isolant</strong> biosourcé &lt;script&gt;")
    comment = await world.member.post(
        f"/api/v1/cards/{card['id']}/comments", json={"body": "[x](javascript:alert(1)) *oui*"}
    )
    assert "href" not in comment.json()["body_html"]  # the unsafe link stays plain text
    assert "<em>oui</em>" in comment.json()["body_html"]
    events = await world.member.get(f"/api/v1/collectives/{world.collective_id}/events?since=0")
    created_event = next(
        e
        for e in events.json()["events"]
        if e["kind"] == "card.created" and e["card"] == card["id"]
    )
    assert created_event["data"]["body_html"] == card["body_html"]
