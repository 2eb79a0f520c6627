"""Sharing reads: the subject's 열람 이력 (from the message log and the access log), their
consents, the message-log search for operators and auditors, and the check that every
message-log entry is anchored in the audit chain."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from ninja import Field, Schema

from minwon.kernel.models import AccessLog, AuditRecord, CommandRecord
from minwon.kernel.types import Actor, digest

from . import catalog, policies
from .commands.common import entry_hash, hashed_fields
from .models import Consent, SharingMessage

HISTORY_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class AccessEntry:
    """One read of the subject's data as the subject sees it."""

    at: datetime
    who: str
    officer: str
    item: str
    purpose: str
    ground: str
    source: str  # "sharing" or "access_log"
    case_reference: str = ""
    reference: str = ""


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    from minwon.accounts.models import AgencyClient, User

    ids: dict[str, set[int]] = {"staff": set(), "agency": set()}
    for actor in actors:
        kind, _, ident = actor.partition(":")
        if kind in ids and ident.isdigit():
            ids[kind].add(int(ident))
    names = {
        f"agency:{pk}": name
        for pk, name in AgencyClient.objects.filter(pk__in=ids["agency"]).values_list("pk", "name")
    }
    for user in User.objects.select_related("office").filter(pk__in=ids["staff"]):
        office = user.office.full_name if user.office else ""
        names[f"staff:{user.pk}"] = f"{office} {user.get_full_name()}".strip()
    return names


def _item_label(code: str) -> str:
    found = catalog.items().get(code)
    return found.name if found else code


def _purpose_label(item: str, code: str) -> str:
    found = catalog.items().get(item)
    for purpose in found.purposes if found else ():
        if purpose.code == code:
            return purpose.name
    return code


def data_access_of(*, subject_index: str, person_id: int | None, on: date) -> list[AccessEntry]:
    """Every read of the subject's data by an agency or an officer, newest first: sharing
    reads from the message log (hidden while deferred), other staff reads from the access
    log (sharing reads appear there too and are shown once, from the message log)."""
    messages = list(
        SharingMessage.objects.filter(subject_index=subject_index, outcome="answered")
        .filter(Q(deferred_until__isnull=True) | Q(deferred_until__lte=on))
        .order_by("-at")[:HISTORY_LIMIT]
    )
    rows: list[AccessLog] = []
    if person_id is not None:
        rows = list(
            AccessLog.objects.filter(subject_type="person", subject_id=str(person_id))
            .filter(Q(actor__startswith="staff:") | Q(actor__startswith="agency:"))
            .exclude(what__startswith="sharing:")
            .order_by("-at")[:HISTORY_LIMIT]
        )
    names = actor_names([m.requester for m in messages] + [r.actor for r in rows])
    entries = [
        AccessEntry(
            at=m.at,
            who=m.requester_name or names.get(m.requester, m.requester),
            officer=m.officer,
            item=_item_label(m.item),
            purpose=_purpose_label(m.item, m.purpose),
            ground=m.ground,
            source="sharing",
            case_reference=m.case_reference,
            reference=str(m.reference),
        )
        for m in messages
    ]
    entries += [
        AccessEntry(
            at=r.at,
            who=names.get(r.actor, r.actor),
            officer="",
            item=r.what,
            purpose=r.purpose,
            ground="",
            source="access_log",
            reference=str(r.pk),
        )
        for r in rows
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:HISTORY_LIMIT]


def objected(subject_index: str) -> set[tuple[str, str]]:
    """(source, target) of the reads the subject has already objected to."""
    from .models import Objection

    return set(
        Objection.objects.filter(subject_index=subject_index).values_list("source", "target")
    )


def petition_lookups(receipt_number: str, seq: int) -> dict[str, SharingMessage]:
    """The documents of one petition already confirmed through sharing, by item code."""
    from .commands.petitions import PURPOSE, case_reference

    found = SharingMessage.objects.filter(
        case_reference=case_reference(receipt_number, seq), purpose=PURPOSE, outcome="answered"
    ).order_by("at")
    return {m.item: m for m in found}


def _summary(result: dict[str, Any]) -> str:
    """One line of what a look-up found, for the officer reading the petition."""
    if "parcels" in result:
        found = [f"{p['parcel']} {p['category']} {p['area_m2']}㎡" for p in result["parcels"]]
    elif "reports" in result:
        found = [f"{r['business_name']} ({r['kind']}, {r['number']})" for r in result["reports"]]
    else:
        found = [f"{k}: {v}" for k, v in result.items()]
    return ", ".join(found) or "해당 없음"


