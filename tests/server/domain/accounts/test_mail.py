"""The emails about one's own account, in the person's language (French unless they chose
English), each carrying its link and how long it works."""

from __future__ import annotations

from server.core.models import User
from server.domain.accounts.mail import password_reset_email, verification_email

LINK = "https://essaim.example.fr/reset/jeton"


def person(language: str) -> User:
    return User(email="zoe@example.fr", display_name="Zoé", language=language)


def test_the_reset_email_is_french_by_default() -> None:
    email = password_reset_email(person("fr"), LINK, ttl_minutes=30)
    assert email.to == "zoe@example.fr"
    assert email.subject == "Réinitialiser votre mot de passe Essaim"
    assert email.text.startswith("Bonjour Zoé,")
    assert f"dans les 30 minutes :\n{LINK}\n" in email.text


def test_the_reset_email_is_english_for_those_who_chose_it() -> None:
    email = password_reset_email(person("en"), LINK, ttl_minutes=30)
    assert email.subject == "Reset your Essaim password"
    assert email.text.startswith("Hello Zoé,")
    assert f"within 30 minutes:\n{LINK}\n" in email.text


def test_the_verification_email_in_both_languages() -> None:
    french = verification_email(person("fr"), LINK, ttl_hours=48)
    assert french.subject == "Confirmez votre adresse sur Essaim"
    assert f"(valable 48 heures) :\n{LINK}\n" in french.text
    english = verification_email(person("en"), LINK, ttl_hours=48)
    assert english.subject == "Confirm your email address on Essaim"
    assert f"(valid 48 hours):\n{LINK}\n" in english.text
