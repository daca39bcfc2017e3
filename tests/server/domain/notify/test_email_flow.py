"""A comment by Anna on Marc's card reaches Marc by email (grouped per thread, rate-limited,
threaded by mail clients); Marc answers the email and his reply, without the quote, is posted
by him on the card and told to Anna; the same message delivered twice posts once; every
refusal writes nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from server.core.mail import Email
from server.core.models import utcnow
from server.domain.notify.dispatch import dispatch
from server.domain.notify.tokens import mail_key, reply_token
from tests.conftest import ApiClient, MakeClient, World, join
from tests.server.domain.notify.conftest import REPLY_DOMAIN, SECRET
from tests.support.platform import essaim_of

API = "/api/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def comment(client: ApiClient, card_id: int, body: str) -> dict[str, Any]:
    made: dict[str, Any] = await ok(
        await client.post(f"{API}/cards/{card_id}/comments", json={"body": body}), 201
    )
    return made


def to(emails: list[Email], address: str) -> list[Email]:
    return [e for e in emails if e.to == address]


def reply(email: Email, sender: str, text: str, message_id: str = "<r1@mail.example>") -> bytes:
    """Marc's mail client answering ``email`` (top-posting, French quote header)."""
    message = EmailMessage()
    message["From"] = f"Marc <{sender}>"
    message["To"] = email.header("Reply-To") or ""
    message["Subject"] = "Re: " + email.subject
    message["Message-ID"] = message_id
    message["In-Reply-To"] = email.header("Message-ID") or ""
    quoted = "\n".join("> " + line for line in email.text.splitlines())
    message.set_content(
        f"{text}\n\nLe lun. 7 déc. 2026 à 14:03, Essaim <no-reply@localhost> a écrit :\n{quoted}\n"
    )
    return message.as_bytes()


async def post_raw(client: ApiClient, raw: bytes, secret: str = SECRET) -> httpx.Response:
    return await client.http.post(
        f"{API}/inbound/email",
        content=raw,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"},
    )


async def test_comment_email_reply_and_back(world: World) -> None:
    essaim = essaim_of(world)
    card = world.card
    await comment(world.animator, card["id"], "Je connais un grossiste à Valence.")
    run = await dispatch(essaim)
    [email] = to(run.sent, "marc@example.fr")
    assert email.subject == "[Rénovation Drôme] « Mutualiser les achats d'isolant »"
    assert "Je connais un grossiste à Valence." in email.text
    assert email.html is not None and "grossiste" in email.html
    reply_to = email.header("Reply-To") or ""
    assert re.fullmatch(rf"reply\+c{card['id']}-u\d+-e\d+-[0-9a-f]{{24}}@{REPLY_DOMAIN}", reply_to)
    assert (
        email.header("List-Id")
        == f'"Rénovation Drôme" <collectif-{world.collective_id}.{REPLY_DOMAIN}>'
    )
    assert (email.header("List-Unsubscribe") or "").startswith(
        "<https://essaim.example/notifications/unsubscribe?token="
    )
    assert email.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert email.header("Auto-Submitted") == "auto-generated"
    root = email.header("Message-ID")
    assert root == f"<card-{card['id']}.u{world.member.id}@{REPLY_DOMAIN}>"
    assert email.header("In-Reply-To") is None
    assert to(run.sent, "anna@example.fr") == [], "never the commenter"

    # Marc answers from his mail client: only what he typed is posted, by him.
    answer = await ok(
        await post_raw(
            world.outsider, reply(email, "marc@example.fr", "Merci Anna !\nJe l'appelle.")
        ),
        201,
    )
    assert answer["status"] == "posted" and answer["card_id"] == card["id"]
    shown = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
    posted = [c for c in shown["comments"] if c["id"] == answer["comment_id"]]
    assert posted and posted[0]["body"] == "Merci Anna !\nJe l'appelle."
    assert posted[0]["author"]["id"] == world.member.id
    told = await ok(await world.animator.get(f"{API}/notifications"))
    assert any(
        n["kind"] == "comment" and n["data"]["comment_id"] == answer["comment_id"]
        for n in told["notifications"]
    )
    # The same message delivered again (an MTA retrying, a replay) posts nothing.
    again = await ok(
        await post_raw(
            world.outsider, reply(email, "marc@example.fr", "Merci Anna !\nJe l'appelle.")
        ),
        200,
    )
    assert again == {"status": "ignored", "reason": "duplicate"}
    shown = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
    assert len(shown["comments"]) == 2

    # Anna's next comments within the rate limit wait, then go together, answering the root.
    await comment(world.animator, card["id"], "Il s'appelle Isolbat.")
    await comment(world.animator, card["id"], "Il livre le jeudi.")
    held = await dispatch(essaim)
    assert to(held.sent, "marc@example.fr") == [] and held.deferred >= 1
    later = await dispatch(essaim, utcnow() + timedelta(minutes=16))
    [second] = to(later.sent, "marc@example.fr")
    assert "Isolbat" in second.text and "jeudi" in second.text
    assert "grossiste" not in second.text, "what the first email carried is not repeated"
    assert second.header("In-Reply-To") == root and second.header("References") == root
    assert second.header("Message-ID") != root


