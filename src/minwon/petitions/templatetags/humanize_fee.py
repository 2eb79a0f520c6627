"""Template filters for the catalog: fees in won and periods as the law states them."""

from __future__ import annotations

from django import template

from minwon.kernel import formats
from minwon.petitions.deadlines import parse_period

register = template.Library()


@register.filter
def won(value: int) -> str:
    return formats.fee(value)


@register.filter
def period_label(value: str) -> str:
    try:
        parsed = parse_period(value)
    except ValueError:
        return value
    return formats.period(parsed.unit, parsed.amount)
