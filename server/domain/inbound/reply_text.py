"""What a member typed when answering a notification email from their mail client: the reply's
text without the quoted notification and the signature, and its attachments; and whether the
mail is an automatic answer (out of office, mailing list, bounce) that must not be posted.

Pure: bytes in, values out. The patterns are the clients' own, each named next to its regex.
"""

from __future__ import annotations

import email.policy
import mimetypes
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser

from server.domain.inbound.html_text import html_to_text

__all__ = [
    "ExtractedReply",
    "InboundFile",
    "extract_reply",
    "html_to_text",
    "is_auto_reply",
    "parse_message",
    "strip_reply",
]


@dataclass(frozen=True)
class InboundFile:
    """A file attached to an inbound mail."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ExtractedReply:
    """What the person wrote (possibly "") and the files they attached."""

    text: str
    attachments: tuple[InboundFile, ...]


def parse_message(raw: bytes) -> EmailMessage:
    """The message of an RFC 5322 mail, as the standard library reads it."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # the default policy's message factory
    return message


# ---------------------------------------------------------------- automatic answers

# Subjects of out-of-office answers, at the start of the subject (case-insensitive).
_AUTO_SUBJECT = re.compile(
    r"""^\s*(?:
        absence\s+du\s+bureau               # Outlook (fr)
      | r[ée]ponse\s+automatique            # Outlook, Exchange (fr)
      | message\s+d['’]absence              # Orange, SFR, Zimbra (fr)
      | message\s+automatique               # webmails (fr)
      | je\s+suis\s+absent                  # vacation responders (fr), absent(e) included
      | absent(?:e|\(e\))?\s+(?:du|jusqu)   # « Absent(e) du 3 au 24 août » (fr)
      | out\s+of\s+(?:the\s+)?office        # Outlook, Gmail (en)
      | out-of-office
      | automatic\s+reply                   # Outlook (en)
      | auto:                               # Lotus Notes, Outlook rules
      | auto-?\s?reply                      # Autoreply, Auto-reply, Auto reply
      | autorespon                          # autoresponder, autoresponse
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "list"})
_SUPPRESS_ALL = re.compile(r"\b(?:all|oof)\b", re.IGNORECASE)


def is_auto_reply(message: EmailMessage) -> bool:
    """True when the mail was sent by a program rather than typed as a reply: RFC 3834's
    Auto-Submitted, the autoresponders' own headers, bulk precedence, a mailing list, a bounce
    (null return path), or an out-of-office subject."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if any(name in message for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder")):
        return True
    if str(message.get("Precedence", "")).strip().lower() in _AUTO_PRECEDENCE:
        return True
    if "List-Id" in message or "List-Unsubscribe" in message:
        return True
    return_path = message.get("Return-Path")
    if return_path is not None and str(return_path).strip() in ("<>", ""):
        return True
    # Outlook writes X-Auto-Response-Suppress on ordinary mail too (meeting answers, mail from
    # some add-ins): it only counts with the Exchange header that marks a rule's own message.
    suppress = str(message.get("X-Auto-Response-Suppress", ""))
    if _SUPPRESS_ALL.search(suppress) and (
        "X-MS-Exchange-Inbox-Rules-Loop" in message
        or "X-MS-Exchange-Generated-Message-Source" in message
    ):
        return True
    return bool(_AUTO_SUBJECT.match(str(message.get("Subject", ""))))


# ---------------------------------------------------------------- plain text

# A quoted line: ">" (nested "> >" or ">>" too), as every client quotes in plain text.
_QUOTED = re.compile(r"^>")

# The attribution above a quote. All carry a date, hence the digit.
_ATTRIBUTIONS = (
    # Gmail « Le lun. 7 déc. 2026 à 14:03, Marie <m@x.fr> a écrit : », Apple Mail and iPhone
    # « Le 7 déc. 2026 à 14:03, … a écrit : », Thunderbird « Le 07/12/2026 à 14:03, … a écrit : »,
    # Yahoo « Le lundi 7 décembre 2026 à 14:03:12 UTC+1, … a écrit : », Proton. Gmail puts
    # U+202F or U+00A0 before the colon (\s matches both).
    re.compile(r"^Le\s(?=.*\d).{1,300}\sa\s+[ée]crit\s*:$"),
    # Gmail "On Mon, Dec 7, 2026 at 2:03 PM Marie <m@x> wrote:", Apple Mail "On 7 Dec 2026, at
    # 14:03, … wrote:", Thunderbird "On 12/7/26 14:03, … wrote:", Yahoo.
    re.compile(r"^On\s(?=.*\d).{1,300}\swrote\s*:$"),
    # Orange webmail: « Message du 07/12/26 14:03 » above its « De : … Objet : » lines.
    re.compile(r"^Message du \d{1,2}/\d{1,2}/\d{2,4}(?: \d{1,2}:\d{2})?$"),
)

