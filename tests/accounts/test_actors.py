"""How a staff member is named on the records others read (``staff_display_name``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from minwon.accounts.actors import _name_and_grants, staff_display_name
from minwon.accounts.commands import GrantRole
from minwon.accounts.models import User
from minwon.kernel import execute
from minwon.kernel.types import Channel
from tests.conftest import SYSTEM, WONJU

pytestmark = pytest.mark.django_db


def _grant(user: User, role: str, department: str) -> None:
    execute(
        GrantRole(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, user_id=user.pk,
                  role=role, department=department)
    )  # fmt: skip


def test_the_senior_grant_names_the_staff_member(make_staff: Callable[..., User]) -> None:
    """Name, 부서 and 직무 of the senior grant; the login name without a display name; the
    name alone without a grant; nothing for an unknown account — and the precompiled read
    gives the rows the ORM's own query gives."""
    officer = make_staff("officer", username="officer-a")
    _grant(officer, "department_head", "총무과")
    User.objects.filter(pk=officer.pk).update(display_name="정우성")
    clerk = make_staff("counter_clerk", username="clerk-b")
    User.objects.filter(pk=clerk.pk).update(display_name="")
    bare = User.objects.create(username="no-grant", display_name="홍길동", kind="staff")

    assert staff_display_name(officer.pk) == "정우성 (총무과 부서장)"
    assert staff_display_name(clerk.pk) == "clerk-b (민원 담당)"
    assert staff_display_name(bare.pk) == "홍길동"
    assert staff_display_name(10**9) == ""
    assert staff_display_name(None) == ""
    for user_id in (officer.pk, clerk.pk, bare.pk, 10**9):
        orm = User.objects.filter(pk=user_id).values_list(
            "display_name", "username", "grants__role", "grants__department"
        )
        assert sorted(_name_and_grants().rows(user_id), key=str) == sorted(orm, key=str)
