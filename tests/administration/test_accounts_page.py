"""직원 계정 관리: an administrator of 원주시 lists and opens the accounts of 원주's offices,
creates one with its first role, grants and revokes roles and closes an account — each a
command, audited; nothing beyond their jurisdiction or their own rights; another office's
account answers as one that does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from minwon.accounts import roles
from minwon.accounts.commands import GrantRole
from minwon.accounts.models import RoleGrant, User
from minwon.accounts.permissions import clear_cache
from minwon.accounts.roles import AccountsPermission
from minwon.kernel import execute
from minwon.kernel.errors import Forbidden, NotFound
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.petitions.permissions import PetitionsPermission
from tests.conftest import GONGJU, WONJU

pytestmark = pytest.mark.django_db
URL = "/staff/admin/accounts/"
MUSIL = "5113055000"  # 원주시 무실동


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def wonju_admin(make_staff: Callable[..., User]) -> User:
    return make_staff("sysadmin", WONJU)


def _key() -> str:
    return str(uuid.uuid4())


def test_the_list_holds_only_the_administrators_offices(
    wonju_admin: User, make_staff: Callable[..., User]
) -> None:
    mine = make_staff("counter_clerk", MUSIL)
    theirs = make_staff("counter_clerk", GONGJU)
    html = _login(wonju_admin).get(URL).content.decode()
    assert mine.username in html and theirs.username not in html
    client = _login(wonju_admin)
    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    absent = client.get(f"{URL}987654321/")
    other = client.get(f"{URL}{theirs.pk}/")
    assert absent.status_code == other.status_code == 404


def test_creating_an_account_with_its_first_role(wonju_admin: User) -> None:
    client = _login(wonju_admin)
    response = client.post(URL, {
        "command_id": _key(), "username": "new-clerk", "display_name": "새 직원",
        "password": "Wonju!Counter-2026", "office": MUSIL, "role": "counter_clerk",
    })  # fmt: skip
    assert response.status_code == 302
    user = User.objects.get(username="new-clerk")
    assert user.office_id == MUSIL and user.kind == User.Kind.STAFF
    assert list(user.grants.values_list("role", "jurisdiction_id")) == [("counter_clerk", MUSIL)]
    assert user.check_password("Wonju!Counter-2026")
    record = CommandRecord.objects.get(name="CreateStaffAccount", payload__username="new-clerk")
    assert "Wonju!Counter" not in str(record.payload)
    assert record.actor == f"staff:{wonju_admin.pk}"


@pytest.mark.parametrize(
    ("data", "field_message", "status"),
    [
        ({"username": "a"}, "아이디는 영문, 숫자, _.@+- 로 3~150자여야 합니다.", 400),
        ({"display_name": ""}, "이름을 입력하세요.", 400),
        ({"password": "1234"}, "비밀번호", 400),
        ({"office": GONGJU}, "관리하는 기관을 고르세요.", 400),
        ({"email": "not-mail"}, "전자우편 주소 형식이 올바르지 않습니다.", 400),
        ({"role": "emperor"}, "부여할 수 있는 직무를 고르세요.", 400),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(
    wonju_admin: User, data: dict[str, str], field_message: str, status: int
) -> None:
    base = {"command_id": _key(), "username": "new-clerk", "display_name": "새 직원",
            "password": "Wonju!Counter-2026", "office": MUSIL, "role": ""}  # fmt: skip
    response = _login(wonju_admin).post(URL, {**base, **data})
    assert response.status_code == status
    assert field_message in response.content.decode()
    assert not User.objects.filter(username__in=["new-clerk", "a"]).exists()


def test_a_taken_username_is_a_conflict(wonju_admin: User, make_staff: Callable[..., User]) -> None:
    taken = make_staff("officer", WONJU)
    response = _login(wonju_admin).post(URL, {
        "command_id": _key(), "username": taken.username, "display_name": "x",
        "password": "Wonju!Counter-2026", "office": WONJU,
    })  # fmt: skip
    assert response.status_code == 409
    assert "이미 쓰이는 아이디입니다." in response.content.decode()


def test_grant_and_revoke_a_role(wonju_admin: User, make_staff: Callable[..., User]) -> None:
    clerk = make_staff("counter_clerk", MUSIL)
    client = _login(wonju_admin)
    granted = client.post(f"{URL}{clerk.pk}/grant/", {
        "command_id": _key(), "role": "officer", "jurisdiction": WONJU, "department": "민원과",
    })  # fmt: skip
    assert granted.status_code == 302
    assert RoleGrant.objects.filter(user=clerk, role="officer", jurisdiction_id=WONJU).exists()
    revoked = client.post(
        f"{URL}{clerk.pk}/revoke/", {"command_id": _key(), "role": "officer", "jurisdiction": WONJU}
    )
    assert revoked.status_code == 302
    assert not RoleGrant.objects.filter(user=clerk, role="officer").exists()
    names = list(
        CommandRecord.objects.filter(actor=f"staff:{wonju_admin.pk}").values_list("name", flat=True)
    )
    assert names.count("GrantRole") == 1 and names.count("RevokeRole") == 1


def test_no_grant_beyond_the_administrators_jurisdiction(
    wonju_admin: User, make_staff: Callable[..., User]
) -> None:
    clerk = make_staff("counter_clerk", MUSIL)
    client = _login(wonju_admin)
    province = "5100000000"  # 강원특별자치도, above 원주시
    response = client.post(
        f"{URL}{clerk.pk}/grant/",
        {"command_id": _key(), "role": "officer", "jurisdiction": province},
    )
    assert response.status_code == 400
    assert "관리하는 관할을 고르세요." in response.content.decode()
    with pytest.raises(Forbidden):
        execute(
            GrantRole(
                actor=Actor(ActorKind.STAFF, wonju_admin.pk, wonju_admin.username),
                channel=Channel.ONLINE, jurisdiction=province, user_id=clerk.pk, role="officer",
            )
        )  # fmt: skip
    assert not RoleGrant.objects.filter(user=clerk, role="officer").exists()


def test_another_offices_account_cannot_be_granted_to(
    wonju_admin: User, make_staff: Callable[..., User]
) -> None:
    """Even over 원주 (where the administrator may grant), an account of 공주 is not theirs."""
    stranger = make_staff("counter_clerk", GONGJU)
    response = _login(wonju_admin).post(
        f"{URL}{stranger.pk}/grant/",
        {"command_id": _key(), "role": "officer", "jurisdiction": WONJU},
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        execute(
            GrantRole(
                actor=Actor(ActorKind.STAFF, wonju_admin.pk, wonju_admin.username),
                channel=Channel.ONLINE, jurisdiction=WONJU, user_id=stranger.pk, role="officer",
            )
        )  # fmt: skip
    assert not RoleGrant.objects.filter(user=stranger, role="officer").exists()


def test_no_grant_of_rights_the_administrator_lacks(
    monkeypatch: pytest.MonkeyPatch, make_staff: Callable[..., User]
) -> None:
    """A 인사 담당 who manages accounts but holds only petitions.read cannot make anyone a
    처리 담당 (petitions.process) or a 시스템 관리자 (everything)."""
    personnel = frozenset({AccountsPermission.MANAGE, PetitionsPermission.READ})
    monkeypatch.setitem(roles.ROLES, "auditor", personnel)
    clear_cache()
    manager = make_staff("auditor", WONJU)
    clerk = make_staff("counter_clerk", MUSIL)
    client = _login(manager)
    page = client.get(f"{URL}{clerk.pk}/").content.decode()
    assert 'value="sysadmin"' not in page and 'value="officer"' not in page
    for role in ("officer", "sysadmin"):
        with pytest.raises(Forbidden) as refused:
            execute(
                GrantRole(
                    actor=Actor(ActorKind.STAFF, manager.pk, manager.username),
                    channel=Channel.ONLINE, jurisdiction=WONJU, user_id=clerk.pk, role=role,
                )
            )  # fmt: skip
        assert refused.value.code == "beyond_own_rights"
    assert set(clerk.grants.values_list("role", flat=True)) == {"counter_clerk"}


def test_closing_an_account_stops_its_log_in_and_its_roles(
    wonju_admin: User, make_staff: Callable[..., User]
) -> None:
    clerk = make_staff("counter_clerk", MUSIL)
    session = _login(clerk)
    assert session.get("/staff/").status_code == 200
    client = _login(wonju_admin)
    closed = client.post(f"{URL}{clerk.pk}/deactivate/", {
        "command_id": _key(), "role": "-", "jurisdiction": "-",
    })  # fmt: skip
    assert closed.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert session.get("/staff/").status_code == 302  # logged out: to the log-in page
    assert RoleGrant.objects.filter(user=clerk).exists()  # kept for the record
    client.post(
        f"{URL}{clerk.pk}/reactivate/", {"command_id": _key(), "role": "-", "jurisdiction": "-"}
    )
    clerk.refresh_from_db()
    assert clerk.is_active


def test_an_administrator_cannot_close_their_own_account(wonju_admin: User) -> None:
    client = _login(wonju_admin)
    client.post(f"{URL}{wonju_admin.pk}/deactivate/", {"command_id": _key(), "role": "-",
                                                        "jurisdiction": "-"})  # fmt: skip
    wonju_admin.refresh_from_db()
    assert wonju_admin.is_active


@pytest.mark.parametrize("role", ["counter_clerk", "officer", "department_head", "operator"])
def test_other_staff_see_neither_the_page_nor_an_account(
    make_staff: Callable[..., User], role: str
) -> None:
    someone = make_staff(role, WONJU)
    client = _login(someone)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{someone.pk}/").status_code == 404
    response = client.post(
        f"{URL}{someone.pk}/grant/",
        {"command_id": _key(), "role": "sysadmin", "jurisdiction": WONJU},
    )
    assert response.status_code == 404
    assert set(someone.grants.values_list("role", flat=True)) == {role}
    assert URL not in client.get("/staff/").content.decode()


def test_only_a_national_administrator_gets_djangos_admin(
    make_staff: Callable[..., User],
) -> None:
    """Django's admin shows every office's records: a 시스템 관리자 of one 시·군·구 manages it
    through minwon's screens, and only the national grant opens ``/admin/`` — until revoked."""
    from minwon.accounts.commands import RevokeRole
    from minwon.kernel.types import NATION

    city = make_staff("sysadmin", WONJU)
    assert not city.is_staff and not city.is_superuser
    assert Client().get("/admin/").status_code == 302
    national = make_staff("sysadmin", NATION)
    assert national.is_staff and national.is_superuser
    client = Client()
    client.force_login(national)
    assert client.get("/admin/").status_code == 200
    system = Actor.system("test")
    execute(RevokeRole(actor=system, channel=Channel.SYSTEM, jurisdiction=NATION,
                       user_id=national.pk, role="sysadmin"))  # fmt: skip
    national.refresh_from_db()
    assert not national.is_staff and not national.is_superuser
    client = Client()
    client.force_login(national)
    assert client.get("/admin/").status_code == 302
    city_client = Client()
    city_client.force_login(city)
    assert city_client.get("/admin/").status_code == 302
