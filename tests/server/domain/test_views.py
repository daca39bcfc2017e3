"""The JSON views, on model instances built in memory: each names its fields as the API
documents them, dates in ISO 8601, Markdown rendered and escaped, lists copied, and what is
said of another person limited to their id and display name."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from server.core.models import (
    Attachment,
    Board,
    BoardColumn,
    Card,
    Collective,
    Comment,
    Membership,
    Moderation,
    Phase,
    Role,
    User,
)
from server.domain.views import (
    attachment_view,
    board_view,
    card_view,
    collective_view,
    column_view,
    comment_view,
    iso,
    me_view,
    member_view,
    phase_view,
    user_view,
)

CREATED = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
EDITED = datetime(2026, 1, 13, 17, 45, 30, tzinfo=UTC)

LEA = User(
    id=4,
    email="lea@example.fr",
    display_name="Léa Martin",
    password_hash="$argon2id$secret",
    language="fr",
    created_at=CREATED,
    email_verified_at=None,
)


def test_iso_keeps_dates_datetimes_and_their_offset() -> None:
    assert iso(None) is None
    assert iso(date(2026, 9, 30)) == "2026-09-30"
    assert iso(EDITED) == "2026-01-13T17:45:30+00:00"
    paris = timezone(timedelta(hours=1))
    assert iso(datetime(2026, 1, 13, 18, 45, tzinfo=paris)) == "2026-01-13T18:45:00+01:00"


def test_another_person_is_only_an_id_and_a_display_name() -> None:
    assert user_view(LEA) == {"id": 4, "display_name": "Léa Martin"}


def test_me_view_says_whether_the_address_is_verified_never_the_password() -> None:
    assert me_view(LEA) == {
        "id": 4,
        "email": "lea@example.fr",
        "display_name": "Léa Martin",
        "language": "fr",
        "created_at": "2026-01-12T08:00:00+00:00",
        "email_verified": False,
    }
    verified = User(id=5, email="paul@example.fr", display_name="Paul", language="en")
    verified.email_verified_at = EDITED
    assert me_view(verified)["email_verified"] is True
    assert "password_hash" not in me_view(verified)


def test_collective_view() -> None:
    funders = ["Région Occitanie", "ADEME"]
    collective = Collective(
        id=2,
        name="Artisans de la rénovation",
        description="Rénover ensemble",
        theme="énergie",
        territory="Hérault",
        funders=funders,
        starts_on=date(2026, 1, 5),
        ends_on=None,
        members_open_votes=False,
        last_seq=57,
        created_by=4,
        created_at=CREATED,
    )
    view = collective_view(collective)
    assert view == {
        "id": 2,
        "name": "Artisans de la rénovation",
        "description": "Rénover ensemble",
        "theme": "énergie",
        "territory": "Hérault",
        "funders": ["Région Occitanie", "ADEME"],
        "starts_on": "2026-01-05",
        "ends_on": None,
        "members_open_votes": False,
        "licence": None,  # the database's default, CC-BY-SA-4.0, once stored
        "seq": 57,
        "created_at": "2026-01-12T08:00:00+00:00",
    }
    view["funders"].append("Commune")
    assert funders == ["Région Occitanie", "ADEME"]


def test_member_view_nests_the_user() -> None:
    member = Membership(
        collective_id=2,
        user_id=4,
        role=Role.member,
        organisation="SCOP Chanvre & Co",
        trade="plaquiste",
        skills=["isolation", "enduits"],
        joined_at=CREATED,
    )
    assert member_view(member, LEA) == {
        "user": {"id": 4, "display_name": "Léa Martin"},
        "role": "member",
        "organisation": "SCOP Chanvre & Co",
        "trade": "plaquiste",
        "skills": ["isolation", "enduits"],
        "joined_at": "2026-01-12T08:00:00+00:00",
    }


def test_phase_board_and_column_views() -> None:
    phase = Phase(
        id=3,
        collective_id=2,
        name="Diagnostic",
        kind="diagnostic",
        description="",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 3, 31),
    )
    assert phase_view(phase) == {
        "id": 3,
        "collective_id": 2,
        "name": "Diagnostic",
        "kind": "diagnostic",
        "description": "",
        "starts_on": "2026-02-01",
        "ends_on": "2026-03-31",
    }
    board = Board(
        id=5,
        collective_id=2,
        name="Retours de chantier",
        kind="kanban",
        description="Ce qui a marché",
        phase_id=None,
        archived=False,
        locked=True,
        created_by=4,
        created_at=CREATED,
    )
    assert board_view(board) == {
        "id": 5,
        "collective_id": 2,
        "name": "Retours de chantier",
        "kind": "kanban",
        "description": "Ce qui a marché",
        "phase_id": None,
        "archived": False,
        "locked": True,
        "created_at": "2026-01-12T08:00:00+00:00",
    }
    column = BoardColumn(id=9, board_id=5, name="À tester", position=2)
    assert column_view(column) == {"id": 9, "board_id": 5, "name": "À tester", "position": 2}


def card(**changes: object) -> Card:
    found = Card(
        id=7,
        collective_id=2,
        board_id=5,
        column_id=9,
        position=1,
        kind="practice",
        title="Isolation en laine de bois",
        body="Pose **sans pont thermique**, voir <script>alert(1)</script>",
        tags=["isolation", "biosourcé"],
        author_id=4,
        version=3,
        moderation=Moderation.published,
        pinned=False,
        created_at=CREATED,
        updated_at=EDITED,
    )
    for name, value in changes.items():
        setattr(found, name, value)
    return found


def test_card_view_renders_the_body_and_names_its_author_by_name_only() -> None:
    view = card_view(card(), LEA, {"useful": 2, "plus_one": 1}, comments=4)
    assert view == {
        "id": 7,
        "collective_id": 2,
        "board_id": 5,
        "column_id": 9,
        "position": 1,
        "kind": "practice",
        "title": "Isolation en laine de bois",
        "body": "Pose **sans pont thermique**, voir <script>alert(1)</script>",
        "body_html": "<p>Pose <strong>sans pont thermique</strong>, voir "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
        "tags": ["isolation", "biosourcé"],
        "author": {"id": 4, "display_name": "Léa Martin"},
        "anonymous": False,
        "version": 3,
        "moderation": "published",
        "pinned": False,
        "reactions": {"useful": 2, "plus_one": 1},
        "comment_count": 4,
        "practice": {},
        "capitalised_at": None,
        "created_at": "2026-01-12T08:00:00+00:00",
        "updated_at": "2026-01-13T17:45:30+00:00",
    }


def test_a_card_without_reactions_or_comments_counts_none_and_copies_its_tags() -> None:
    tags = ["chaux"]
    view = card_view(card(tags=tags, body=""), LEA)
    assert (view["reactions"], view["comment_count"], view["body_html"]) == ({}, 0, "")
    view["tags"].append("chanvre")
    assert tags == ["chaux"]


def test_comment_view() -> None:
    comment = Comment(
        id=88,
        card_id=7,
        collective_id=2,
        author_id=4,
        body="Testé chez *Mme Durand* : ça tient.",
        moderation=Moderation.hidden,
        created_at=CREATED,
        updated_at=EDITED,
    )
    assert comment_view(comment, LEA) == {
        "id": 88,
        "card_id": 7,
        "author": {"id": 4, "display_name": "Léa Martin"},
        "body": "Testé chez *Mme Durand* : ça tient.",
        "body_html": "<p>Testé chez <em>Mme Durand</em> : ça tient.</p>\n",
        "moderation": "hidden",
        "created_at": "2026-01-12T08:00:00+00:00",
        "updated_at": "2026-01-13T17:45:30+00:00",
    }


def test_attachment_view_links_to_the_download_route() -> None:
    attachment = Attachment(
        id=31,
        card_id=7,
        collective_id=2,
        uploader_id=4,
        filename="devis-isolation.pdf",
        content_type="application/pdf",
        size=48213,
        sha256="ab" * 32,
        created_at=CREATED,
    )
    assert attachment_view(attachment) == {
        "id": 31,
        "card_id": 7,
        "filename": "devis-isolation.pdf",
        "content_type": "application/pdf",
        "size": 48213,
        "sha256": "ab" * 32,
        "uploader_id": 4,
        "url": "/api/v1/attachments/31",
        "created_at": "2026-01-12T08:00:00+00:00",
    }
