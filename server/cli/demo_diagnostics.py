"""The demo collective's individual phase: pre-diagnostics (« Rénovation énergétique —
artisans du bâtiment ») of six artisans finished during the collective phase, two drafts, and
their first actions — weak on cooperation and digital tools, as the boards' talk of a joint
« offre globale » suggests. ``load_demo`` writes them through the domain, like the rest."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.diagnostics.schemas import Status

TEMPLATE = "renovation-energetique"
LEVELS = (
    "qualification.rge",
    "technique.biosources",
    "accompagnement.aides",
    "cooperation.groupement",
    "numerique.devis",
    "rh.formation",
    "finance.tresorerie",
)


@dataclass(frozen=True)
class DemoAction:
    title: str
    theme: str
    status: Status
    due_in_days: int | None  # from today
    links_a_practice: bool = False


@dataclass(frozen=True)
class DemoDiagnostic:
    member: str  # person key
    days_ago: float  # when it was made (finished then, unless a draft)
    levels: tuple[int, ...]  # one per LEVELS question, 1..5
    devis: int  # renovation quotes signed last year
    apprentices: bool
    done: bool = True
    actions: tuple[DemoAction, ...] = ()


DIAGNOSTICS: tuple[DemoDiagnostic, ...] = (
    DemoDiagnostic(
        "julien",
        40,
        (4, 3, 4, 2, 3, 3, 2),
        38,
        True,
        actions=(
            DemoAction(
                "Monter un groupement avec un maçon et un menuisier pour les offres globales",
                "cooperation",
                "doing",
                45,
                links_a_practice=True,
            ),
            DemoAction("Passer à un logiciel de devis en ligne", "numerique", "todo", 60),
        ),
    ),
    DemoDiagnostic(
        "thomas",
        34,
        (2, 2, 2, 2, 1, 2, 2),
        12,
        True,
        actions=(
            DemoAction("Obtenir la qualification RGE Eco Artisan", "qualification", "doing", 75),
            DemoAction("Former un compagnon à l’étanchéité à l’air", "rh", "todo", 40),
        ),
    ),
    DemoDiagnostic(
        "mehdi",
        30,
        (3, 3, 2, 3, 2, 2, 3),
        20,
        False,
        actions=(
            DemoAction("Proposer une menuiserie bois biosourcée", "technique", "done", 10),
            DemoAction(
                "Préparer un prévisionnel de trésorerie avec l’expert-comptable",
                "finance",
                "todo",
                20,
            ),
        ),
    ),
    DemoDiagnostic(
        "isabelle",
        26,
        (4, 4, 3, 2, 2, 3, 2),
        25,
        True,
        actions=(
            DemoAction(
                "Répondre avec Menuiseries Benali au chantier de la salle des fêtes",
                "cooperation",
                "doing",
                30,
            ),
        ),
    ),
    DemoDiagnostic(
        "nathalie",
        21,
        (1, 2, 1, 1, 2, 1, 2),
        6,
        False,
        actions=(
            DemoAction("Déposer le dossier de qualification RGE", "qualification", "todo", 10),
            DemoAction("Suivre la formation FEEBat rénovation", "rh", "todo", 25),
        ),
    ),
    DemoDiagnostic(
        "patrick",
        15,
        (3, 4, 2, 3, 1, 3, 3),
        15,
        True,
        actions=(
            DemoAction(
                "Outiller le suivi de chantier (photos, planning partagé)",
                "numerique",
                "todo",
                50,
            ),
        ),
    ),
    DemoDiagnostic("olivier", 6, (3, 3, 2), 0, True, done=False),
    DemoDiagnostic("karim", 2, (4, 5), 0, False, done=False),
)
