"""Small formatting filters for the wall screen."""

from __future__ import annotations

from django import template

register = template.Library()

CHANNELS = {
    "online": "온라인",
    "counter": "창구",
    "kiosk": "무인민원발급기",
    "mail": "우편",
    "agency": "기관 연계",
    "edge": "거점(연속성)",
    "system": "시스템",
}


@register.filter
def signed(value: float) -> str:
    return f"{value:+.1f}"


@register.filter
def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


@register.filter
def channel_label(value: str) -> str:
    return CHANNELS.get(value, value)
