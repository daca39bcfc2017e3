"""The emails about one's own account (password reset, address verification), written in the
person's language: French first, English for those who chose it."""

from __future__ import annotations

from server.core.mail import Email
from server.core.models import User


def password_reset_email(user: User, url: str, ttl_minutes: int) -> Email:
    if user.language == "en":
        return Email(
            to=user.email,
            subject="Reset your Essaim password",
            text=(
                f"Hello {user.display_name},\n\n"
                "Someone (hopefully you) asked to reset the password of your Essaim account. "
                f"To choose a new one, open this link within {ttl_minutes} minutes:\n{url}\n\n"
                "It works once. Choosing a new password logs out every device.\n"
                "If you did not ask for it, ignore this email: your password stays as it is.\n\n"
                "— Essaim"
            ),
        )
    return Email(
        to=user.email,
        subject="Réinitialiser votre mot de passe Essaim",
        text=(
            f"Bonjour {user.display_name},\n\n"
            "Quelqu'un (vous, sans doute) a demandé à réinitialiser le mot de passe de votre "
            f"compte Essaim. Pour en choisir un nouveau, ouvrez ce lien dans les {ttl_minutes} "
            f"minutes :\n{url}\n\n"
            "Il ne sert qu'une fois. Choisir un nouveau mot de passe déconnecte tous vos "
            "appareils.\n"
            "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas."
            "\n\n— Essaim"
        ),
    )


def verification_email(user: User, url: str, ttl_hours: int) -> Email:
    if user.language == "en":
        return Email(
            to=user.email,
            subject="Confirm your email address on Essaim",
            text=(
                f"Hello {user.display_name},\n\n"
                "To confirm that this address is yours, open this link "
                f"(valid {ttl_hours} hours):\n{url}\n\n"
                "If you did not create an Essaim account, ignore this email.\n\n— Essaim"
            ),
        )
    return Email(
        to=user.email,
        subject="Confirmez votre adresse sur Essaim",
        text=(
            f"Bonjour {user.display_name},\n\n"
            "Pour confirmer que cette adresse est bien la vôtre, ouvrez ce lien "
            f"(valable {ttl_hours} heures) :\n{url}\n\n"
            "Si vous n'avez pas créé de compte Essaim, ignorez ce message.\n\n— Essaim"
        ),
    )
