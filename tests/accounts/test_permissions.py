"""Roles over jurisdiction subtrees, checked in one place."""

from __future__ import annotations

import pytest

from minwon.accounts import permissions
from minwon.kernel.errors import Forbidden
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import Actor, ActorKind
from tests.conftest import GONGJU, WANSAN, WONJU, actor_of

pytestmark = pytest.mark.django_db


def test_wonju_clerk_cannot_read_gongju(make_staff) -> None:  # type: ignore[no-untyped-def]
    clerk = actor_of(make_staff("counter_clerk", WONJU))
    wonju_dong = Jurisdiction.objects.filter(parent_id=WONJU, level="eupmyeondong").first()
    gongju_dong = Jurisdiction.objects.filter(parent_id=GONGJU, level="eupmyeondong").first()
    assert permissions.is_allowed(clerk, "registry.read", wonju_dong.code)
    assert not permissions.is_allowed(clerk, "registry.read", gongju_dong.code)
    with pytest.raises(Forbidden) as info:
        permissions.authorize(clerk, "registry.read", gongju_dong.code)
    assert info.value.code == "out_of_scope"


def test_role_without_permission_is_refused(make_staff) -> None:  # type: ignore[no-untyped-def]
    auditor = actor_of(make_staff("auditor", WONJU))
    with pytest.raises(Forbidden) as info:
        permissions.authorize(auditor, "petitions.process", WONJU)
    assert info.value.code == "permission_denied"


def test_city_grant_covers_its_gu(make_staff) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(make_staff("officer", "5211000000"))
    assert permissions.is_allowed(officer, "petitions.process", WANSAN)
    assert permissions.scopes_for(officer, "petitions.process") == ["5211000000"]


def test_national_operator_and_citizens(make_staff) -> None:  # type: ignore[no-untyped-def]
    ops = actor_of(make_staff("operator", "0000000000"))
    assert permissions.is_allowed(ops, "ops.room", GONGJU)
    assert not permissions.is_allowed(ops, "registry.read", GONGJU)
    citizen = Actor(ActorKind.CITIZEN, 1, "c")
    assert not permissions.is_allowed(citizen, "registry.read", GONGJU)
    assert not permissions.is_allowed(Actor.anonymous(), "petitions.read", GONGJU)
    assert permissions.scopes_for(citizen, "petitions.read") == []


def test_an_undeclared_permission_is_an_error(make_staff) -> None:  # type: ignore[no-untyped-def]
    admin = actor_of(make_staff("sysadmin", "0000000000"))
    with pytest.raises(LookupError):
        permissions.is_allowed(admin, "petitions.procss", GONGJU)
    with pytest.raises(LookupError):
        permissions.scopes_for(admin, "petitions.*")


def test_in_scope_filters_querysets(make_staff) -> None:  # type: ignore[no-untyped-def]
    clerk = actor_of(make_staff("counter_clerk", WONJU))
    qs = permissions.in_scope(Jurisdiction.objects.all(), clerk, "registry.read", field="parent")
    assert qs.exists()
    assert all(j.path.startswith(Jurisdiction.objects.get(pk=WONJU).path) for j in qs)
    nobody = Actor(ActorKind.STAFF, 999999, "ghost")
    assert not permissions.in_scope(
        Jurisdiction.objects.all(), nobody, "registry.read", field="parent"
    ).exists()


def test_revoked_role_stops_working(make_staff) -> None:  # type: ignore[no-untyped-def]
    from minwon.accounts.commands import RevokeRole
    from minwon.kernel import execute
    from minwon.kernel.types import Channel

    user = make_staff("officer", WONJU)
    actor = actor_of(user)
    assert permissions.is_allowed(actor, "petitions.process", WONJU)
    execute(
        RevokeRole(
            actor=Actor.system("t"),
            channel=Channel.SYSTEM,
            jurisdiction=WONJU,
            user_id=user.pk,
            role="officer",
        )
    )
    assert not permissions.is_allowed(actor, "petitions.process", WONJU)
