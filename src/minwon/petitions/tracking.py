"""민원처리 인터넷공개: the public tracking of a petition by its receipt number, after a
second factor (the applicant's name and birth date, or the PIN printed on the receipt), and
the throttle that keeps receipt numbers from being enumerated.

The throttle (``kernel.throttle``, shared by every worker and server) counts *failed*
look-ups: each is counted before it is evaluated and handed back when it succeeds. An
enumerator fails almost every time and is stopped after ``ADDRESS.limit`` failures per
window; one address cannot guess one receipt's PIN more than ``PROBE.limit`` times per
window, and the applicant at another address is not locked out by it.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
from datetime import date
from typing import Any

from minwon.kernel import formats, sql, throttle
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.petitions import receipts
from minwon.petitions.models import (
    Application,
    Petition,
    PetitionStep,
    PetitionType,
)

#: Failed look-ups one client address may make, whatever it probes (against enumeration).
ADDRESS = throttle.Rule(
    "track_address", (20, 600),
    "조회 실패가 너무 많습니다. 10분 뒤에 다시 시도하세요.",
    "Too many failed look-ups. Try again in 10 minutes.", field="receipt_number",
)  # fmt: skip
#: Failed second factors one client address may try on one receipt (against guessing its
#: PIN). The prober is locked, not the receipt: the applicant elsewhere still gets in.
PROBE = throttle.Rule(
    "track_probe", (5, 600),
    "이 접수번호의 확인 정보가 여러 번 틀렸습니다. 10분 뒤에 다시 시도하세요.",
    "Too many wrong second factors for this receipt. Try again in 10 minutes.",
    field="pin",
)  # fmt: skip


def attempt(ip: str, number: str) -> throttle.Taken:
    """Count a look-up before it is evaluated (429 past either limit); the caller refunds
    it when the look-up succeeds, so only failures count."""
    return throttle.take((ADDRESS, f"ip:{ip}"), (PROBE, f"ip:{ip}|rcpt:{number}"))


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
    taken = attempt(ip, number)
    if not receipts.is_well_formed(number):
        raise ValidationFailed(
            "접수번호 형식이 올바르지 않습니다(예: 51130-260309-7K3QX9MZ-4).",
            "Malformed receipt number.",
            field="receipt_number",
        )
    # One round trip: the application and its public view; nothing is shown before the
    # second factor passes.
    rows = _statements().track.rows(number)
    app_fields = Application._meta.concrete_fields
    end = len(app_fields)
    application = None
    if rows and rows[0][0] is not None:
        names = [f.attname for f in app_fields]
        application = sql.instances(Application, names, [rows[0][:end]])[0]
    if application is None or not _factor_ok(application, factor):
        raise _failed()
    taken.refund()
    return _view(application, [r[end:] for r in rows if r[end] is not None])


def public_view(application: Application) -> dict[str, Any]:
    """Every petition of the application with its public steps, from one query (petitions,
    their types and steps joined, in item and then step order)."""
    return _view(application, _statements().view.rows(application.pk))


def _view(application: Application, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    petitions: dict[int, dict[str, Any]] = {}
    receipt = application.receipt_number
    for row in rows:
        (pid, seq, type_id, department, state, deadline_at, paused_since, outcome, reasons,
         remedies, decided_by_rule, type_name, public, s_action, s_state, s_at, s_department,
         s_note, s_deadline) = row  # fmt: skip
        item = petitions.get(pid)
        if item is None:
            item = petitions[pid] = {
                "item": seq,
                "number": f"{receipt}-{seq}",
                "type_code": type_id,
                "type_name": type_name,
                "department": department,
                "state": state,
                "state_label": Petition.State(state).label,
                "deadline_at": deadline_at.isoformat(),
                "paused": paused_since is not None,
                "outcome": outcome,
                "reasons": reasons if state in ("decided", "notified", "closed") else "",
                "remedies": remedies,
                "decided_by_rule": decided_by_rule,
                "steps": [],
                "_public": public,
            }
        if s_action is not None and item["_public"]:
            item["steps"].append(
                {
                    "action": s_action,
                    "action_label": formats.korean("step", s_action),
                    "state": s_state,
                    "at": s_at.isoformat(),
                    "department": s_department,
                    "note": s_note,
                    "deadline_at": s_deadline.isoformat() if s_deadline else None,
                }
            )
    for item in petitions.values():
        del item["_public"]
    return {
        "receipt_number": receipt,
        "received_at": application.received_at.isoformat(),
        "channel": application.channel,
        "petitions": list(petitions.values()),
    }


@dataclasses.dataclass(frozen=True)
class _Statements:
    view: sql.Select
    track: sql.Select


@functools.cache
def _statements() -> _Statements:
    """The look-up's reads, written once: a public and unauthenticated path that an
    enumerator may hammer should cost the database work and little else."""
    a, p = Application._meta, Petition._meta
    pt, st = PetitionType._meta, PetitionStep._meta
    app_fields = list(a.concrete_fields)
    app_columns = ", ".join(f'"{f.column}"' for f in app_fields)
    view_fields: list[Any] = [p.get_field(n) for n in ("id", "seq", "type", "department", "state",
                                            "deadline_at", "paused_since", "outcome", "reasons",
                                            "remedies", "decided_by_rule")]  # fmt: skip
    view_fields += [pt.get_field("name"), pt.get_field("public")]
    view_fields += [st.get_field(n) for n in ("action", "state", "at", "department",
                                              "public_note", "deadline_at")]  # fmt: skip
    view_columns = ", ".join(
        [f'p."{f.column}"' for f in view_fields[:11]]
        + [f'pt."{f.column}"' for f in view_fields[11:13]]
        + [f's."{f.column}"' for f in view_fields[13:]]
    )
    return _Statements(
        view=sql.Select(
            f'SELECT {view_columns} FROM "{p.db_table}" p'  # noqa: S608
            f' JOIN "{pt.db_table}" pt ON pt."code" = p."type_id"'
            f' LEFT JOIN "{st.db_table}" s ON s."petition_id" = p."id"'
            ' WHERE p."application_id" = %s ORDER BY p."seq", s."at", s."id"',
            view_fields,
        ),
        track=sql.Select(
            f"SELECT {', '.join(f'a.{c}' for c in app_columns.split(', '))}, {view_columns}"  # noqa: S608
            f' FROM (SELECT 1 AS "one") x LEFT JOIN "{a.db_table}" a ON a."receipt_number" = %s'
            f' LEFT JOIN "{p.db_table}" p ON p."application_id" = a."id"'
            f' LEFT JOIN "{pt.db_table}" pt ON pt."code" = p."type_id"'
            f' LEFT JOIN "{st.db_table}" s ON s."petition_id" = p."id"'
            ' ORDER BY p."seq", s."at", s."id"',
            [*app_fields, *view_fields],
        ),
    )
