"""The bodies of the diagnostic endpoints, strict like every body (server/domain/schemas.py).
What an answer may be depends on its question, checked against the diagnostic's own copy of
its template (``answers.check_answers``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from server.domain.diagnostics.catalogue import KINDS, SCALE_MAX
from server.domain.schemas import NO_NUL, Body, Id, LongText, Name, Title

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
Slug = Annotated[str, StringConstraints(min_length=1, max_length=60), NO_NUL]
QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NO_NUL
]
Level = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NO_NUL
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), NO_NUL]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000), NO_NUL]
TemplateKey = Annotated[str, StringConstraints(min_length=1, max_length=40), NO_NUL]
Kind = Literal["scale4", "scale5", "yesno", "number", "text"]
assert set(KINDS) == {"scale4", "scale5", "yesno", "number", "text"}


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("lower-case letters, digits, '.', '_' or '-' (at most 60)")
    return value


class QuestionIn(Body):
    id: Slug
    text: QuestionText
    kind: Kind
    levels: Annotated[list[Level], Field(max_length=5)] = []
    unit: Unit = ""

    _check_id = field_validator("id")(_slug)

    @model_validator(mode="after")
    def _levels_fit_the_scale(self) -> QuestionIn:
        wanted = SCALE_MAX.get(self.kind, 0)
        if len(self.levels) != wanted:
            raise ValueError(f"a {self.kind} question has {wanted} level descriptions")
        return self


class ThemeIn(Body):
    id: Slug
    title: Name
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=20)]

    _check_id = field_validator("id")(_slug)


def _unique_ids(themes: list[ThemeIn]) -> list[ThemeIn]:
    theme_ids = [t.id for t in themes]
    question_ids = [q.id for t in themes for q in t.questions]
    if len(set(theme_ids)) != len(theme_ids) or len(set(question_ids)) != len(question_ids):
        raise ValueError("theme ids and question ids must be unique in a template")
    return themes


class TemplateIn(Body):
    name: Name
    description: Description = ""
    themes: Annotated[list[ThemeIn], Field(min_length=1, max_length=20)]

    _check_themes = field_validator("themes")(_unique_ids)


class TemplatePatch(Body):
    """A new version of one's template: diagnostics already made keep theirs."""

    name: Name | None = None
    description: Description | None = None
    themes: Annotated[list[ThemeIn], Field(min_length=1, max_length=20)] | None = None

    @field_validator("themes")
    @classmethod
    def _check_themes(cls, themes: list[ThemeIn] | None) -> list[ThemeIn] | None:
        return _unique_ids(themes) if themes is not None else None


class DiagnosticIn(Body):
    template_id: TemplateKey
    member_id: Id
    # Who else of the collective belongs to the member's company (defaults: the members who
    # gave the same organisation); the animator decides, a member's profile never does.
    company_user_ids: Annotated[list[Id], Field(max_length=50)] | None = None


class DiagnosticPatch(Body):
    """Answers keyed by question id (null clears one), merged into the stored ones; drafts are
    saved as one types. ``status: done`` needs every scale question answered."""

    version: Annotated[int, Field(ge=1)]
    answers: Annotated[dict[str, Any], Field(max_length=400)] | None = None
    status: Literal["draft", "done"] | None = None
    company_user_ids: Annotated[list[Id], Field(max_length=50)] | None = None


Status = Literal["todo", "doing", "done", "dropped"]
CardIds = Annotated[list[Id], Field(max_length=20)]


class ActionIn(Body):
    title: Title
    theme_id: Slug | None = None
    owner_id: Id | None = None
    due_on: date | None = None
    status: Status = "todo"
    notes: LongText = ""
    card_ids: CardIds = []


class ActionPatch(Body):
    version: Annotated[int, Field(ge=1)]
    title: Title | None = None
    theme_id: Slug | None = None
    owner_id: Id | None = None
    due_on: date | None = None
    status: Status | None = None
    notes: LongText | None = None
    card_ids: CardIds | None = None


class NeedStepIn(Body):
    """Turn a shared need into a collective step: a meeting on ``held_on`` or a phase over
    ``starts_on``–``ends_on``, with a board pre-filled with the question."""

    template_id: TemplateKey
    kind: Literal["meeting", "phase"] = "meeting"
    held_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
