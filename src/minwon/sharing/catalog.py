"""The catalogue of shareable information (공동이용 대상 정보), loaded from
``data/sharing_items.json``.

Each item names the register that provides it, the fields it can return and the purposes it
may serve; each purpose says on what ground it is served — a law and article, or the
subject's consent (정보주체 동의) — and which *minimised answer* it gets: a 납세 여부 check
learns "체납 없음: 예/아니오", never the bills. A purpose not listed for an item is refused.
The catalogue is data, versioned with the code, so a change of the law is a reviewed diff.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

from minwon.kernel.errors import NotFound, ValidationFailed

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "sharing_items.json"


@dataclasses.dataclass(frozen=True)
class Basis:
    """법적 근거: a law and its article."""

    law: str
    article: str

    def __str__(self) -> str:
        return f"{self.law} {self.article}"


@dataclasses.dataclass(frozen=True)
class Purpose:
    """이용 목적 of one item: its ground (law or consent) and the answer it gets."""

    code: str
    name: str
    answer: str
    basis: Basis | None = None
    consent: bool = False
    inputs: tuple[str, ...] = ()
    #: Reads under this purpose may be hidden from the subject for up to this many days
    #: (수사 등, the Estonian data tracker's "hidden until"); 0: never.
    deferrable_days: int = 0

    @property
    def ground(self) -> str:
        return str(self.basis) if self.basis else "정보주체 동의"


@dataclasses.dataclass(frozen=True)
class Item:
    """공동이용 대상 정보: one kind of record another agency may read."""

    code: str
    name: str
    name_en: str
    provider: str
    fields: tuple[str, ...]
    purposes: tuple[Purpose, ...]

    def purpose(self, value: str) -> Purpose:
        """The purpose named by ``value`` (its code or its Korean name); refused if it is
        unknown, or known but not one this item serves."""
        text = (value or "").strip()
        for purpose in self.purposes:
            if text in (purpose.code, purpose.name):
                return purpose
        if any(text in (p.code, p.name) for i in items().values() for p in i.purposes):
            raise ValidationFailed(
                f"'{text}' 목적으로는 {self.name}을(를) 이용할 수 없습니다.",
                f"The purpose '{text}' is not allowed for {self.name_en}.",
                field="purpose",
                code="purpose_not_allowed",
            )
        raise ValidationFailed(
            f"알 수 없는 이용 목적입니다: '{text}'.",
            f"Unknown purpose: '{text}'.",
            field="purpose",
            code="unknown_purpose",
        )


def _purpose(raw: dict[str, object]) -> Purpose:
    basis = raw.get("basis")
    return Purpose(
        code=str(raw["code"]),
        name=str(raw["name"]),
        answer=str(raw["answer"]),
        basis=Basis(**basis) if isinstance(basis, dict) else None,
        consent=bool(raw.get("consent", False)),
        inputs=tuple(raw.get("inputs", ()) or ()),  # type: ignore[arg-type]
        deferrable_days=int(raw.get("deferrable_days", 0) or 0),  # type: ignore[call-overload]
    )


@functools.cache
def items() -> dict[str, Item]:
    """Every item by code, read once from the data file."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    loaded: dict[str, Item] = {}
    for raw in data["items"]:
        purposes = tuple(_purpose(p) for p in raw["purposes"])
        for purpose in purposes:
            if purpose.consent == (purpose.basis is not None):
                raise ValueError(f"{raw['code']}/{purpose.code}: a law or consent, exactly one")
        loaded[raw["code"]] = Item(
            code=raw["code"],
            name=raw["name"],
            name_en=raw["name_en"],
            provider=raw["provider"],
            fields=tuple(raw["fields"]),
            purposes=purposes,
        )
    return loaded


def item(code: str) -> Item:
    found = items().get((code or "").strip())
    if found is None:
        raise NotFound(
            "공동이용 대상 정보가 아닙니다.",
            "Not a shareable item.",
            field="item",
            code="unknown_item",
        )
    return found


def consent_items() -> list[tuple[Item, Purpose]]:
    """The (item, purpose) pairs a citizen can consent to."""
    return [(i, p) for i in items().values() for p in i.purposes if p.consent]


@functools.cache
def petition_documents() -> dict[str, str]:
    """Petition documents (``source: lookup`` in the petition catalogue) a minwon register
    provides, by document name → item code; the officer reads them through sharing."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    mapping: dict[str, str] = data.get("petition_documents", {})
    return mapping