async def test_refused_replies_write_nothing(world: World, make_client: MakeClient) -> None:
    essaim = essaim_of(world)
    card = world.card
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    await comment(world.animator, card["id"], "Bonne idée.")
    await comment(lea, card["id"], "Je suis partante.")
    run = await dispatch(essaim)
    [email] = to(run.sent, "marc@example.fr")
    [for_anna] = to(run.sent, "anna@example.fr")  # Léa commented after Anna
    address = email.header("Reply-To") or ""

    async def count() -> int:
        shown = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
        return len(shown["comments"])

    before = await count()

    async def refused(raw: bytes, reason: str) -> None:
        answer = await post_raw(world.outsider, raw)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "reply_refused"
        assert answer.json()["error"]["reason"] == reason
        assert await count() == before

    forged = address.replace(address.split("-")[-1].split("@")[0], "0" * 24)
    message = EmailMessage()
    message["From"] = "marc@example.fr"
    message["To"] = forged
    message["Message-ID"] = "<f1@mail.example>"
    message.set_content("Un faux.")
    await refused(message.as_bytes(), "forged")
    # Another card's id in a token signed for this one: forged too.
    altered = address.replace(f"reply+c{card['id']}-", f"reply+c{card['id'] + 1}-")
    message.replace_header("To", altered)
    await refused(message.as_bytes(), "forged")
    # Léa sends with Marc's address: the token is Marc's.
    await refused(reply(email, "lea@example.fr", "C'est Léa.", "<l1@mail.example>"), "wrong_sender")
    # Only the quote: nothing left to post.
    await refused(reply(email, "marc@example.fr", "", "<e1@mail.example>"), "empty")
    # No reply address of ours.
    message.replace_header("To", "someone@elsewhere.example")
    await refused(message.as_bytes(), "no_token")
    # An out-of-office answer is dropped without a bounce (and without a comment).
    auto = EmailMessage()
    auto["From"] = "marc@example.fr"
    auto["To"] = address
    auto["Subject"] = "Absence du bureau"
    auto["Auto-Submitted"] = "auto-replied"
    auto.set_content("Je suis absent jusqu'au 4 janvier.")
    dropped = await ok(await post_raw(world.outsider, auto.as_bytes()), 200)
    assert dropped == {"status": "ignored", "reason": "auto_reply"}
    assert await count() == before
    # A hidden card takes no reply.
    fresh = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{card['id']}",
            json={"moderation": "hidden", "version": fresh["version"]},
        )
    )
    await refused(reply(email, "marc@example.fr", "Caché ?", "<h1@mail.example>"), "card_closed")
    fresh = await ok(await world.animator.get(f"{API}/cards/{card['id']}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{card['id']}",
            json={"moderation": "published", "version": fresh["version"]},
        )
    )
    # Anna's token, used once she left: refused.
    anna_raw = reply(for_anna, "anna@example.fr", "Je pars.", "<a1@mail.example>")
    # (Anna is the only animator: Léa becomes one so that Anna may leave.)
    await ok(
        await world.animator.patch(
            f"{API}/collectives/{world.collective_id}/members/{lea.id}", json={"role": "animator"}
        )
    )
    await ok(
        await world.animator.request(
            "DELETE", f"{API}/collectives/{world.collective_id}/members/{world.animator.id}"
        ),
        204,
    )
    answer = await post_raw(world.outsider, anna_raw)
    assert answer.status_code == 422 and answer.json()["error"]["reason"] == "not_member"
    assert (await ok(await lea.get(f"{API}/cards/{card['id']}")))["comments"].__len__() == before


