"""Automatic decisions (자동 처리): rules evaluated at reception for petition types marked
so in the catalog. A rule either decides (approve, with its reasons) or declines, in which
case the petition goes to an officer as usual. Every decision records the rule's name and
version, so an audit can tell which version of a rule decided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class RuleOutcome:
    decided: bool
    outcome: str = ""  # "approved" | "rejected"
    reasons: str = ""


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    version: str
    evaluate: Callable[[dict[str, Any]], RuleOutcome]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


RULES: dict[str, Rule] = {}


def rule(name: str, version: str) -> Callable[[Callable[[dict[str, Any]], RuleOutcome]], Rule]:
    def register(fn: Callable[[dict[str, Any]], RuleOutcome]) -> Rule:
        RULES[name] = Rule(name, version, fn)
        return RULES[name]

    return register


def _number(form: dict[str, Any], key: str) -> float | None:
    try:
        return float(form.get(key, ""))
    except (TypeError, ValueError):
        return None


# 옥외광고물법 시행령 제5조 and the usual 조례 limits for a declaration (not a permit):
# a sign of at most 5㎡, its top at most 5 m above ground, outside protected zones.
SIGN_MAX_AREA = 5.0
SIGN_MAX_HEIGHT = 5.0
SIGN_FORBIDDEN_ZONES = {"문화재보호구역", "자연공원"}


@rule("sign_declaration", "2026.1")
def sign_declaration(form: dict[str, Any]) -> RuleOutcome:
    """옥외광고물 표시 신고: small signs in ordinary zones are accepted at once."""
    area, height = _number(form, "area_m2"), _number(form, "height_m")
    zone = str(form.get("zone", ""))
    if area is None or height is None or not zone:
        return RuleOutcome(False)
    if zone in SIGN_FORBIDDEN_ZONES or area > SIGN_MAX_AREA or height > SIGN_MAX_HEIGHT:
        return RuleOutcome(False)
    return RuleOutcome(
        True,
        "approved",
        f"면적 {area:g}㎡(기준 {SIGN_MAX_AREA:g}㎡ 이하), 높이 {height:g}m"
        f"(기준 {SIGN_MAX_HEIGHT:g}m 이하), 설치 지역 {zone}: 신고 요건 충족",
    )


@rule("land_price_confirmation", "2026.1")
def land_price_confirmation(form: dict[str, Any]) -> RuleOutcome:
    """개별공시지가 확인: a confirmation of a published figure needs no judgement."""
    if not str(form.get("parcel", "")).strip():
        return RuleOutcome(False)
    return RuleOutcome(True, "approved", "공시된 개별공시지가를 확인하여 발급")


LARGE_WASTE_MAX_ITEMS = 10


@rule("large_waste", "2026.1")
def large_waste(form: dict[str, Any]) -> RuleOutcome:
    """대형폐기물 배출 신고: up to ten items are collected on the usual route."""
    items = _number(form, "items")
    if items is None or items < 1 or items > LARGE_WASTE_MAX_ITEMS:
        return RuleOutcome(False)
    return RuleOutcome(True, "approved", f"배출 품목 {items:g}개: 정기 수거 대상")


def evaluate(name: str, form: dict[str, Any]) -> tuple[Rule, RuleOutcome] | None:
    """Run the rule ``name`` if it exists; None when the type has no such rule."""
    found = RULES.get(name)
    if found is None:
        return None
    return found, found.evaluate(form)