def petition_documents(petition: Any, *, can_fetch: bool) -> list[dict[str, Any]]:
    """A petition's documents as its page lists them: who supplied each, and for a look-up
    document whether (and when) it was confirmed through sharing, or may be now."""
    done = petition_lookups(petition.application.receipt_number, petition.seq)
    rows = []
    for doc in petition.documents:
        code = (
            catalog.petition_documents().get(doc["name"]) if doc.get("source") == "lookup" else None
        )
        message = done.get(code) if code else None
        rows.append({
            "name": doc["name"], "source": doc.get("source", ""), "lookup": message,
            "can_fetch": bool(code) and message is None and can_fetch,
            "summary": _summary(message.answer["result"]) if message and message.answer else "",
        })  # fmt: skip
    return rows


def consents_of(subject_index: str) -> list[Consent]:
    return list(Consent.objects.filter(subject_index=subject_index).order_by("-given_at", "-id"))


def consent_state(consent: Consent, on: date) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    return "expired" if consent.valid_until < on else "active"


@dataclasses.dataclass(frozen=True)
class MessageFilter:
    outcome: str = ""
    requester: str = ""
    item: str = ""
    purpose: str = ""
    case_reference: str = ""
    denial_code: str = ""
    since: date | None = None
    until: date | None = None


def search_messages(actor: Actor, f: MessageFilter, *, limit: int = 200) -> list[SharingMessage]:
    """The message log as an operator or auditor searches it (their scope only)."""
    qs: QuerySet[SharingMessage] = policies.visible_messages(actor)
    for field in ("outcome", "item", "purpose", "denial_code"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    if f.requester:
        qs = qs.filter(Q(requester=f.requester) | Q(requester_name__icontains=f.requester))
    if f.case_reference:
        qs = qs.filter(case_reference=f.case_reference)
    if f.since:
        qs = qs.filter(at__date__gte=f.since)
    if f.until:
        qs = qs.filter(at__date__lte=f.until)
    return list(qs.order_by("-at", "-id")[:limit])


def sharing_stats(actor: Actor, *, since: datetime) -> list[dict[str, Any]]:
    """공동이용 현황 since ``since``: answered and denied requests per requesting agency (or
    office) and purpose, in the actor's scope — the room's view of who reads what. Latency
    per command is on ``/metrics`` (``minwon_command_seconds``)."""
    from django.db.models import Count

    rows = (
        policies.visible_messages(actor)
        .filter(at__gte=since)
        .values("requester_name", "purpose", "outcome")
        .annotate(n=Count("id"))
    )
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["requester_name"], row["purpose"])
        entry = table.setdefault(
            key, {"requester": key[0], "purpose": key[1], "answered": 0, "denied": 0}
        )
        entry[row["outcome"]] = row["n"]
    return sorted(table.values(), key=lambda e: (-(e["answered"] + e["denied"]), e["requester"]))


@dataclasses.dataclass(frozen=True)
class Problem:
    reference: str
    reason: str


def verify_messages() -> list[Problem]:
    """Each entry's content matches its hash, its command's stored result holds that hash,
    and the audit chain holds that result's digest (``minwon audit verify`` checks the chain
    itself): an edited, inserted or removed entry shows here."""
    problems: list[Problem] = []
    records: dict[Any, CommandRecord] = {
        r.command_id: r
        for r in CommandRecord.objects.filter(
            command_id__in=SharingMessage.objects.values("command_id")
        )
    }
    audited = dict(
        AuditRecord.objects.filter(command_id__in=list(records)).values_list(
            "command_id", "result_digest"
        )
    )
    for m in SharingMessage.objects.order_by("id").iterator(chunk_size=2000):
        if entry_hash(hashed_fields(m)) != m.entry_hash:
            problems.append(Problem(str(m.reference), "content does not match its hash"))
            continue
        record = records.get(m.command_id)
        if record is None or (record.result or {}).get("entry_hash") != m.entry_hash:
            problems.append(Problem(str(m.reference), "no command record holds this entry"))
            continue
        if audited.get(m.command_id) != digest(record.result):
            problems.append(Problem(str(m.reference), "not anchored in the audit chain"))
    return problems


class MessageFilterIn(Schema):
    """The message-log search as the API and the staff page take it."""

    outcome: str = Field("", max_length=8)
    requester: str = Field("", max_length=60)
    item: str = Field("", max_length=30)
    purpose: str = Field("", max_length=40)
    case_reference: str = Field("", max_length=60)
    denial_code: str = Field("", max_length=40)
    since: date | None = None
    until: date | None = None

    def to_filter(self) -> MessageFilter:
        return MessageFilter(**self.model_dump())
