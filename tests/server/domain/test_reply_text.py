"""Reply-by-email's pure part: what a member typed under a notification email, by the shape
each mail client gives a reply, its attachments, auto-replies told apart, and every reply of
the judged set (bench/replies/) extracted as its expected text."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from server.domain.inbound.html_text import html_to_text
from server.domain.inbound.reply_text import (
    InboundFile,
    extract_reply,
    is_auto_reply,
    parse_message,
    strip_reply,
)

JUDGED = Path(__file__).resolve().parents[3] / "bench" / "replies"

NOTIFICATION = [
    "Marie Dupont a commenté votre carte « Mutualiser les achats de farine » :",
    "",
    "J'ai un contact chez un meunier à Pithiviers.",
    "",
    "-- ",
    "Essaim",
]
QUOTED = "\n".join(f"> {line}".rstrip() for line in NOTIFICATION)
REPLY = "Je suis partante pour 300 kg.\n\nSophie"


def mail(
    body: str = REPLY,
    subtype: str = "plain",
    headers: dict[str, str] | None = None,
    **params: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sophie <sophie@example.fr>"
    message["To"] = "reply+abc@reply.essaim.example"
    message["Subject"] = "Re: Marie Dupont a commenté votre carte « Mutualiser les achats »"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, subtype=subtype)
    for name, value in params.items():
        message.set_param(name, value)
    return message


def test_parse_message_reads_bytes_with_the_default_policy() -> None:
    message = parse_message(bytes(mail()))
    assert isinstance(message, EmailMessage)
    assert extract_reply(message).text == REPLY


# ---------------------------------------------------------------- attributions


@pytest.mark.parametrize(
    "attribution",
    [
        "Le lun. 7 déc. 2026 à 14:03, Marie Dupont <marie@x.fr> a écrit :",  # Gmail
        "Le lun. 7 déc. 2026 à 14:03, Marie Dupont <marie@x.fr> a écrit\u202f:",
        "Le lun. 7 déc. 2026 à 14:03, Marie Dupont <marie@x.fr> a écrit\u00a0:",
        "Le lun. 7 déc. 2026 à 14:03, Essaim <notifications@essaim.example> a\nécrit\u202f:",
        "Le lun. 7 déc. 2026 à 14:03, Essaim · Val <\nnotifications@essaim.example> a écrit :",
        "Le 07/12/2026 à 14:03, Essaim a écrit :",  # Thunderbird
        "Le 7 déc. 2026 à 14:03, Marie Dupont <marie@x.fr> a écrit :",  # Apple Mail
        "On Mon, Dec 7, 2026 at 2:03 PM Marie <m@x> wrote:",  # Gmail
        "On Mon, Dec 7, 2026 at 2:03\u202fPM Essaim <notifications@essaim.example>\nwrote:",
        "On 7 Dec 2026, at 14:03, Marie <m@x> wrote:",  # Apple Mail
    ],
)
def test_a_quote_under_its_attribution_is_cut(attribution: str) -> None:
    assert strip_reply(f"{REPLY}\n\n{attribution}\n\n{QUOTED}\n") == REPLY


def test_an_unquoted_copy_under_an_attribution_is_cut() -> None:
    # Yahoo's plain text copies the message replied to without ">", indented.
    text = f"{REPLY}\n\n    Le lundi 7 décembre 2026 à 14:03:12 UTC+1, Essaim a écrit :  \n\n"
    assert strip_reply(text + "\n".join(NOTIFICATION)) == REPLY


def test_lines_of_the_person_that_look_like_an_attribution_are_kept() -> None:
    text = (
        "Le plus simple : une seule commande.\n"
        "Le client m'a écrit :\n"
        "- 20 sacs de T65\n"
        "- 10 sacs de T80\n"
        "Le 15 mars, je passe à Pithiviers.\n"
        "On Monday I can help.\n"
        "De : 8 h à 12 h, samedi."
    )
    assert strip_reply(f"{text}\n\nLe 07/12/2026 à 14:03, Essaim a écrit :\n{QUOTED}") == text


# ---------------------------------------------------------------- Outlook and separators


@pytest.mark.parametrize(
    "block",
    [
        "De : Essaim <notifications@essaim.example>\nEnvoyé : lundi 7 décembre 2026 14:03\n"
        "À : Sophie <sophie@example.fr>\nObjet : Marie Dupont a commenté votre carte",
        "From: Essaim <notifications@essaim.example>\nSent: Monday, December 7, 2026 2:03 PM\n"
        "To: Sophie <sophie@example.fr>\nSubject: Marie Dupont commented on your card",
        "________________________________\nDe : Essaim\nEnvoyé : lundi 7 décembre 2026",
        "-----Message d'origine-----\nDe : Essaim",
        "-----Original Message-----\nFrom: Essaim",
        "-------- Message d'origine --------\nDe : Essaim <notifications@essaim.example>",
        "----- Mail d'origine -----\nDe: Essaim",
        "De : Essaim\nEnvoyé le :lundi 7 décembre 2026 14:03\nÀ :Sophie\nObjet :Re",
    ],
)
def test_outlook_blocks_and_separators_end_the_reply(block: str) -> None:
    text = f"{REPLY}\n\n{block}\n\n" + "\n".join(NOTIFICATION)
    assert strip_reply(text) == REPLY


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize("delimiter", ["-- ", "--", "—"])
def test_a_delimited_signature_is_cut(delimiter: str) -> None:
    text = f"{REPLY}\n{delimiter}\nSophie Lefèvre\nBoulangerie Lefèvre, Blois\n"
    assert strip_reply(text) == REPLY


@pytest.mark.parametrize(
    "signature",
    [
        "Envoyé de mon iPhone",
        "Envoyé depuis mon smartphone Samsung Galaxy.",
        "Envoyé de mon appareil Huawei",
        "Envoyé à partir de Courrier pour Windows",
        "Envoyé de Yahoo Mail pour Android",
        "Sent from my iPhone",
        "Sent from Mail for Windows",
        "Get Outlook for Android<https://aka.ms/AAb9ysg>",
        "Télécharger Outlook pour Android",
        "Obtenir Outlook pour iOS",
    ],
)
def test_a_mobile_signature_is_cut(signature: str) -> None:
    assert strip_reply(f"{REPLY}\n\n{signature}\n\n{QUOTED}") == REPLY


def test_a_sentence_about_sending_is_not_a_mobile_signature() -> None:
    text = "Envoyé de mon côté hier soir, le devis.\nSent from the van, sorry."
    assert strip_reply(text) == text


# ---------------------------------------------------------------- quotes and layout


def test_nested_quotes_are_cut() -> None:
    quote = "> Jean a répondu :\n>\n> > Moi\n>> aussi"
    text = f"{REPLY}\n\nLe 07/12/2026 à 14:03, Essaim a écrit :\n{quote}"
    assert strip_reply(text) == REPLY


def test_bottom_posting_keeps_the_text_under_the_quote() -> None:
    text = f"Le 07/12/2026 à 14:03, Essaim a écrit :\n{QUOTED}\n\n{REPLY}\n\n-- \nSophie L."
    assert strip_reply(text) == REPLY


def test_interleaved_answers_are_kept_one_blank_line_apart() -> None:
    text = (
        "Bonjour Marie,\n\n"
        "On Mon, Dec 7, 2026 at 2:03 PM Essaim <notifications@essaim.example> wrote:\n"
        "> J'ai un contact chez un meunier à Pithiviers.\n\n"
        "Super.\n"
        "> Qui serait partant ?\n"
        "Moi, pour 300 kg.\n"
        "Et 100 kg de seigle.\n\n\n"
        "> Répondez à ce message pour commenter.\n"
    )
    expected = "Bonjour Marie,\n\nSuper.\n\nMoi, pour 300 kg.\nEt 100 kg de seigle."
    assert strip_reply(text) == expected


def test_line_breaks_are_normalised_but_the_persons_are_kept() -> None:
    text = "\r\n\r\n  Ligne un   \r\nLigne deux\r\n\r\n\r\n\r\n\r\n\r\nFin\t\r\n\r\n"
    assert strip_reply(text) == "  Ligne un\nLigne deux\n\n\nFin"


def test_a_reply_with_nothing_typed_is_empty() -> None:
    assert strip_reply(f"\n\nLe 07/12/2026 à 14:03, Essaim a écrit :\n{QUOTED}\n") == ""
    assert strip_reply("Envoyé de mon iPhone\n\n" + QUOTED) == ""
    assert extract_reply(mail(f"\n{QUOTED}\n")).text == ""


# ---------------------------------------------------------------- HTML

HTML_NOTIFICATION = "<p>Marie Dupont a commenté votre carte</p><p>J'ai un contact.</p>"


def test_html_gmail_drops_the_attribution_and_quote_but_keeps_inline_answers() -> None:
    html = (
        '<div dir="ltr">Bonjour,<div><br></div><div>Je prends&nbsp;300 kg.</div></div><br>'
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
        "Le lun. 7 déc. 2026 à 14:03, Essaim &lt;notifications@essaim.example&gt; a écrit&nbsp;:"
        f'<br></div><blockquote class="gmail_quote">{HTML_NOTIFICATION}</blockquote>'
        "<div>Et du seigle aussi.</div></div>"
    )
    assert html_to_text(html) == "Bonjour,\n\nJe prends 300 kg.\n\nEt du seigle aussi."
    assert extract_reply(mail(html, "html")).text == (
        "Bonjour,\n\nJe prends 300 kg.\n\nEt du seigle aussi."
    )


def test_html_outlook_stops_at_its_reply_header() -> None:
    html = (
        '<html><head><style>p {margin:0}</style></head><body><div class="elementToProof">'
        "Je viens.</div><div>Merci &amp; à jeudi</div>"
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>De :</b> Essaim</div>'
        f"<div>{HTML_NOTIFICATION}</div></body></html>"
    )
    assert html_to_text(html) == "Je viens.\nMerci & à jeudi"
    word = (
        '<p class="MsoNormal">Bonjour,<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<p class="MsoNormal">OK pour moi.</p><div style="border-top:solid #E1E1E1 1.0pt">'
        '<p class="MsoNormal"><b>De&nbsp;:</b> Essaim<br><b>Envoyé&nbsp;:</b> lundi<br>'
        f"<b>Objet&nbsp;:</b> Re</p></div>{HTML_NOTIFICATION}"
    )
    assert extract_reply(mail(word, "html")).text == "Bonjour,\n\nOK pour moi."


def test_html_apple_mail_and_thunderbird_quotes_are_dropped() -> None:
    apple = (
        "Oui !<div><br></div><div>Sophie</div><div><br><div>Le 7 déc. 2026 à 14:03, Essaim "
        "&lt;notifications@essaim.example&gt; a écrit :</div><br>"
        f'<blockquote type="cite">{HTML_NOTIFICATION}</blockquote></div>'
    )
    assert extract_reply(mail(apple, "html")).text == "Oui !\n\nSophie"
    thunderbird = (
        "<p>Bonjour,</p><p>D'accord.<br>Hervé</p>"
        '<div class="moz-cite-prefix">Le 07/12/2026 à 14:03, Essaim a écrit&nbsp;:<br></div>'
        f'<blockquote type="cite">{HTML_NOTIFICATION}</blockquote>'
        '<pre class="moz-signature" cols="72">-- \nHervé Colin</pre>'
    )
    assert extract_reply(mail(thunderbird, "html")).text == "Bonjour,\n\nD'accord.\nHervé"


def test_html_drops_head_scripts_and_the_other_clients_quotes() -> None:
    html = (
        "<head><title>x</title><style>.a{}</style></head><script>alert(1)</script>"
        "<ul><li>farine</li><li>sel</li></ul><ol><li>un</li><li>deux</li></ol>"
        '<div class="yahoo_quoted">Yahoo</div><div class="protonmail_quote">Proton</div>'
        '<div id="mail-editor-reference-message-container">Outlook Mac</div>'
    )
    assert html_to_text(html) == "- farine\n- sel\n1. un\n2. deux"


# ---------------------------------------------------------------- format=flowed


def test_format_flowed_soft_breaks_are_joined() -> None:
    body = (
        "Je m'inscris aussi. Deux jours en janvier, c'est le bon moment \n"
        "pour moi.\n"
        " From space-stuffed\n"
        "\n"
        "Le 07/12/2026 à 14:03, Essaim a écrit :\n"
        "> Thomas a commenté \n"
        "> votre carte\n"
        "-- \n"
        "Luc"
    )
    message = mail(body, format="flowed")
    expected = (
        "Je m'inscris aussi. Deux jours en janvier, c'est le bon moment pour moi.\n"
        "From space-stuffed"
    )
    assert extract_reply(message).text == expected
    assert extract_reply(mail("un mot \nsuivi", format="flowed", delsp="yes")).text == "un motsuivi"
    assert extract_reply(mail("sans \nflowed")).text == "sans\nflowed"


# ---------------------------------------------------------------- attachments


def test_attachments_are_kept_and_tnef_and_smime_signatures_skipped() -> None:
    message = mail()
    message.add_attachment(
        b"%PDF-1.4 devis", maintype="application", subtype="pdf", filename="devis.pdf"
    )
    message.add_attachment(
        b"\x89PNG", maintype="image", subtype="png", filename="photo.png", disposition="inline"
    )
    message.add_attachment("notes", subtype="plain", filename="notes.txt")
    message.add_attachment(
        b"\x78\x9f\x3e\x22", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    message.add_attachment(
        b"0\x82", maintype="application", subtype="pkcs7-signature", filename="smime.p7s"
    )
    message.add_attachment(
        b"0\x82", maintype="application", subtype="octet-stream", filename="x.P7S"
    )
    reply = extract_reply(parse_message(bytes(message)))
    assert reply.text == REPLY
    assert reply.attachments == (
        InboundFile("devis.pdf", "application/pdf", b"%PDF-1.4 devis"),
        InboundFile("photo.png", "image/png", b"\x89PNG"),
        InboundFile("notes.txt", "text/plain", b"notes\n"),
    )


def test_the_html_alternative_is_not_an_attachment() -> None:
    message = mail()
    message.add_alternative("<p>Je suis partante pour 300 kg.</p>", subtype="html")
    reply = extract_reply(message)
    assert reply.text == REPLY and reply.attachments == ()


# ---------------------------------------------------------------- auto-replies


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Vacation"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "auto_reply"},
        {"Precedence": "List"},
        {"List-Id": "<artisans.lists.example>"},
        {"List-Unsubscribe": "<mailto:leave@lists.example>"},
        {"Return-Path": "<>"},
        {"X-Auto-Response-Suppress": "All", "X-MS-Exchange-Inbox-Rules-Loop": "s@x.fr"},
        {"Subject": "Absence du bureau : Re: Marie a commenté"},
        {"Subject": "Réponse automatique : Re: Marie a commenté"},
        {"Subject": "Message d'absence"},
        {"Subject": "Je suis absente jusqu'au 4 janvier"},
        {"Subject": "Absent(e) du 20 décembre au 4 janvier"},
        {"Subject": "OUT OF OFFICE: Re: card"},
        {"Subject": "Automatic reply: Re: card"},
        {"Subject": "Auto: Re: card"},
        {"Subject": "Autoreply: Re: card"},
    ],
)
def test_auto_replies_are_recognised(headers: dict[str, str]) -> None:
    message = mail()
    for name, value in headers.items():
        del message[name]
        message[name] = value
    assert is_auto_reply(message)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Auto-Submitted": "no"},
        {"Precedence": "first-class"},
        {"Return-Path": "<sophie@example.fr>"},
        # Outlook writes it on ordinary mail too.
        {"X-Auto-Response-Suppress": "All", "X-Mailer": "Microsoft Outlook 16.0"},
        {"X-Auto-Response-Suppress": "DR, RN, NRN, OOF, AutoReply"},
        {"Subject": "Re: Marie a commenté « Gérer une absence du bureau »"},
        {"Subject": "RE: Marie Dupont a commenté votre carte « Atelier partagé »"},
    ],
)
def test_ordinary_replies_are_not_auto_replies(headers: dict[str, str]) -> None:
    message = mail()
    for name, value in headers.items():
        del message[name]
        message[name] = value
    assert not is_auto_reply(message)


def test_the_judged_replies_are_ordinary_mail() -> None:
    for path in sorted(JUDGED.glob("*.eml")):
        assert not is_auto_reply(parse_message(path.read_bytes())), path.name


# ---------------------------------------------------------------- the judged set


@pytest.mark.parametrize("path", sorted(JUDGED.glob("*.eml")), ids=lambda path: str(path.stem))
def test_each_judged_reply_gives_its_expected_text(path: Path) -> None:
    expected = path.with_name(path.stem + ".expected.txt").read_text(encoding="utf-8")
    assert extract_reply(parse_message(path.read_bytes())).text.strip() == expected.strip()


def test_the_judged_set_is_large_enough() -> None:
    assert len(list(JUDGED.glob("*.eml"))) >= 48
