"""The workshop methods Essaim ships (Brainstorming, Speedboat, SWOT, 1-2-4-Tous, Lean Coffee)
and the step they are made of. Their texts are in French, the language of the collectives'
content (cards, boards); an animator saves their own method as a ``WorkshopTemplate``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """A step of a method: how long it lasts and what participants may do during it."""

    title: str
    minutes: int
    instructions: str = ""
    cards: bool = True  # participants may add cards
    intake: bool = False  # their new cards go to the inbox the animator places
    anonymous: bool = False  # their new cards hide their author from the other participants
    vote: bool = False  # a voting step: the animator opens a vote on the board's cards

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    steps: tuple[Step, ...]
    columns: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "id": None,
            "name": self.name,
            "description": self.description,
            "columns": list(self.columns),
            "steps": [s.as_dict() for s in self.steps],
            "shipped": True,
        }


SHIPPED: tuple[Template, ...] = (
    Template(
        "brainstorming",
        "Brainstorming",
        "Produire beaucoup d'idées sans les juger, les regrouper, puis choisir ensemble.",
        (
            Step(
                "Divergence",
                10,
                "Une idée par fiche, sans vous censurer : la quantité compte. Les auteurs"
                " restent masqués.",
                anonymous=True,
            ),
            Step(
                "Regroupement",
                10,
                "Rapprochez les idées qui se ressemblent ; l'animateur les range par thème.",
                cards=False,
            ),
            Step(
                "Vote par gommettes",
                5,
                "Répartissez vos gommettes sur les idées à expérimenter en premier.",
                cards=False,
                vote=True,
            ),
        ),
    ),
    Template(
        "speedboat",
        "Speedboat",
        "Le bateau du collectif : ce qui le pousse, ce qui le freine, les risques à venir et"
        " le cap visé.",
        (
            Step(
                "Île : notre objectif",
                5,
                "Où voulons-nous arriver ensemble dans un an ?",
                intake=True,
            ),
            Step(
                "Vents et ancres",
                10,
                "Ce qui nous pousse (vents) et ce qui nous retient (ancres). Les auteurs"
                " restent masqués.",
                anonymous=True,
            ),
            Step("Récifs", 8, "Les risques que nous voyons venir.", anonymous=True),
            Step(
                "Priorités",
                7,
                "Votez pour les ancres et récifs à traiter d'abord.",
                cards=False,
                vote=True,
            ),
        ),
        ("Vents", "Ancres", "Récifs", "Île"),
    ),
    Template(
        "swot",
        "SWOT",
        "Atouts et faiblesses du collectif, opportunités et menaces de son territoire.",
        (
            Step("Atouts et faiblesses", 12, "Ce qui dépend de nous : nos forces, nos manques."),
            Step("Opportunités et menaces", 12, "Ce qui vient de l'extérieur : marché, règles…"),
            Step("Synthèse", 10, "Les trois points à retenir, votés ensemble.", vote=True),
        ),
        ("Atouts", "Faiblesses", "Opportunités", "Menaces"),
    ),
    Template(
        "1-2-4-all",
        "1-2-4-Tous",
        "Chacun réfléchit seul, puis à deux, puis à quatre, avant la mise en commun.",
        (
            Step("Seul", 2, "Notez vos idées pour vous, sans rien publier.", cards=False),
            Step("À deux", 4, "Confrontez vos idées avec votre voisin.", cards=False),
            Step(
                "À quatre",
                8,
                "Gardez les meilleures idées du groupe et publiez-les, une par fiche.",
                intake=True,
            ),
            Step(
                "Tous",
                6,
                "Chaque groupe présente ses idées ; l'animateur les place au tableau.",
                cards=False,
            ),
        ),
    ),
    Template(
        "lean-coffee",
        "Lean Coffee",
        "Une discussion sans ordre du jour préparé : on propose les sujets, on les vote,"
        " on les discute par tranches de temps.",
        (
            Step("Proposer des sujets", 5, "Un sujet par fiche.", intake=True),
            Step(
                "Voter les sujets",
                3,
                "Deux gommettes chacun sur les sujets à discuter.",
                cards=False,
                vote=True,
            ),
            Step(
                "Discuter",
                8,
                "Le sujet le plus voté d'abord ; à la fin du temps, on continue ou on passe.",
                cards=False,
            ),
            Step("Discuter encore", 8, "Sujet suivant.", cards=False),
        ),
        ("À discuter", "En cours", "Discuté"),
    ),
)

BY_KEY: dict[str, Template] = {t.key: t for t in SHIPPED}
CUSTOM_PREFIX = "custom-"
INBOX_TITLE = "Boîte d'arrivée"
