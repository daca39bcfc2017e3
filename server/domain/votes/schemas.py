"""The bodies of the vote endpoints: strict like every body (server/domain/schemas.py); what
a ballot means is checked by its method (``methods.normalise_ballot``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from server.core.models import ResultsVisibility
from server.domain.schemas import NO_NUL, Body, Id, Title
from server.domain.votes.methods import Method

MAX_OPTIONS = 50

OptionLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NO_NUL
]
Count = Annotated[int, Field(ge=0, le=1_000)]


class VoteIn(Body):
    """Options are either cards of the collective (``card_ids``) or labels (``options``)."""

    title: Title
    method: Method
    card_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_OPTIONS)] | None = None
    options: Annotated[list[OptionLabel], Field(min_length=1, max_length=MAX_OPTIONS)] | None = None
    budget: Annotated[int, Field(ge=1, le=100)] = 3
    max_per_option: Annotated[int, Field(ge=1, le=100)] | None = None
    anonymous: bool = False
    results: ResultsVisibility = ResultsVisibility.live
    board_id: Id | None = None
    closes_at: AwareDatetime | None = None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000), NO_NUL]


class BallotIn(Body):
    """The caller's whole ballot: the one key of the vote's method (consent: and a reason)."""

    dots: Annotated[dict[str, Count], Field(max_length=MAX_OPTIONS)] | None = None
    grades: Annotated[dict[str, str], Field(max_length=MAX_OPTIONS)] | None = None
    approve: Annotated[list[int], Field(max_length=MAX_OPTIONS)] | None = None
    scores: Annotated[dict[str, int], Field(max_length=MAX_OPTIONS)] | None = None
    consent: str | None = None
    reason: Reason | None = None
