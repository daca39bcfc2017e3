"""What an animator tunes: stored thresholds over the defaults, and nudge templates."""

from __future__ import annotations

import pytest

from animation.alerts import Thresholds
from animation.thresholds import (
    DEFAULT_NUDGE_TEMPLATE,
    check_template,
    fill,
    thresholds_from,
    thresholds_view,
)
from server.core.errors import InvalidInput
from server.core.models import User


def test_stored_thresholds_override_the_defaults_and_forget_retired_names() -> None:
    found = thresholds_from({"post_unanswered_hours": 72.0, "retired_setting": 3})
    assert found == Thresholds(post_unanswered_hours=72.0)
    view = thresholds_view(found)
    assert view["thresholds"]["post_unanswered_hours"] == 72.0
    assert view["defaults"]["post_unanswered_hours"] == 48.0


def test_the_default_template_is_valid_and_fills_in_the_names() -> None:
    check_template(DEFAULT_NUDGE_TEMPLATE)
    text = fill(
        "Bonjour {prenom} ({nom}), « {collectif} » — {animateur}",
        User(display_name="Lucie Arnaud"),
        "Rénov' Sud",
        User(display_name="Claire Morel"),
    )
    assert text == "Bonjour Lucie (Lucie Arnaud), « Rénov' Sud » — Claire Morel"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("Bonjour {name}", "unknown name"),
        ("Bonjour {}", "unknown empty {}"),
        ("Bonjour {prenom", "write {{ and }} for literal braces"),
        ("Bonjour {prenom!r}", "write {prenom} plainly"),
        ("Bonjour {prenom:>10}", "write {prenom} plainly"),
    ],
)
def test_bad_templates_are_refused_with_a_hint(template: str, says: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_template(template, field="message")
    assert raised.value.fields["message"].startswith(says)


def test_literal_braces_are_allowed() -> None:
    check_template("{{voir le tableau}} {prenom}")
