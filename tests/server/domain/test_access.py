"""The role rules, without a database: the ``ALLOWED`` table is the one the module's docstring
draws, an animator is recognised by role alone, and only the author or an animator may change
a piece of content."""

from __future__ import annotations

import pytest

from server.core.errors import ErrorCode, Forbidden
from server.core.models import Membership, Role, User
from server.domain import access
from server.domain.access import ALLOWED, Action, is_animator, require_owner_or_animator

LEA = User(id=4, email="lea@example.fr", display_name="Léa Martin")


def member(role: Role) -> Membership:
    return Membership(collective_id=2, user_id=LEA.id, role=role)


def documented_table() -> dict[Action, frozenset[str]]:
    """The roles the docstring says may take each action (its ``yes`` cells)."""
    doc = access.__doc__ or ""
    lines = doc.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["action"])
    columns = header.split()[1:]
    table: dict[Action, frozenset[str]] = {}
    for line in lines:
        cells = line.split()
        if cells and cells[0] in set(Action):
            answers = cells[1 : 1 + len(columns)]
            table[Action(cells[0])] = frozenset(
                role for role, answer in zip(columns, answers, strict=True) if answer == "yes"
            )
    return table


def test_the_allowed_table_is_the_documented_one() -> None:
    assert documented_table() == ALLOWED
    assert set(ALLOWED) == set(Action)


def test_each_role_may_do_less_than_the_one_above() -> None:
    assert ALLOWED[Action.manage] < ALLOWED[Action.write] < ALLOWED[Action.read]
    assert ALLOWED[Action.manage] == {Role.animator}
    assert Role.observer in ALLOWED[Action.read] and Role.observer not in ALLOWED[Action.write]


def test_only_the_animator_role_is_an_animator() -> None:
    assert is_animator(member(Role.animator))
    assert not is_animator(member(Role.member))
    assert not is_animator(member(Role.observer))


@pytest.mark.parametrize("role", list(Role))
def test_the_author_may_change_their_own_content_whatever_their_role(role: Role) -> None:
    require_owner_or_animator(LEA.id, LEA, member(role))


def test_an_animator_may_change_anyones_content() -> None:
    require_owner_or_animator(99, LEA, member(Role.animator))


@pytest.mark.parametrize("role", [Role.member, Role.observer])
def test_anyone_else_is_refused_with_403(role: Role) -> None:
    with pytest.raises(Forbidden) as refused:
        require_owner_or_animator(99, LEA, member(role))
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert refused.value.status == 403
