"""Navigation entries that apps contribute to the citizen and staff menus."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclasses.dataclass(frozen=True)
class NavItem:
    area: str  # "staff" or "citizen"
    label: str
    url_name: str
    order: int = 100
    permission: str | None = None
    #: a count shown beside the label (unread messages …): called with the actor
    badge: Callable[[Any], int] | None = None


_items: list[NavItem] = []


def register(
    area: str,
    label: str,
    url_name: str,
    *,
    order: int = 100,
    permission: str | None = None,
    badge: Callable[[Any], int] | None = None,
) -> None:
    item = NavItem(area, label, url_name, order, permission, badge)
    if item not in _items:
        _items.append(item)


def items(area: str) -> list[NavItem]:
    return sorted((i for i in _items if i.area == area), key=lambda i: (i.order, i.label))


def resolve(item: NavItem) -> str | None:
    try:
        return reverse(item.url_name)
    except NoReverseMatch:
        return None
