"""민원처리 인터넷공개: the public tracking of a petition by its receipt number, after a
second factor (the applicant's name and birth date, or the PIN printed on the receipt), and
the throttle that keeps receipt numbers from being enumerated.

The throttle counts *failed* look-ups (unknown number or wrong second factor) per client IP
and per receipt number in fixed windows, in the database so every app server shares it.
A successful look-up reveals nothing the caller did not already know, so it costs one
indexed read and no write; an enumerator fails almost every time and is stopped after
``IP_LIMIT`` failures per window, and one receipt's PIN cannot be guessed in more than
``RECEIPT_LIMIT`` tries per window.
"""

from __future__ import annotations

import dataclasses
import hmac
import time
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from minwon.kernel.errors import DomainError, NotFound, ValidationFailed
from minwon.petitions import receipts
from minwon.petitions.commands.common import ACTION_LABELS
from minwon.petitions.models import Application, Petition, PetitionStep, TrackingThrottle

WINDOW_SECONDS = 600
IP_LIMIT = 20
RECEIPT_LIMIT = 5


class TooManyAttempts(DomainError):
    """429: too many failed look-ups from this address or for this receipt."""

    status = 429
    code = "too_many_attempts"


def _window() -> int:
    return int(time.time() // WINDOW_SECONDS)


def _keys(ip: str, number: str) -> list[str]:
    return [f"ip:{ip}"[:80], f"rcpt:{number}"[:80]]


def check_allowed(ip: str, number: str) -> None:
    window = _window()
    rows = dict(
        TrackingThrottle.objects.filter(key__in=_keys(ip, number), window=window).values_list(
            "key", "failures"
        )
    )
    if (
        rows.get(f"ip:{ip}"[:80], 0) >= IP_LIMIT
        or rows.get(f"rcpt:{number}"[:80], 0) >= RECEIPT_LIMIT
    ):
        raise TooManyAttempts(
            "조회 실패가 너무 많습니다. 10분 뒤에 다시 시도하세요.",
            "Too many failed look-ups. Try again in 10 minutes.",
            field="receipt_number",
        )


def record_failure(ip: str, number: str) -> None:
    window = _window()
    for key in _keys(ip, number):
        updated = TrackingThrottle.objects.filter(key=key, window=window).update(
            failures=F("failures") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    TrackingThrottle.objects.create(key=key, window=window, failures=1)
            except IntegrityError:
                TrackingThrottle.objects.filter(key=key, window=window).update(
                    failures=F("failures") + 1
                )
    TrackingThrottle.objects.filter(window__lt=window - 1).delete()


@dataclasses.dataclass(frozen=True)
class SecondFactor:
    name: str = ""
    birth_date: date | None = None
    pin: str = ""


def _factor_ok(application: Application, factor: SecondFactor) -> bool:
    if factor.pin:
        return receipts.pin_matches(application.receipt_number, factor.pin)
    if factor.name and factor.birth_date and application.applicant_birth:
        same_name = hmac.compare_digest(
            "".join(factor.name.split()).encode(),
            "".join(application.applicant_name.split()).encode(),
        )
        return same_name and factor.birth_date == application.applicant_birth
    return False


def _failed() -> NotFound:
    # One answer for "no such number" and "wrong second factor": nothing to enumerate.
    return NotFound(
        "접수번호와 확인 정보가 일치하는 민원이 없습니다.",
        "No petition matches this receipt number and second factor.",
        field="receipt_number",
        code="no_match",
    )


def track(number_text: str, factor: SecondFactor, *, ip: str) -> dict[str, Any]:
    """The public view of an application: every step with its time, department and
    deadline — no personal data beyond what the caller proved to know."""
    if not (factor.pin or (factor.name.strip() and factor.birth_date)):
        raise ValidationFailed(
            "이름과 생년월일 또는 접수증의 확인번호(PIN)를 입력하세요.",
            "Give the applicant's name and birth date, or the PIN on the receipt.",
            field="pin",
        )
    number = receipts.normalize(number_text)
    check_allowed(ip, number)
    if not receipts.is_well_formed(number):
        record_failure(ip, number)
        raise ValidationFailed(
            "접수번호 형식이 올바르지 않습니다(예: 51130-260309-7K3QX9MZ-4).",
            "Malformed receipt number.",
            field="receipt_number",
        )
    application = Application.objects.filter(receipt_number=number).first()
    if application is None or not _factor_ok(application, factor):
        record_failure(ip, number)
        raise _failed()
    return public_view(application)


def public_view(application: Application) -> dict[str, Any]:
    petitions = list(
        Petition.objects.filter(application=application).select_related("type").order_by("seq")
    )
    steps: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in petitions}
    for s in PetitionStep.objects.filter(petition__application=application).order_by("at", "id"):
        steps[s.petition_id].append(
            {
                "action": s.action,
                "action_label": ACTION_LABELS.get(s.action, s.action),
                "state": s.state,
                "at": s.at.isoformat(),
                "department": s.department,
                "note": s.public_note,
                "deadline_at": s.deadline_at.isoformat() if s.deadline_at else None,
            }
        )
    return {
        "receipt_number": application.receipt_number,
        "received_at": application.received_at.isoformat(),
        "channel": application.channel,
        "petitions": [
            {
                "item": p.seq,
                "number": p.number,
                "type_code": p.type_id,
                "type_name": p.type.name,
                "department": p.department,
                "state": p.state,
                "state_label": Petition.State(p.state).label,
                "deadline_at": p.deadline_at.isoformat(),
                "paused": p.paused_since is not None,
                "outcome": p.outcome,
                "reasons": p.reasons if p.state in ("decided", "notified", "closed") else "",
                "remedies": p.remedies,
                "decided_by_rule": p.decided_by_rule,
                "steps": steps[p.pk] if p.type.public else [],
            }
            for p in petitions
        ],
    }
