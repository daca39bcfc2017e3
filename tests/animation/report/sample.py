"""A small collective's report over March–April 2026, built by hand (no database), for the
rendering tests: an animator, a member whose name looks like a formula, two meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from animation.load import Records
from animation.records import Activity, Kind, Member
from animation.report.data import ReportDecision, build_report
from server.core.models import Collective, Meeting, Membership, Role, User

START, END = date(2026, 3, 1), date(2026, 4, 30)
NOW = datetime(2026, 5, 2, 9, tzinfo=UTC)
ALICE, BRUNO = 1, 2  # the animator, a member


def utc(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


ACTIVITIES = [
    Activity(utc(3, 3), ALICE, Kind.post, 10, 1, "question", ALICE),
    Activity(utc(3, 3, 14), BRUNO, Kind.comment, 10, 1, "question", ALICE),  # 4 h later
    Activity(utc(3, 4), ALICE, Kind.reaction, 10, 1, "question", ALICE, reaction="useful"),
    *[Activity(utc(4, d), BRUNO, Kind.post, 20 + d, 1, "idea", BRUNO) for d in (6, 7, 14, 21)],
    Activity(utc(5, 1), BRUNO, Kind.post, 99, 1, "idea", BRUNO),  # after the period
]


DECISIONS = [
    ReportDecision(
        "Trois idées à expérimenter",
        "dot",
        date(2026, 4, 2),
        7,
        10,
        ("=Isolant <i>chanvre</i>", "Achats groupés"),
    ),
    ReportDecision("Qui porte l'offre commune ?", "majority", date(2026, 3, 20), 4, None, ()),
    ReportDecision("Décision de mai", "consent", date(2026, 5, 1), 3, 3, ("Proposition",)),
]


def report(role: str) -> dict[str, Any]:
    """The report as ``role`` (animator or observer) receives it."""
    collective = Collective(
        id=7, name="Réseau Rénov' — Sud", territory="Drôme", theme="", funders=["ADEME"]
    )
    people = [
        (
            Membership(user_id=ALICE, role=Role.animator, organisation="Agence"),
            User(id=ALICE, display_name="Alice Martin"),
        ),
        (
            Membership(user_id=BRUNO, role=Role.member, organisation=""),
            User(id=BRUNO, display_name="=Bruno <b>Roy</b>"),
        ),
    ]
    meetings = [
        Meeting(id=1, title="Atelier isolation", kind="workshop", held_on=date(2026, 3, 10)),
        Meeting(id=2, title="Visite de chantier", kind="visit", held_on=date(2026, 4, 15)),
    ]
    attendance = [(1, ALICE), (1, BRUNO), (2, ALICE)]
    joined = datetime(2026, 1, 5, tzinfo=UTC)
    members = [Member(ALICE, joined, "animator"), Member(BRUNO, joined, "member")]
    records = Records(ACTIVITIES, members, [])
    return build_report(
        collective, role, START, END, NOW, people, meetings, attendance, records, DECISIONS
    )
