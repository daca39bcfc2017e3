"""What a guide holds, gathered from the database (``server.domain.guide.gather``) and
rendered by ``server.domain.guide.render`` (PDF, ODT) and ``server.domain.guide.opendata``:
plain data, nothing to query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Image:
    """An image attached to a practice (PNG, JPEG, GIF or WebP), its bytes read already."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Trial:
    """Someone who tried the practice (a « je l'ai essayé » reaction), with what they said."""

    who: str  # display name, or « Anonyme »
    comment: str  # their latest comment on the card, or ""


@dataclass(frozen=True)
class Practice:
    id: int
    title: str
    kind: str  # "practice" or "decision"
    summary: str  # the card's body (Markdown source, plain enough to print as text)
    tags: tuple[str, ...]
    author: str  # display name, or « Anonyme »
    # The structure of a practice sheet (empty strings / tuple when not filled in).
    context: str = ""
    steps: tuple[str, ...] = ()
    results: str = ""
    costs: str = ""
    vigilance: str = ""
    contacts: str = ""
    tried_by: tuple[Trial, ...] = ()
    images: tuple[Image, ...] = ()
    capitalised_on: date | None = None


@dataclass(frozen=True)
class Section:
    """One theme: a tag (or « Autres pratiques »), its practices in title order."""

    title: str
    practices: tuple[Practice, ...]


@dataclass(frozen=True)
class Guide:
    collective: str
    description: str
    territory: str
    funders: tuple[str, ...]
    starts_on: date | None
    ends_on: date | None
    made_on: date
    licence: str  # "CC BY-SA 4.0", "CC BY 4.0" or « Tous droits réservés »
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def practices(self) -> list[Practice]:
        return [p for s in self.sections for p in s.practices]