# Lines after which nothing is the person's.
_SEPARATORS = (
    # Outlook « -----Message d'origine----- » / "-----Original Message-----", Thunderbird and
    # Samsung « -------- Message d'origine -------- », Proton "------- Original Message -------",
    # Zimbra (SFR, Free) « ----- Mail original ----- », forwards.
    re.compile(
        r"^-{2,}\s*(?:message\s+d['’]origine|original\s+message|mail\s+original"
        r"|mail\s+d['’]origine|message\s+original|forwarded\s+message|message\s+transf[ée]r[ée]"
        r"|réponse\s+d['’]origine)\s*-{2,}$",
        re.IGNORECASE,
    ),
    # Outlook (desktop and web) rule above the « De : … » block.
    re.compile(r"^_{20,}$"),
)

# The signature delimiter (RFC 3676 "-- ", trailing space already removed), or an em dash.
_SIGNATURE = re.compile(r"^(?:--|—)$")

# What mobile clients and webmails append to every message.
_DEVICE = (
    r"(?:iphone|ipad|smartphone|t[ée]l[ée]phone|mobile|portable|appareil|samsung|galaxy|"
    r"huawei|xiaomi|android|ios|windows|tablette|blackberry|mail|yahoo|proton|outlook|orange|sfr)"
)
_MOBILE_SIGNATURES = (
    # iPhone « Envoyé de mon iPhone », Samsung « Envoyé depuis mon smartphone Samsung Galaxy. »,
    # Huawei « Envoyé de mon appareil Huawei », Windows « Envoyé à partir de Courrier pour
    # Windows », Yahoo « Envoyé de Yahoo Mail pour Android », Proton « Envoyé avec la messagerie
    # sécurisée Proton Mail », Orange « Envoyé depuis l'application Mail Orange ».
    re.compile(
        r"^envoy[ée]\s+(?:de|depuis|[àa]\s+partir\s+de|avec)\s"
        rf"(?=.*{_DEVICE}).{{1,70}}$",
        re.IGNORECASE,
    ),
    # "Sent from my iPhone", "Sent from Mail for Windows", "Sent from Yahoo Mail for iPhone",
    # "Sent with Proton Mail secure email."
    re.compile(rf"^sent\s+(?:from|with|via)\s(?=.*{_DEVICE}).{{1,70}}$", re.IGNORECASE),
    # Outlook mobile: "Get Outlook for Android", « Obtenir Outlook pour iOS », « Télécharger
    # Outlook pour Android ».
    re.compile(
        r"^(?:get|obtenir|t[ée]l[ée]charger)\s+outlook\s+(?:for|pour)\s+\S+$", re.IGNORECASE
    ),
)

