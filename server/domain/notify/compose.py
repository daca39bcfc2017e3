"""The notification emails themselves (pure: no database): one email per thread (a card, a
vote…) carrying what came since the last one, or one digest; French or English by the
person's language; plain text and HTML; headers that make mail clients thread them
(``Message-ID``, ``In-Reply-To``/``References``), file them (``List-Id``), offer the one-click
unsubscribe (RFC 8058) and keep auto-responders quiet (``Auto-Submitted``, RFC 3834)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from server.core.mail import Email, EmailFile
from server.core.timezone import PARIS

TEXTS = {
    "fr": {
        "hello": "Bonjour {name},",
        "open": "Ouvrir dans Essaim",
        "comment_by": "{who}, le {when} :",
        "more": "… et {n} autre(s) dans Essaim.",
        "reply": (
            "Répondez à ce message pour commenter la fiche : votre réponse y est publiée sous "
            "votre nom (le texte cité est retiré)."
        ),
        "why": "Vous recevez ce message car vous êtes membre de « {collective} » sur Essaim.",
        "prefs": "Choisir ce que vous recevez : {url}",
        "stop": "Ne plus recevoir ces emails ({kind}) : {url}",
        "daily": "Essaim : votre résumé du jour",
        "weekly": "Essaim : votre résumé de la semaine",
        "digest_intro": "Voici ce qui vous attend sur Essaim :",
        "digest_why": "Vous recevez ce résumé selon vos préférences de notification.",
        "date": "%d/%m/%Y à %H:%M",
    },
    "en": {
        "hello": "Hello {name},",
        "open": "Open in Essaim",
        "comment_by": "{who}, on {when}:",
        "more": "… and {n} more in Essaim.",
        "reply": (
            "Reply to this email to comment on the card: your answer is posted there under "
            "your name (the quoted text is removed)."
        ),
        "why": "You receive this email as a member of “{collective}” on Essaim.",
        "prefs": "Choose what you receive: {url}",
        "stop": "Stop these emails ({kind}): {url}",
        "daily": "Essaim: your daily summary",
        "weekly": "Essaim: your weekly summary",
        "digest_intro": "Here is what waits for you on Essaim:",
        "digest_why": "You receive this summary as your notification preferences say.",
        "date": "%Y-%m-%d at %H:%M",
    },
}
KIND_NAMES = {
    "fr": {
        "comment": "commentaires",
        "answer": "réponses",
        "mention": "mentions",
        "reaction": "réactions",
        "merged": "fusions de fiches",
        "capitalised": "fiches entrées dans le guide",
        "review": "fiches à valider",
        "nudge": "messages de l'animateur",
        "welcome": "bienvenue",
        "vote": "votes",
        "meeting": "réunions",
        "action_due": "échéances",
        "invitation": "invitations acceptées",
        "flag": "signalements",
    },
    "en": {
        "comment": "comments",
        "answer": "answers",
        "mention": "mentions",
        "reaction": "reactions",
        "merged": "merged cards",
        "capitalised": "cards entering the guide",
        "review": "cards to validate",
        "nudge": "animator's messages",
        "welcome": "welcomes",
        "vote": "votes",
        "meeting": "meetings",
        "action_due": "due dates",
        "invitation": "accepted invitations",
        "flag": "flags",
    },
}
COMMENTS_SHOWN = 10
DIGEST_SHOWN = 30


@dataclass(frozen=True)
class Line:
    """One notification as an email tells it."""

    title: str
    body: str
    url: str  # absolute


@dataclass(frozen=True)
class QuotedComment:
    who: str
    at: datetime
    body: str


@dataclass
class ThreadMail:
    """What one email of a thread carries, for one person."""

    to: str
    name: str
    language: str
    collective: str
    collective_id: int
    thread: str
    kind: str  # the kind of the latest notification (the unsubscribe link's)
    subject: str
    lines: list[Line]
    comments: list[QuotedComment] = field(default_factory=list)
    more_comments: int = 0
    files: tuple[EmailFile, ...] = ()
    reply_to: str | None = None  # the signed reply address (a card's thread)
    first: bool = True  # the thread's first email (its Message-ID is the thread's root)


@dataclass(frozen=True)
class Links:
    preferences: str
    unsubscribe: str  # one-click (RFC 8058)


def _lang(language: str) -> str:
    return "en" if language == "en" else "fr"


def thread_root(thread: str, user_id: int, domain: str) -> str:
    """The Message-ID of a thread's first email to ``user_id`` (the later ones answer it)."""
    return f"<{thread.replace(':', '-')}.u{user_id}@{domain}>"


def list_id(collective: str, collective_id: int, domain: str) -> str:
    name = collective.replace('"', "'").replace("\n", " ")[:80]
    return f'"{name}" <collectif-{collective_id}.{domain}>'


