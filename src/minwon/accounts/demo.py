"""Demo accounts: staff of every role in each demo city, the national operator and
administrator, a few citizens who can log in, and one enrolled kiosk per demo city."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.hashers import make_password

from minwon.accounts import consent, kiosks
from minwon.accounts.commands import (
    CreateStaffAccount,
    EnrollKioskDevice,
    GrantRole,
    RotateKioskKey,
    SignUpCitizen,
)
from minwon.accounts.identity import register_demo_contact
from minwon.kernel import execute, rrn
from minwon.kernel.demo import (
    CITIZEN_PASSWORD,
    DEMO_CITIES,
    DEMO_CITY_NAMES,
    STAFF_PASSWORD,
    DemoContext,
)
from minwon.kernel.types import NATION, Actor, Channel, Command

SYSTEM = Actor.system("demo")

CITY_ROLES = [
    ("clerk", "counter_clerk", "민원 담당", "민원여권과"),
    ("officer", "officer", "처리 담당", "민원여권과"),
    ("head", "department_head", "부서장", "민원여권과"),
    ("auditor", "auditor", "감사 담당", "감사실"),
]
NATIONAL = [
    ("ops", "operator", "상황실 근무자", "상황실"),
    ("admin", "sysadmin", "시스템 관리자", "정보통신과"),
]

#: The demo staff's own names (fictional), per city and role: a record names the person.
STAFF_NAMES = {
    "wonju": {"clerk": "한지민", "officer": "정우성", "head": "최윤희", "auditor": "강도윤"},
    "jeonju": {"clerk": "오세린", "officer": "윤태호", "head": "서미경", "auditor": "임재현"},
    "gongju": {"clerk": "백소연", "officer": "남궁민", "head": "조은비", "auditor": "홍성준"},
    "national": {"ops": "문상훈", "admin": "유지아"},
}

DEMO_CITIZENS = [
    ("citizen1", "김민원", "8505152"),
    ("citizen2", "이서연", "9208232"),
    ("citizen3", "박지훈", "0103113"),
]


def _staff(
    ctx: DemoContext, username: str, display: str, office: str, role: str, dept: str
) -> None:
    hashed = None

    def build_account(command_id):  # type: ignore[no-untyped-def]
        nonlocal hashed
        hashed = hashed or make_password(STAFF_PASSWORD)
        return CreateStaffAccount(
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            jurisdiction=office,
            command_id=command_id,
            username=username,
            display_name=display,
            password_hash=hashed,
            email=f"{username}@demo.minwon.kr",
        )

    ctx.run(f"staff:{username}", build_account)
    user_id = ctx.result(f"staff:{username}")["user_id"]
    ctx.run(
        f"grant:{username}:{role}:{office}",
        lambda cid: GrantRole(
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            jurisdiction=office,
            command_id=cid,
            user_id=user_id,
            role=role,
            department=dept,
        ),
    )


def demo_citizen_rrn(front7: str) -> str:
    """The demo citizens' numbers: fixed, valid, and reused by the registry's demo."""
    return rrn.with_check_digit(f"{front7[:6]}{front7[6]}12345")


def _citizen_builder(username: str, name: str, number: str) -> Callable[[uuid.UUID], Command]:
    def build(command_id: uuid.UUID) -> Command:
        return SignUpCitizen(
            actor=Actor.anonymous(),
            channel=Channel.ONLINE,
            jurisdiction=NATION,
            command_id=command_id,
            username=username,
            display_name=name,
            password_hash=make_password(CITIZEN_PASSWORD),
            email=f"{username}@example.kr",
            sealed_rrn=rrn.SealedRRN.from_text(number),
            identity_method="demo",
            terms_version=consent.TERMS.version,
            privacy_version=consent.PRIVACY.version,
        )

    return build


def seed(ctx: DemoContext) -> None:
    from minwon.kernel.management.commands.load_jurisdictions import load

    load()
    for city, code in DEMO_CITIES.items():
        for suffix, role, label, dept in CITY_ROLES:
            username = f"{city}-{suffix}"
            _staff(ctx, username, STAFF_NAMES[city][suffix], code, role, dept)
            ctx.login(f"{DEMO_CITY_NAMES[city]} {label}", username, STAFF_PASSWORD)
    for username, role, label, dept in NATIONAL:
        _staff(ctx, username, STAFF_NAMES["national"][username], NATION, role, dept)
        ctx.login(label, username, STAFF_PASSWORD)
    for username, name, front7 in DEMO_CITIZENS:
        ctx.run(f"citizen:{username}", _citizen_builder(username, name, demo_citizen_rrn(front7)))
        ctx.login(f"시민 {name}", username, CITIZEN_PASSWORD)
        # The demo verifier's directory (a carrier's, in real life): the one-time codes of
        # 본인확인 at kiosks and sign-up go to this contact, i.e. the demo mail file.
        register_demo_contact(demo_citizen_rrn(front7), name=name, email=f"{username}@example.kr")
    _kiosks(ctx)
    ctx.say(
        "accounts: staff of every role in 원주시, 전주시, 공주시; operator; administrator; "
        "citizens; a kiosk per city"
    )


#: How long the hand-over codes a demo run prints stay usable.
DEMO_HANDOVER_SECONDS = 7 * 86400


def _enrol(
    device_id: str, name: str, office: str, handover: str, expires: datetime
) -> Callable[[uuid.UUID], Command]:
    def build(command_id: uuid.UUID) -> Command:
        return EnrollKioskDevice(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=office, command_id=command_id,
            device_id=device_id, name=name, handover_hash=kiosks.digest(handover),
            handover_expires_at=expires,
        )  # fmt: skip

    return build


def _kiosks(ctx: DemoContext) -> None:
    """A kiosk per demo city, enrolled once; every run issues it a fresh one-time
    hand-over code (random, so no code is in the repository), printed with the log-ins as
    the URL that installs the kiosk in a browser (``ctx.shared["kiosk_handovers"]``). A
    kiosk browser already installed keeps working until a new code is used."""
    handovers = ctx.shared.setdefault("kiosk_handovers", [])
    for city, code in DEMO_CITIES.items():
        device_id = f"demo-{city}-1"
        name = f"{DEMO_CITY_NAMES[city]}청 민원실 무인민원발급기 1"
        handover = kiosks.normal_code(kiosks.new_handover_code())
        expires = kiosks.handover_expiry(seconds=DEMO_HANDOVER_SECONDS)
        ran = ctx.run(f"kiosk:{device_id}", _enrol(device_id, name, code, handover, expires))
        if ran is None:  # enrolled by an earlier run: a new code for this one
            execute(
                RotateKioskKey(
                    actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=code, device_id=device_id,
                    handover_hash=kiosks.digest(handover), handover_expires_at=expires,
                )
            )  # fmt: skip
        handovers.append((DEMO_CITY_NAMES[city], handover))
