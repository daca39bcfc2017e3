"""The kinds of notification and the ways each can reach a member, declared once: the
preferences API, the writers (``server.domain.notifications.notify``), the email dispatcher
and the browser's settings read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Delivery(StrEnum):
    immediate = "immediate"  # an email soon (grouped per thread, rate-limited)
    daily = "daily"  # in the daily digest email
    weekly = "weekly"  # in the weekly digest email
    app = "app"  # in the application only
    never = "never"  # not at all


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # French, as the settings list it
    default: Delivery
    # Who may receive it: "all" members and animators, or "animators" only.
    audience: str = "all"
    # Whether "never" is offered (an animator's message always stays in the application).
    mutable: bool = True


KINDS: tuple[Kind, ...] = (
    Kind(
        "comment", "Un commentaire sur ma fiche ou une fiche que j'ai commentée", Delivery.immediate
    ),
    Kind("answer", "Une réponse à ma question", Delivery.immediate),
    Kind("mention", "Quelqu'un me mentionne (@Prénom Nom)", Delivery.immediate),
    Kind("reaction", "Des réactions à ma fiche", Delivery.daily),
    Kind("nudge", "Un message de l'animateur", Delivery.immediate, mutable=False),
    Kind("welcome", "Le mot de bienvenue de l'animateur", Delivery.immediate, mutable=False),
    Kind("merged", "Ma fiche fusionnée avec une autre (doublon)", Delivery.immediate),
    Kind("capitalised", "Ma fiche validée pour le guide du collectif", Delivery.immediate),
    Kind("vote", "Un vote ouvert ou clos", Delivery.immediate),
    Kind("meeting", "Une réunion programmée", Delivery.immediate),
    Kind("action_due", "Une action de mon plan arrive à échéance", Delivery.immediate),
    Kind("invitation", "Une invitation acceptée", Delivery.daily, audience="animators"),
    Kind("flag", "Un signalement à examiner", Delivery.immediate, audience="animators"),
    Kind("review", "Une fiche à valider pour le guide", Delivery.daily, audience="animators"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def kinds_for(animator: bool) -> tuple[Kind, ...]:
    return tuple(k for k in KINDS if animator or k.audience == "all")


def choices(kind: Kind) -> tuple[Delivery, ...]:
    return tuple(d for d in Delivery if kind.mutable or d != Delivery.never)


def delivery_of(prefs: dict[str, str], kind: str) -> Delivery:
    """What a member's stored preferences (``Membership.notification_prefs``) say for
    ``kind``; the default where they say nothing (or something no longer offered)."""
    declared = BY_NAME.get(kind)
    if declared is None:
        return Delivery.app
    chosen = prefs.get(kind)
    if chosen is not None and chosen in Delivery.__members__:
        if Delivery(chosen) in choices(declared):
            return Delivery(chosen)
    return declared.default
