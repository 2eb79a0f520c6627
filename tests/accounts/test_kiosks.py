"""Kiosks are registered devices: enrolment only by an administrator of the office's
jurisdiction, a one-time hand-over code exchanged for the device secret, every kiosk URL
behind the device gate (unknown → 401 대체 창구 안내, revoked → 403, no form, nothing
changed), rotation, a heartbeat written at most once a minute, and the situation room's
list with 응답 없음."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from minwon.accounts import kiosks
from minwon.accounts.commands import EnrollKioskDevice, RevokeKioskDevice, RotateKioskKey
from minwon.accounts.models import KioskDevice, User
from minwon.kernel import clock, execute
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import CommandRecord, Throttle
from minwon.kernel.types import Channel
from tests.conftest import GONGJU, SYSTEM, WONJU, actor_of, enrol_kiosk, kiosk_client

pytestmark = pytest.mark.django_db
T0 = datetime.fromisoformat("2026-03-09T10:00:00+09:00")


def _kiosk_routes() -> list[str]:
    """Every kiosk URL of the URL conf, parameters filled with something."""
    out = []
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            for q in p.url_patterns:
                route = str(p.pattern) + str(q.pattern)
                if isinstance(q, URLPattern) and route.startswith("kiosk/"):
                    out.append("/" + route.replace("<str:code>", "resident_copy")
                               .replace("<str:number>", "1234567812345670")
                               .replace("<str:receipt_number>", "20260309-0000001"))  # fmt: skip
    return out


def _refused_unchanged(response: Any, status: int) -> None:
    page = response.content.decode()
    assert response.status_code == status, (response.status_code, page[:500])
    assert "대체 창구 안내" in page and "정부24" in page and "09:00~18:00" in page
    assert "<form" not in page


def test_every_kiosk_url_refuses_an_unenrolled_browser(jurisdictions_loaded: None) -> None:
    routes = _kiosk_routes()
    assert {"/kiosk/", "/kiosk/identity/", "/kiosk/pay/", "/kiosk/petitions/confirm/"} <= set(
        routes
    )
    client = Client()
    records, throttles = CommandRecord.objects.count(), Throttle.objects.count()
    for url in routes:
        if url == "/kiosk/enrol/":
            continue
        _refused_unchanged(client.get(url), 401)
        _refused_unchanged(client.post(url, {"name": "김세대", "rrn": "8001011000015"}), 401)
    assert mail.outbox == []  # no one-time code went anywhere
    assert (CommandRecord.objects.count(), Throttle.objects.count()) == (records, throttles)


def test_a_wrong_secret_or_an_unknown_device_is_refused(jurisdictions_loaded: None) -> None:
    enrolled = kiosk_client()
    device_id = enrolled.kiosk_device_id
    assert enrolled.get("/kiosk/").status_code == 200
    for value in (f"{device_id}.wrong", f"kiosk-00000000.{'x' * 43}", "garbage"):
        client = Client()
        client.cookies[kiosks.COOKIE] = value
        _refused_unchanged(client.get("/kiosk/identity/"), 401)


def test_the_device_cookie_is_httponly_strict_and_kiosk_scoped(jurisdictions_loaded: None) -> None:
    _, code = enrol_kiosk()
    response = Client().post("/kiosk/enrol/", {"code": code})
    cookie = response.cookies[kiosks.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/kiosk/"
    device = KioskDevice.objects.get()
    secret = cookie.value.partition(".")[2]
    assert device.secret_hash == kiosks.digest(secret) and secret not in str(device.__dict__)
    assert device.handover_hash == "" and device.handed_over_at is not None
    stored = CommandRecord.objects.get(name="HandOverKioskDevice").payload
    assert secret not in str(stored) and code not in str(stored)


def test_a_hand_over_code_works_once_and_not_after_it_expires(jurisdictions_loaded: None) -> None:
    _, code = enrol_kiosk()
    assert Client().post("/kiosk/enrol/", {"code": code.lower()}).status_code == 200
    again = Client().post("/kiosk/enrol/", {"code": code})
    assert again.status_code == 400 and "등록 코드가 맞지 않거나" in again.content.decode()
    assert kiosks.COOKIE not in again.cookies
    _, late = enrol_kiosk()
    with clock.frozen_at(clock.now() + timedelta(seconds=kiosks.handover_seconds() + 1)):
        expired = Client().post("/kiosk/enrol/", {"code": late})
    assert expired.status_code == 400 and kiosks.COOKIE not in expired.cookies
    assert Client().post("/kiosk/enrol/", {"code": "AAAA-BBBB"}).status_code == 400


def test_a_revoked_device_is_refused_with_its_office(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    client = kiosk_client()
    admin = make_staff("sysadmin", WONJU)
    execute(
        RevokeKioskDevice(
            actor=actor_of(admin), channel=Channel.ONLINE, jurisdiction=WONJU,
            device_id=client.kiosk_device_id, reason="교체",
        )
    )  # fmt: skip
    for url in ("/kiosk/", "/kiosk/identity/", "/kiosk/petitions/", "/kiosk/heartbeat/"):
        response = client.get(url)
        _refused_unchanged(response, 403)
        assert "강원특별자치도 원주시 민원실" in response.content.decode()
    refused = client.post("/kiosk/identity/", {"name": "김세대", "rrn": "8001011000015"})
    _refused_unchanged(refused, 403)
    assert mail.outbox == []
    with pytest.raises(Conflict, match="revoked"):
        execute(
            RotateKioskKey(
                actor=actor_of(admin), channel=Channel.ONLINE, jurisdiction=WONJU,
                device_id=client.kiosk_device_id, handover_hash="0" * 64,
                handover_expires_at=kiosks.handover_expiry(),
            )
        )  # fmt: skip


def test_rotation_keeps_the_old_secret_until_the_new_code_is_used(
    jurisdictions_loaded: None,
) -> None:
    old = kiosk_client()
    code = kiosks.normal_code(kiosks.new_handover_code())
    execute(
        RotateKioskKey(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
            device_id=old.kiosk_device_id, handover_hash=kiosks.digest(code),
            handover_expires_at=kiosks.handover_expiry(),
        )
    )  # fmt: skip
    assert old.get("/kiosk/").status_code == 200
    new = Client()
    assert new.post("/kiosk/enrol/", {"code": code}).status_code == 200
    assert new.get("/kiosk/").status_code == 200
    assert old.get("/kiosk/").status_code == 401


def test_enrolment_only_by_an_administrator_of_the_office(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    def enrol(user: User, office: str) -> None:
        execute(
            EnrollKioskDevice(
                actor=actor_of(user), channel=Channel.ONLINE, jurisdiction=office,
                device_id=kiosks.new_device_id(), name="1층 민원실",
                handover_hash=kiosks.digest("X"), handover_expires_at=kiosks.handover_expiry(),
            )
        )  # fmt: skip

    for role in ("counter_clerk", "officer", "department_head", "operator", "auditor"):
        with pytest.raises(Forbidden):
            enrol(make_staff(role, WONJU), WONJU)
    gongju_admin = make_staff("sysadmin", GONGJU)
    with pytest.raises(Forbidden):
        enrol(gongju_admin, WONJU)
    assert not KioskDevice.objects.exists()
    wonju_admin = make_staff("sysadmin", WONJU)
    enrol(wonju_admin, "5113055000")  # a 동 of 원주시: inside the administrator's scope
    device = KioskDevice.objects.get()
    assert device.office_id == "5113055000" and device.enrolled_by == wonju_admin.username
    # Another office's administrator cannot reach it, naming their own office or its.
    for office, error in ((GONGJU, NotFound), (WONJU, Forbidden)):
        with pytest.raises(error):
            execute(
                RevokeKioskDevice(
                    actor=actor_of(gongju_admin), channel=Channel.ONLINE, jurisdiction=office,
                    device_id=device.device_id,
                )
            )  # fmt: skip
    device.refresh_from_db()
    assert device.revoked_at is None
    with pytest.raises(ValidationFailed) as bad:
        execute(
            EnrollKioskDevice(
                actor=actor_of(wonju_admin), channel=Channel.ONLINE, jurisdiction=WONJU,
                device_id="kiosk-x1", name="  ", handover_hash=kiosks.digest("X"),
                handover_expires_at=kiosks.handover_expiry(),
            )
        )  # fmt: skip
    assert bad.value.field == "name"


def test_the_administrators_screen(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    admin, clerk = Client(), Client()
    admin.force_login(make_staff("sysadmin", WONJU))
    clerk.force_login(make_staff("counter_clerk", WONJU))
    assert clerk.get("/staff/kiosks/").status_code == 403
    assert "무인민원발급기 관리" not in clerk.get("/staff/").content.decode()
    assert "무인민원발급기 관리" in admin.get("/staff/").content.decode()
    empty = admin.post("/staff/kiosks/", {"name": "", "office": WONJU})
    assert empty.status_code == 400 and not KioskDevice.objects.exists()
    outside = admin.post("/staff/kiosks/", {"name": "공주 1번", "office": GONGJU})
    assert outside.status_code == 400 and not KioskDevice.objects.exists()
    made = admin.post("/staff/kiosks/", {"name": "원주시청 1층 민원실 1번", "office": WONJU})
    page = made.content.decode()
    device = KioskDevice.objects.get()
    code = page.split('data-handover-code="', 1)[1].split('"', 1)[0]
    assert made.status_code == 200 and device.handover_hash == kiosks.digest(
        kiosks.normal_code(code)
    )
    assert "/kiosk/enrol/" in page and "원주시청 1층 민원실 1번" in page
    assert code not in admin.get("/staff/kiosks/").content.decode()  # shown once
    kiosk = Client()
    assert kiosk.post("/kiosk/enrol/", {"code": code}).status_code == 200
    listing = admin.get("/staff/kiosks/").content.decode()
    assert device.device_id in listing and "정상" in listing
    detail = f"/staff/kiosks/{device.device_id}/"
    assert clerk.get(detail).status_code == 404
    revoked = admin.post(detail, {"action": "revoke", "reason": "고장"})
    assert revoked.status_code == 200 and "해지했습니다" in revoked.content.decode()
    assert kiosk.get("/kiosk/").status_code == 403


def test_a_heartbeat_at_most_once_a_minute(jurisdictions_loaded: None) -> None:
    client = kiosk_client()
    device = KioskDevice.objects.get()

    def beats() -> int:
        return CommandRecord.objects.filter(name="RecordKioskHeartbeat").count()

    start = clock.now() + timedelta(seconds=5)
    with clock.frozen_at(start):
        for _ in range(5):
            assert client.get("/kiosk/heartbeat/").status_code == 204
    assert beats() == 0  # the hand-over itself counted as seen a moment ago
    with clock.frozen_at(start + timedelta(seconds=61)):
        for _ in range(5):
            client.get("/kiosk/")
    assert beats() == 1
    device.refresh_from_db()
    assert device.last_seen_at == start + timedelta(seconds=61)


def test_the_situation_room_lists_devices_with_last_seen_and_silence(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    with clock.frozen_at(T0):
        kiosk_client(WONJU)
    with clock.frozen_at(T0 + timedelta(minutes=10)):
        kiosk_client(GONGJU)
        enrol_kiosk(WONJU, name="설치 전 기기")
        operator = Client()
        operator.force_login(make_staff("operator", "0000000000"))
        page = operator.get("/ops/live/health").content.decode()
    assert "2026년 3월 9일 (월) 10:00" in page and "2026년 3월 9일 (월) 10:10" in page
    rows = {row.split(">", 1)[0]: row for row in page.split("<tr class=")[1:]}
    assert len(rows) == 3
    silent = [r for r in rows.values() if "응답 없음" in r]
    assert len(silent) == 1 and "강원특별자치도 원주시" in silent[0] and "10:00" in silent[0]
    assert sum("설치 대기" in r for r in rows.values()) == 1
    scoped = Client()
    scoped.force_login(make_staff("counter_clerk", WONJU))
    assert scoped.get("/ops/live/health").status_code == 403


def test_the_demo_enrols_a_kiosk_per_city_and_prints_how_to_install_it(
    jurisdictions_loaded: None,
) -> None:
    import io

    from minwon.accounts.demo import _kiosks
    from minwon.kernel.demo import DEMO_CITIES, DemoContext
    from minwon.kernel.management.commands.demo import Command

    first = DemoContext(quiet=True)
    _kiosks(first)
    second = DemoContext(quiet=True)
    _kiosks(second)  # a second run: the same devices, fresh codes
    assert {d.office_id for d in KioskDevice.objects.all()} == set(DEMO_CITIES.values())
    old_code = first.shared["kiosk_handovers"][0][1]
    city, code = second.shared["kiosk_handovers"][0]
    assert city == "원주시" and code != old_code
    out = io.StringIO()
    command = Command(stdout=out)
    command.print_summary(second, 8102)
    url = f"http://127.0.0.1:8102/kiosk/enrol/?code={code}"
    assert url in out.getvalue()
    kiosk = Client()
    form = kiosk.get(url.removeprefix("http://127.0.0.1:8102")).content.decode()
    assert f'value="{code}"' in form
    assert kiosk.post("/kiosk/enrol/", {"code": old_code}).status_code == 400
    assert kiosk.post("/kiosk/enrol/", {"code": code}).status_code == 200
    home = kiosk.get("/kiosk/")
    assert home.status_code == 200 and "증명서 발급 시작" in home.content.decode()


def test_a_national_administrator_can_choose_every_city(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    admin = Client()
    admin.force_login(make_staff("sysadmin", "0000000000"))
    page = admin.get("/staff/kiosks/").content.decode()
    for office in (WONJU, GONGJU, "5211100000"):
        assert f'<option value="{office}"' in page
    local = Client()
    local.force_login(make_staff("sysadmin", WONJU))
    page = local.get("/staff/kiosks/").content.decode()
    assert '<option value="5113055000"' in page and f'<option value="{GONGJU}"' not in page