async def test_the_inbound_route_wants_its_secret(world: World) -> None:
    raw = b"From: marc@example.fr\r\nTo: x@y\r\n\r\nBonjour\r\n"
    wrong = await post_raw(world.outsider, raw, secret="nope")
    assert wrong.status_code == 401
    missing = await world.outsider.http.post(f"{API}/inbound/email", content=raw)
    assert missing.status_code == 401
    empty = await post_raw(world.outsider, b"")
    assert empty.status_code == 422


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def test_a_reply_s_files_become_the_card_s_attachments(world: World) -> None:
    essaim = essaim_of(world)
    card = world.card["id"]
    await comment(world.animator, card, "Vous avez le devis ?")
    [email] = to((await dispatch(essaim)).sent, "marc@example.fr")
    message = EmailMessage()
    message["From"] = "marc@example.fr"
    message["To"] = email.header("Reply-To") or ""
    message["Message-ID"] = "<pj1@mail.example>"
    message.set_content("Le voici.\n\nEnvoyé de mon iPhone")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="devis.pdf")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="x-msdownload",
                           filename="virus.exe")  # fmt: skip
    answer = await ok(await post_raw(world.outsider, message.as_bytes()), 201)
    shown = await ok(await world.animator.get(f"{API}/cards/{card}"))
    posted = [c for c in shown["comments"] if c["id"] == answer["comment_id"]]
    assert posted[0]["body"] == "Le voici.", "the mobile signature is cut"
    names = [a["filename"] for a in shown["attachments"]]
    assert names == ["devis.pdf"], "a file the card refuses is left out, the text stays"


async def test_expired_oversize_and_locked_replies_are_refused(world: World) -> None:
    essaim = essaim_of(world)
    card = world.card["id"]
    key = await mail_key(essaim)
    yesterday = utcnow().date() - timedelta(days=2)
    old = reply_token(key, card, world.member.id, yesterday)
    message = EmailMessage()
    message["From"] = "marc@example.fr"
    message["To"] = f"reply+{old}@{REPLY_DOMAIN}"
    message["Message-ID"] = "<old@mail.example>"
    message.set_content("Trop tard ?")
    expired = await post_raw(world.outsider, message.as_bytes())
    assert expired.status_code == 422 and expired.json()["error"]["reason"] == "expired"
    fresh = reply_token(key, card, world.member.id, utcnow().date() + timedelta(days=5))
    message.replace_header("To", f"reply+{fresh}@{REPLY_DOMAIN}")
    # Oversize: larger than ESSAIM_INBOUND_MAX_BYTES, refused before it is even parsed.
    original = essaim.settings
    essaim.settings = replace(original, inbound_max_bytes=200)
    try:
        message.replace_header("Message-ID", "<big@mail.example>")
        big = await post_raw(world.outsider, message.as_bytes() + b" " * 300)
        assert big.status_code == 422 and big.json()["error"]["reason"] == "oversize"
    finally:
        essaim.settings = original
    # A locked board takes no comment, by email either.
    await ok(await world.animator.patch(f"{API}/boards/{world.board_id}", json={"locked": True}))
    message.replace_header("Message-ID", "<locked@mail.example>")
    locked = await post_raw(world.outsider, message.as_bytes())
    assert locked.status_code == 422 and locked.json()["error"]["reason"] == "card_closed"
    shown = await ok(await world.animator.get(f"{API}/cards/{card}"))
    assert shown["comments"] == []
    # Once open again, the same message (it was never posted) goes through.
    await ok(await world.animator.patch(f"{API}/boards/{world.board_id}", json={"locked": False}))
    assert (await post_raw(world.outsider, message.as_bytes())).status_code == 201
