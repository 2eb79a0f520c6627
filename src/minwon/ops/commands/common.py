"""Input checks shared by the ops commands: each names the field in Korean and English."""

from __future__ import annotations

import re

from minwon.kernel.errors import ValidationFailed

_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


def text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Stripped ``value``; refuse empty (when required) or too long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(f"{label}을(를) 입력하세요.", f"{field} is required.", field=field)
    if len(cleaned) > max_length:
        raise ValidationFailed(
            f"{label}은(는) {max_length}자 이하여야 합니다.",
            f"{field} must be at most {max_length} characters.",
            field=field,
        )
    return cleaned


def choice(value: str, *, field: str, label: str, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValidationFailed(
            f"{label} 값이 올바르지 않습니다 ({', '.join(allowed)} 중 하나).",
            f"{field} must be one of {', '.join(allowed)}.",
            field=field,
        )
    return value


def number(value: float, *, field: str, label: str, low: float, high: float) -> float:
    if not (low <= value <= high):
        raise ValidationFailed(
            f"{label}은(는) {low:g}~{high:g} 사이여야 합니다.",
            f"{field} must be between {low:g} and {high:g}.",
            field=field,
        )
    return value


def emails(value: str, *, field: str = "email_to") -> str:
    """A comma-separated list of e-mail addresses, normalised."""
    items = [e.strip() for e in (value or "").split(",") if e.strip()]
    for item in items:
        if not _EMAIL.match(item):
            raise ValidationFailed(
                f"전자우편 주소가 올바르지 않습니다: {item}",
                f"Invalid e-mail address: {item}",
                field=field,
            )
    joined = ", ".join(items)
    if len(joined) > 300:
        raise ValidationFailed(
            "알림 메일 주소가 너무 깁니다.", "Too many e-mail addresses.", field=field
        )
    return joined


def codes(values: list[str], *, field: str, label: str) -> list[str]:
    """A list of 10-digit jurisdiction codes that exist."""
    from minwon.kernel import jurisdictions

    out = []
    for code in values:
        if not re.fullmatch(r"\d{10}", code or ""):
            raise ValidationFailed(
                f"{label}의 행정구역코드는 10자리 숫자여야 합니다: {code}",
                f"{field}: jurisdiction codes are 10 digits: {code}",
                field=field,
            )
        jurisdictions.get(code, field=field)
        if code not in out:
            out.append(code)
    return out