# Outlook's header block of the message it quotes, without ">" (desktop, web, mobile, Mac):
# « De : … / Envoyé : … / À : … / Objet : … », "From: … / Sent: … / To: … / Subject: …", Samsung
# « Date : … ». Bold in text made from HTML (*De :*) by some clients.
_HEADER_FROM = re.compile(r"^\*?(?:de|from)\s*:\*?\s*\S", re.IGNORECASE)
# Windows Mail writes « Envoyé le :lundi … » and « À :… », without a space after the colon.
_HEADER_FIELD = re.compile(
    r"^\*?(?:envoy[ée](?:\s+le)?|sent|date|[àa]|to|cc|objet|subject)\s*:", re.IGNORECASE
)
# The same block on one line (old Outlook for Mac, some webmails).
_HEADER_LINE = re.compile(
    r"^\*?(?:de|from)\s*:.+\s(?:envoy[ée]|sent|date)\s*:.+\s(?:objet|subject)\s*:", re.IGNORECASE
)


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines from ``i`` form a quote's attribution (0: none). Gmail wraps a long one
    over two lines, cutting inside the address or before « écrit : »."""
    if any(pattern.match(lines[i]) for pattern in _ATTRIBUTIONS):
        return 1
    if i + 1 < len(lines) and lines[i] and lines[i + 1]:
        if any(pattern.match(lines[i + 1]) for pattern in _ATTRIBUTIONS):
            return 0  # the next line is one by itself: this one is the person's
        joined = f"{lines[i]} {lines[i + 1]}"
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS[:2]):
            return 2
    return 0


def _is_outlook_header(lines: list[str], i: int) -> bool:
    if _HEADER_LINE.match(lines[i]):
        return True
    if not _HEADER_FROM.match(lines[i]):
        return False
    fields = sum(1 for line in lines[i + 1 : i + 6] if _HEADER_FIELD.match(line))
    return fields >= 2


def _ends_reply(lines: list[str], i: int) -> bool:
    """Whether the person's text ends before line ``i``: a signature or an unquoted copy of
    the message replied to starts there."""
    line = lines[i]
    return (
        bool(_SIGNATURE.match(line))
        or any(pattern.match(line) for pattern in _SEPARATORS)
        or any(pattern.match(line) for pattern in _MOBILE_SIGNATURES)
        or _is_outlook_header(lines, i)
    )


def _next_text(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i]:
        i += 1
    return i


_BLANK_RUN = re.compile(r"\n{4,}")


def strip_reply(text: str) -> str:
    """The lines of a plain-text reply that the person wrote: without quoted lines and their
    attribution (above, below or between the person's lines), the unquoted copy Outlook puts
    under a reply, and the signature. Their line breaks are kept; a removed quote between two
    of their paragraphs leaves one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    # Yahoo and some webmails indent their attribution and separators.
    bare = [line.lstrip() for line in lines]
    kept: list[str | None] = []  # None: a quote was removed here
    i = 0
    while i < len(lines):
        line = lines[i]
        if _QUOTED.match(line):
            kept.append(None)
            i += 1
            continue
        span = _attribution_span(bare, i)
        if span:
            after = _next_text(lines, i + span)
            if after < len(lines) and _QUOTED.match(lines[after]):
                # Quoted with ">": the person may go on writing below it.
                kept.append(None)
                i = after
                continue
            break  # an unquoted copy (Yahoo, Apple Mail's HTML): the rest is not theirs
        if _ends_reply(bare, i):
            break
        kept.append(line)
        i += 1
    return _join(kept)


def _join(kept: list[str | None]) -> str:
    out: list[str] = []
    cut = False
    for line in kept:
        if line is None:
            while out and not out[-1]:
                out.pop()
            cut = True
        elif cut and not line:
            continue
        else:
            if cut and out:
                out.append("")
            cut = False
            out.append(line)
    return _BLANK_RUN.sub("\n\n\n", "\n".join(out).strip("\n"))


# ---------------------------------------------------------------- messages


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space goes on with the next line of the
    same quote depth; the space-stuffing of lines is removed."""
    out: list[str] = []
    paragraph: str | None = None
    depth_of_paragraph = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        depth = len(raw) - len(raw.lstrip(">"))
        line = raw[depth:]
        if line.startswith(" "):
            line = line[1:]  # space-stuffing (or the space after the quote marks)
        flowed = line.endswith(" ") and line != "-- "
        if paragraph is not None and depth != depth_of_paragraph:
            out.append(_quoted(depth_of_paragraph, paragraph))
            paragraph = None
        if flowed and delsp:
            line = line[:-1]
        paragraph = line if paragraph is None else paragraph + line
        depth_of_paragraph = depth
        if not flowed:
            out.append(_quoted(depth, paragraph))
            paragraph = None
    if paragraph is not None:
        out.append(_quoted(depth_of_paragraph, paragraph))
    return "\n".join(out)


def _quoted(depth: int, line: str) -> str:
    return f"{'>' * depth} {line}" if depth else line


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


# Files that only carry Outlook's rich-text copy (TNEF) or an S/MIME signature.
_SKIPPED_TYPES = frozenset(
    {"application/ms-tnef", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)
_SKIPPED_NAMES = re.compile(r"(?:^winmail\.dat|\.p7s)$", re.IGNORECASE)


def _attachments(message: EmailMessage, body: Message | None) -> tuple[InboundFile, ...]:
    files: list[InboundFile] = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        name = part.get_filename()
        if not (disposition == "attachment" or name):
            continue  # an alternative body (the HTML next to the plain text)
        if content_type in _SKIPPED_TYPES or (name and _SKIPPED_NAMES.search(name)):
            continue
        if disposition != "attachment" and content_type in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            data = payload
        else:  # message/rfc822: the attached mail itself
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            data = first.as_bytes() if isinstance(first, Message) else b""
        if not name:
            name = "attachment" + (mimetypes.guess_extension(content_type) or "")
        files.append(InboundFile(name=name, content_type=content_type, data=data))
    return tuple(files)


def extract_reply(message: EmailMessage) -> ExtractedReply:
    """The person's text (the plain part preferred, else the HTML one) and their files."""
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = _text_of(body)
        if body.get_content_subtype() == "html":
            content = html_to_text(content, mark_quotes=True)
        elif str(body.get_param("format", "")).lower() == "flowed":
            content = unflow(content, str(body.get_param("delsp", "")).lower() == "yes")
        text = strip_reply(content)
    return ExtractedReply(text=text, attachments=_attachments(message, body))
