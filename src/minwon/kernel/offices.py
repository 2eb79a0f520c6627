"""The receiving office as a citizen reads it on a 접수증: its name, telephone, address and
opening hours (민원 처리에 관한 법률 시행규칙 별지 접수증: 접수 기관과 문의 전화).

Offices are listed in ``data/offices.json`` (demo values for the demo cities) or in the file
named by ``MINWON_OFFICES_FILE``. A 읍·면·동 without an entry of its own answers with its
시·군·구's; an office not listed at all is named from the code list, with the national
정부민원안내콜센터 (110) as the line to call, so a receipt never lacks a number.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from pathlib import Path
from typing import Any

from minwon.config.paths import PACKAGE_DIR

DATA_FILE = PACKAGE_DIR / "data" / "offices.json"
NATIONAL_LINE = "110"
NATIONAL_LINE_NAME = "정부민원안내콜센터"


@dataclasses.dataclass(frozen=True)
class OfficeContact:
    """What a receipt prints about the office that received the application."""

    code: str
    name: str
    telephone: str
    address: str = ""
    hours: str = ""
    #: True when no entry was found and ``telephone`` is the national line.
    national_line: bool = False


@functools.cache
def _entries(path: str) -> dict[str, dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def entries() -> dict[str, dict[str, Any]]:
    return _entries(os.environ.get("MINWON_OFFICES_FILE") or str(DATA_FILE))


def contact(code: str) -> OfficeContact:
    """The office ``code`` (or its 시·군·구) as a receipt shows it."""
    from minwon.kernel import jurisdictions
    from minwon.kernel.errors import ValidationFailed

    listed = entries()
    for candidate in (code, jurisdictions.sigungu_of(code)):
        entry = listed.get(candidate)
        if entry:
            return OfficeContact(
                code=candidate,
                name=str(entry.get("name", "")),
                telephone=str(entry.get("telephone", "")) or NATIONAL_LINE,
                address=str(entry.get("address", "")),
                hours=str(entry.get("hours", "")),
            )
    try:
        name = jurisdictions.get(code).full_name
    except ValidationFailed:  # an unknown code still gets a receipt, with the national line
        name = code
    return OfficeContact(code=code, name=name, telephone=NATIONAL_LINE, national_line=True)


def clear_cache() -> None:
    _entries.cache_clear()
