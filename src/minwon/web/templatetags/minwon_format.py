"""Template filters over ``minwon.kernel.formats``: ``{% load minwon_format %}`` then
``{{ at|instant }}``, ``{{ on|day }}``, ``{{ amount|money }}``, ``{{ amount|fee }}``,
``{{ seconds|duration }}``, ``{{ code|label:"channel" }}`` and ``{{ korean|tr }}`` (a
Korean label from data, translated at display time). They follow the page's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import template
from django.utils.translation import gettext

from minwon.kernel import formats

register = template.Library()


@register.filter
def instant(value: datetime | str | None) -> str:
    return formats.instant(value)


@register.filter
def day(value: date | datetime | str | None) -> str:
    return formats.day(value)


@register.filter
def money(value: int | None) -> str:
    return formats.money(value)


@register.filter
def fee(value: int | None) -> str:
    return formats.fee(value)


@register.filter
def duration(value: timedelta | float | None) -> str:
    return formats.duration(value)


@register.filter
def label(value: Any, kind: str) -> str:
    return formats.label(kind, value)


@register.filter
def tr(value: str | None) -> str:
    return gettext(value) if value else ""
