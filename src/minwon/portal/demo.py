"""Demo data for 자동취합: 원주시 총무과 (``wonju-gm``) sends this quarter's 민방위 대피시설 현황
to every 읍·면·동 of 원주시; the clerks of 문막읍 (``wonju-munmak``) and 소초면
(``wonju-socho``) answer it from their landing page."""

from __future__ import annotations

from datetime import timedelta

from minwon.accounts.demo import _staff
from minwon.kernel import clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import Actor, Channel

from .campaign_views import EXAMPLE
from .commands import CreateCampaign, RecipientSpec

SYSTEM = Actor.system("demo")
WONJU = DEMO_CITIES["wonju"]
MUNMAK, SOCHO = "5113025000", "5113031000"


def seed(ctx: DemoContext) -> None:
    if not Jurisdiction.objects.filter(parent_id=WONJU).exists():
        return
    _staff(ctx, "wonju-gm", "원주시 총무과 담당", WONJU, "officer", "총무과")
    _staff(ctx, "wonju-munmak", "문막읍 민원 담당", MUNMAK, "counter_clerk", "문막읍")
    _staff(ctx, "wonju-socho", "소초면 민원 담당", SOCHO, "counter_clerk", "소초면")
    from minwon.kernel.demo import STAFF_PASSWORD

    for who, username in (("원주시 총무과", "wonju-gm"), ("문막읍 민원 담당", "wonju-munmak"),
                          ("소초면 민원 담당", "wonju-socho")):  # fmt: skip
        ctx.login(who, username, STAFF_PASSWORD)
    dongs = Jurisdiction.objects.filter(parent_id=WONJU, valid_to__isnull=True).order_by("code")
    now = clock.now()
    ctx.run(
        "portal:campaign:shelters",
        lambda cid: CreateCampaign(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, command_id=cid,
            title="민방위 대피시설 현황", round_label=f"{clock.local(now):%Y}년 분기 점검",
            department="총무과", definition=EXAMPLE,
            recipients=[RecipientSpec(jurisdiction=d.code) for d in dongs],
            opens_at=now - timedelta(days=1), deadline_at=now + timedelta(days=6), grace_hours=24,
        ),
    )  # fmt: skip
    ctx.say("자동취합: 원주시 총무과 → 읍·면·동 (민방위 대피시설 현황)")
