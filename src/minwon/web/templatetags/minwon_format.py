"""Template filters over ``minwon.kernel.formats``: ``{% load minwon_format %}`` then
``{{ at|instant }}``, ``{{ on|day }}``, ``{{ amount|money }}``, ``{{ amount|fee }}``,
``{{ seconds|duration }}``, ``{{ hours|time_left }}`` (working hours to a deadline),
``{{ at|elapsed }}``, ``{{ due|deadline_left }}``, ``{{ code|label:"channel" }}`` and ``{{ korean|tr }}`` (a
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
def time_left(value: float | None) -> str:
    """Working hours to a deadline (negative once past): ``3일 2시간 남음`` / ``… 경과``."""
    return formats.time_left(value)


@register.filter
def elapsed(value: datetime | str | None) -> str:
    """Time since an instant, on the project clock: ``5분 경과``."""
    return formats.elapsed(value)


@register.filter
def deadline_left(value: datetime | str | None) -> str:
    """Working time from now to the deadline ``value`` (``기한 경과`` once past), counted
    in the office's working hours as the law counts a processing period."""
    from minwon.kernel import calendar, clock

    due = formats.seoul(value)
    if due is None:
        return ""
    return formats.time_left(calendar.working_hours_between(clock.now(), due))


@register.filter
def actor(step: Any) -> str:
    """The person or thing that took a recorded step (``formats.actor``)."""
    return formats.actor(getattr(step, "actor", ""), getattr(step, "actor_name", ""))


@register.filter
def label(value: Any, kind: str) -> str:
    return formats.label(kind, value)


@register.filter
def tr(value: str | None) -> str:
    return gettext(value) if value else ""
