"""Demo data for the room: the default alert rules and the grades and continuity plans of
the five services the DESIGN names. No backups or drills are invented: the room shows
the plan violations a fresh installation really has."""

from __future__ import annotations

from minwon.kernel.demo import DemoContext
from minwon.kernel.types import NATION, Actor, Channel
from minwon.ops.commands import InstallDefaultAlertRules, SetServicePlan

SYSTEM = Actor.system("demo")

PLANS = [
    ("certificates", "증명서 발급", 1, 120, 0, "동기 복제 DB, 앱 서버 2대 이상", "상황실 24시간 감시",
     "거점 서버에서 연속성 모드로 발급 가능한 증명서(등·초본)를 계속 발급하고, 나머지는 수기 발급대장에 기록",
     "정부24 장애 시 행정복지센터 창구와 무인민원발급기", "연결 회복 후 거점 기록을 원래 발급 시각으로 소급 반영하고 발급대장 대조", "민원여권과장"),
    ("petitions", "민원 접수·처리", 2, 480, 60, "앱 서버 2대 이상", "처리기한 경보",
     "창구에서 접수증을 수기로 교부하고 접수 번호를 예약", "창구, 우편", "접수 시각(occurred_at)을 원래대로 소급 입력", "민원여권과장"),
    ("move-in", "전입신고", 2, 480, 60, "앱 서버 2대 이상", "상황실 감시",
     "거점 서버에서 전입신고 접수 후 소급 반영", "행정복지센터 창구", "거점 저널을 원래 신고일로 중앙에 적용", "주민등록 담당"),
    ("sharing-api", "행정정보 공동이용 API", 2, 480, 60, "앱 서버 2대 이상", "API 오류율 경보",
     "요청 기관에 지연 통보, 긴급 건은 공문으로 처리", "공문", "지연 요청을 회복 후 순서대로 재처리", "정보통신과장"),
    ("staff-portal", "행정포털", 3, 1440, 1440, "", "",
     "긴급 공지는 전화·문자로", "전화, 문자", "필요 없음(조회 서비스)", "정보통신과장"),
]  # fmt: skip


def seed(ctx: DemoContext) -> None:
    ctx.run(
        "ops:rules",
        lambda cid: InstallDefaultAlertRules(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, command_id=cid
        ),
    )
    for (
        key,
        name,
        grade,
        rto,
        rpo,
        redundancy,
        monitoring,
        fallback,
        channels,
        retro,
        owner,
    ) in PLANS:
        ctx.run(
            f"ops:plan:{key}",
            lambda cid, key=key, name=name, grade=grade, rto=rto, rpo=rpo, redundancy=redundancy, monitoring=monitoring, fallback=fallback, channels=channels, retro=retro, owner=owner: SetServicePlan(  # type: ignore[misc]
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, command_id=cid,
                key=key, name=name, grade=grade, rto_minutes=rto, rpo_minutes=rpo, redundancy=redundancy,
                monitoring=monitoring, manual_fallback=fallback, alternative_channels=channels,
                retroactive_entry=retro, owner=owner,
            ),
        )  # fmt: skip
    ctx.say("ops: 경보 규칙과 서비스 등급·연속성 계획 5건")