def thread_email(mail: ThreadMail, user_id: int, links: Links, domain: str) -> Email:
    lang = _lang(mail.language)
    t = TEXTS[lang]
    text = [t["hello"].format(name=mail.name), ""]
    html = [f"<p>{escape(t['hello'].format(name=mail.name))}</p>"]
    for line in mail.lines:
        text.append(line.title)
        html.append(f"<p><strong>{escape(line.title)}</strong></p>")
        if line.body and not mail.comments:
            text += ["", _quote_block(line.body)]
            html.append(_html_body(line.body))
        text.append("")
    for comment in mail.comments:
        when = comment.at.astimezone(PARIS).strftime(t["date"])
        head = t["comment_by"].format(who=comment.who, when=when)
        text += [head, _quote_block(comment.body), ""]
        html.append(f"<p>{escape(head)}</p>{_html_body(comment.body)}")
    if mail.more_comments:
        text += [t["more"].format(n=mail.more_comments), ""]
        html.append(f"<p>{escape(t['more'].format(n=mail.more_comments))}</p>")
    url = mail.lines[-1].url if mail.lines else links.preferences
    text += [f"{t['open']} : {url}" if lang == "fr" else f"{t['open']}: {url}", ""]
    html.append(f'<p><a href="{escape(url)}">{escape(t["open"])}</a></p>')
    footer = _footer(mail, links, lang)
    text += ["—", *footer]
    html.append(
        '<hr><p style="color:#555;font-size:90%">'
        + "<br>".join(_linkify(line) for line in footer)
        + "</p>"
    )
    root = thread_root(mail.thread, user_id, domain)
    message_id = root if mail.first else f"<{secrets.token_hex(12)}.u{user_id}@{domain}>"
    headers = [
        ("Message-ID", message_id),
        ("List-Id", list_id(mail.collective, mail.collective_id, domain)),
        ("List-Unsubscribe", f"<{links.unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
    ]
    if not mail.first:
        headers += [("In-Reply-To", root), ("References", root)]
    if mail.reply_to:
        headers.append(("Reply-To", mail.reply_to))
    return Email(
        to=mail.to,
        subject=mail.subject,
        text="\n".join(text).rstrip() + "\n",
        headers=tuple(headers),
        html=_page("\n".join(html), lang),
        files=mail.files,
    )


def _footer(mail: ThreadMail, links: Links, lang: str) -> list[str]:
    t = TEXTS[lang]
    lines = []
    if mail.reply_to:
        lines.append(t["reply"])
    lines += [
        t["why"].format(collective=mail.collective),
        t["prefs"].format(url=links.preferences),
        t["stop"].format(kind=KIND_NAMES[lang].get(mail.kind, mail.kind), url=links.unsubscribe),
    ]
    return lines


@dataclass(frozen=True)
class DigestSection:
    collective: str
    lines: list[Line]


def digest_email(
    to: str, name: str, language: str, period: str, sections: list[DigestSection], prefs: str
) -> Email:
    lang = _lang(language)
    t = TEXTS[lang]
    text = [t["hello"].format(name=name), "", t["digest_intro"]]
    html = [
        f"<p>{escape(t['hello'].format(name=name))}</p>",
        f"<p>{escape(t['digest_intro'])}</p>",
    ]
    shown = 0
    for section in sections:
        heading = f"« {section.collective} »" if lang == "fr" else f"“{section.collective}”"
        text += ["", heading]
        items = []
        for line in section.lines:
            if shown >= DIGEST_SHOWN:
                break
            shown += 1
            text.append(f"- {line.title}\n  {line.url}")
            items.append(f'<li><a href="{escape(line.url)}">{escape(line.title)}</a></li>')
        html.append(f"<h2>{escape(heading)}</h2><ul>{''.join(items)}</ul>")
    total = sum(len(s.lines) for s in sections)
    if total > shown:
        text += ["", t["more"].format(n=total - shown)]
        html.append(f"<p>{escape(t['more'].format(n=total - shown))}</p>")
    footer = [t["digest_why"], t["prefs"].format(url=prefs)]
    text += ["", "—", *footer]
    html.append(
        '<hr><p style="color:#555;font-size:90%">'
        + "<br>".join(_linkify(line) for line in footer)
        + "</p>"
    )
    return Email(
        to=to,
        subject=t[period],
        text="\n".join(text).rstrip() + "\n",
        headers=(("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")),
        html=_page("\n".join(html), lang),
    )


def _quote_block(body: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in body.strip().splitlines())


def _html_body(body: str) -> str:
    paragraphs = "<br>".join(escape(line) for line in body.strip().splitlines())
    return f"<blockquote{QUOTE_STYLE}>{paragraphs}</blockquote>"


QUOTE_STYLE = ' style="margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc"'


def _linkify(line: str) -> str:
    head, sep, url = line.rpartition(" ")
    if url.startswith(("https://", "http://")):
        return f'{escape(head)}{sep}<a href="{escape(url)}">{escape(url)}</a>'
    return escape(line)


def _page(body: str, lang: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a">{body}</body></html>'
    )
