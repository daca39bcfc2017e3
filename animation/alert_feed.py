"""The animator's alerts: the rules of ``animation.alerts`` evaluated now, with the collective's
thresholds, described in French with their evidence and the actions that answer them.

Nothing is stored: an alert is listed while its condition holds and disappears on its own
once the post got its reply or the member came back. Its ``id`` names the rule and its
subject, so it stays the same from one evaluation to the next.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from animation.alerts import Alert, Rule, evaluate
from animation.load import load_records
from animation.nudges import last_nudges, next_nudge_at
from animation.thresholds import threshold_values, thresholds_of
from server.core.models import Board, Card, Moderation, User, utcnow
from server.core.platform import Essaim
from server.domain.access import Action, membership
from server.domain.views import iso, user_view

# The rule names of the API (``contributions_concentrated`` is shortened there).
RULE_NAMES = {
    Rule.newcomer_unanswered: "newcomer_unanswered",
    Rule.post_unanswered: "post_unanswered",
    Rule.member_silent: "member_silent",
    Rule.board_stalled: "board_stalled",
    Rule.contributions_concentrated: "concentration",
}


def alert_id(alert: Alert) -> str:
    return f"{RULE_NAMES[alert.rule]}:{alert.subject.kind}:{alert.subject.id}"


def _days(value: float) -> str:
    n = round(value)
    return f"{n} jour{'s' if n > 1 else ''}"


def _hours(value: float) -> str:
    if value >= 48:
        return _days(value / 24)
    n = round(value)
    return f"{n} heure{'s' if n > 1 else ''}"


def summary_fr(alert: Alert, user: User | None, card: Card | None, board: Board | None) -> str:
    e = alert.evidence
    who = user.display_name if user else "Un membre"
    title = f"« {card.title} »" if card else "une fiche"
    match alert.rule:
        case Rule.newcomer_unanswered:
            return (
                f"Premier message de {who} sans réponse depuis {_hours(e['hours_waiting'])} : "
                f"{title}."
            )
        case Rule.post_unanswered:
            return (
                f"La fiche {title} de {who} attend une réponse depuis {_hours(e['hours_waiting'])}."
            )
        case Rule.member_silent:
            return (
                f"{who} ne s'est pas manifesté·e depuis {_days(e['silent_days'])}, alors que "
                f"son rythme habituel est d'une contribution tous les "
                f"{_days(e['usual_gap_days'])}."
            )
        case Rule.board_stalled:
            name = f"« {board.name} »" if board else "Un tableau"
            return f"Le tableau {name} n'a connu aucune activité depuis {_days(e['idle_days'])}."
        case Rule.contributions_concentrated:
            share = round(100 * e["share"])
            return (
                f"{who} a écrit {share} % des contributions récentes "
                f"({int(e['contributions'])} sur {int(e['total'])})."
            )
    return str(alert.rule)


async def list_alerts(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    now = utcnow()
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        thresholds = await thresholds_of(session, collective_id)
        records = await load_records(essaim, collective_id, now)
        # Off the event loop: the rules read the whole history (see engagement.engagement).
        alerts = await asyncio.to_thread(
            evaluate, records.activities, records.members, records.boards, now, thresholds
        )
        card_ids = {a.subject.id for a in alerts if a.subject.kind == "card"}
        cards = {
            c.id: c
            for c in await session.scalars(
                select(Card).where(Card.id.in_(card_ids), Card.moderation == Moderation.published)
            )
        }
        board_ids = {c.board_id for c in cards.values()} | {
            a.subject.id for a in alerts if a.subject.kind == "board"
        }
        boards = {
            b.id: b for b in await session.scalars(select(Board).where(Board.id.in_(board_ids)))
        }
        user_ids = {c.author_id for c in cards.values()} | {
            a.subject.id for a in alerts if a.subject.kind == "member"
        }
        users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(user_ids)))}
        nudged = await last_nudges(session, collective_id, user_ids)
    out = []
    for alert in sorted(alerts, key=lambda a: (a.since, alert_id(a))):
        card = cards.get(alert.subject.id) if alert.subject.kind == "card" else None
        if alert.subject.kind == "card" and card is None:
            continue  # hidden or deleted since: nothing left to answer
        board = boards.get(card.board_id if card else alert.subject.id)
        if alert.subject.kind == "member":
            board = None
        who = users.get(card.author_id if card else alert.subject.id)
        if alert.subject.kind == "board":
            who = None
        last_nudge = nudged.get(who.id) if who else None
        out.append(
            {
                "id": alert_id(alert),
                "rule": RULE_NAMES[alert.rule],
                "since": iso(alert.since),
                "summary_fr": summary_fr(alert, who, card, board),
                "evidence": dict(alert.evidence),
                "causes": [c.name for c in alert.causes],
                "user": user_view(who) if who else None,
                "card": {"id": card.id, "title": card.title, "board_id": card.board_id}
                if card
                else None,
                "board": {"id": board.id, "name": board.name} if board else None,
                "actions": [a.value for a in alert.actions],
                # The member's last nudge here, and until when another one is refused.
                "last_nudge_at": iso(last_nudge),
                "next_nudge_at": iso(next_nudge_at(last_nudge, now)),
            }
        )
    return {"alerts": out, "thresholds": threshold_values(thresholds)}
