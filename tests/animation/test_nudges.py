"""A nudge's message as sent (``_personal``) and its cooldown (``next_nudge_at``), without a
database: a message using the placeholders correctly is filled, one whose braces are not
placeholders is sent exactly as the animator wrote it, and no text means the default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from animation.nudges import NUDGE_COOLDOWN, _personal, next_nudge_at
from animation.thresholds import DEFAULT_NUDGE_TEMPLATE, DEFAULT_WELCOME
from server.core.models import User

RECIPIENT = User(id=7, email="jeanne@example.fr", display_name="Jeanne Dupont")
SENDER = User(id=2, email="marc@example.fr", display_name="Marc Lefèvre")
COLLECTIVE = "Artisans de la rénovation"


def personal(text: str | None, default: str = DEFAULT_NUDGE_TEMPLATE) -> str:
    return _personal(text, default, RECIPIENT, COLLECTIVE, SENDER)


def test_every_placeholder_is_filled() -> None:
    text = "Bonjour {prenom} ({nom}), « {collectif} » vous attend. — {animateur}"
    assert personal(text) == (
        "Bonjour Jeanne (Jeanne Dupont), « Artisans de la rénovation » vous attend. — Marc Lefèvre"
    )


def test_doubled_braces_are_literal_braces() -> None:
    assert personal("{{prenom}} s'écrit ainsi, {prenom}") == "{prenom} s'écrit ainsi, Jeanne"


def test_no_text_sends_the_default_filled() -> None:
    for nothing in (None, ""):
        sent = personal(nothing)
        assert sent.startswith("Bonjour Jeanne,\n\n")
        assert "« Artisans de la rénovation »" in sent
        assert sent.endswith("À bientôt,\nMarc Lefèvre")
        assert "{" not in sent


def test_the_welcome_default_is_filled_too() -> None:
    sent = personal(None, DEFAULT_WELCOME)
    assert sent.startswith("Bienvenue Jeanne dans « Artisans de la rénovation » !")
    assert sent.endswith("— Marc Lefèvre")


@pytest.mark.parametrize(
    "text",
    [
        "Rendez-vous {demain} à 9 h, {prenom}",  # an unknown placeholder
        "Le lot {} est à vous",  # an empty one
        "Salut {prenom!r}",  # a conversion
        "Salut {prenom:>20}",  # a format
        "Salut {prenom.upper}",  # an attribute
        "Tarif : 30 € } la journée",  # an unbalanced brace
        "Ensemble { on avance",
    ],
)
def test_braces_that_are_not_placeholders_are_sent_as_written(text: str) -> None:
    assert personal(text) == text


def test_a_blank_display_name_leaves_the_first_name_empty() -> None:
    nameless = User(id=8, email="x@example.fr", display_name="   ")
    assert _personal("Bonjour {prenom}!", "", nameless, COLLECTIVE, SENDER) == "Bonjour !"


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_member_never_nudged_or_nudged_long_ago_may_be_nudged_now() -> None:
    assert next_nudge_at(None, NOW) is None
    assert next_nudge_at(NOW - NUDGE_COOLDOWN, NOW) is None
    assert next_nudge_at(NOW - timedelta(days=30), NOW) is None


def test_a_member_nudged_recently_waits_for_the_cooldown() -> None:
    last = NOW - timedelta(days=1)
    assert next_nudge_at(last, NOW) == last + NUDGE_COOLDOWN
    just_before = NOW - NUDGE_COOLDOWN + timedelta(seconds=1)
    assert next_nudge_at(just_before, NOW) == NOW + timedelta(seconds=1)
