"""Building ``SearchDocument`` rows from the registers: one builder per kind (and, for a kind
others see too — a campaign's recipients — its ``SearchAudience`` rows), used both by
the event subscribers (a few ids, inside the command's transaction) and by ``minwon search
rebuild`` (every id, in batches). Because both paths call the same builders, the model after
a rebuild equals the one the events kept — a test checks it.

Builders read other apps' models (a read model may), and write only this app's table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.db.models.constants import OnConflict

from minwon.documents.permissions import DocumentsPermission
from minwon.kernel import clock, jurisdictions, sql
from minwon.kernel.permissions import Permissions
from minwon.land.permissions import LandPermission
from minwon.licensing.permissions import LicensingPermission
from minwon.petitions.permissions import PetitionsPermission
from minwon.registry.permissions import RegistryPermission
from minwon.vehicles.permissions import VehiclesPermission

from .models import Kind, SearchAudience, SearchDocument
from .permissions import PortalPermission
from .tokens import document_tokens, normalise

#: Who may see each kind: the permission checked over the record's jurisdiction.
PERMISSION: dict[Kind, Permissions] = {
    Kind.PERSON: RegistryPermission.READ,
    Kind.HOUSEHOLD: RegistryPermission.READ,
    Kind.PETITION: PetitionsPermission.READ,
    Kind.PERMIT: LicensingPermission.READ,
    Kind.PARCEL: LandPermission.READ,
    Kind.VEHICLE: VehiclesPermission.READ,
    Kind.DOCUMENT: DocumentsPermission.READ,
    Kind.CAMPAIGN: PortalPermission.CAMPAIGN_MANAGE,
}
#: Kinds that others see too (``SearchAudience`` rows): the permission those others need
#: over their own office — a campaign's recipients answer it.
AUDIENCE: dict[Kind, Permissions] = {Kind.CAMPAIGN: PortalPermission.CAMPAIGN_ANSWER}

_SEPARATORS = re.compile(r"[\s\-·.]+")


def exact_key(text: str) -> str:
    """How exact keys are stored and looked up: NFKC, no spaces, dashes or dots, upper case
    ("12가 3456" = "12가3456"; "51130-261201-…" with or without dashes)."""
    return _SEPARATORS.sub("", normalise(text)).upper()[:80]


def rrn_key(blind_index: str) -> str:
    return f"RRN:{blind_index}" if blind_index else ""


class Doc(NamedTuple):
    """A built document, the values of one ``SearchDocument`` row. A plain tuple rather than
    a model instance: a bulk load builds a thousand per command, and ``Model.__init__`` cost
    more than the building itself; ``model()`` makes the instance where the ORM writes it."""

    kind: str
    entity_id: str
    jurisdiction_path: str
    permission: str
    title: str
    details: str = ""
    key1: str = ""
    key2: str = ""
    key3: str = ""
    tokens: str = ""

    def model(self) -> SearchDocument:
        return SearchDocument(**self._asdict())


def _doc(kind: Kind, entity_id: object, jurisdiction: str, **fields: Any) -> Doc:
    return Doc(
        kind=kind.value,
        entity_id=str(entity_id),
        jurisdiction_path=jurisdictions.path_of(jurisdiction),
        permission=PERMISSION[kind].value,
        **fields,
    )


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _among(query: QuerySet[Any], field: str, ids: Iterable[int]) -> Iterator[Any]:
    """The rows of ``query`` whose ``field`` is one of ``ids`` (``values_list`` rows, that
    field first). Many nearly consecutive ids — a bulk load's, a rebuild's batch — are read
    as a range and sifted here: a thousand-item ``IN`` list cost more to compile and send
    than the rows it selects."""
    wanted = set(ids)
    if len(wanted) < 64 or max(wanted) - min(wanted) > 2 * len(wanted):
        yield from query.filter(**{f"{field}__in": sorted(wanted)})
        return
    for row in query.filter(**{f"{field}__gte": min(wanted), f"{field}__lte": max(wanted)}):
        if row[0] in wanted:
            yield row


def persons(ids: Iterable[int]) -> list[Doc]:
    """Read as values, not model instances: a bulk load builds a thousand per command."""
    from minwon.registry.models import Person, PersonStatus, Residence

    people = list(
        _among(
            Person.objects.order_by("pk").values_list(
                "pk", "name", "birth_date", "sex", "status", "rrn_index", "jurisdiction_id"
            ),
            "pk",
            ids,
        )
    )
    addresses = dict(
        (pid, f"{road} {detail}".strip())
        for pid, road, detail in _among(
            Residence.objects.filter(moved_out_on__isnull=True).values_list(
                "person_id", "road_address", "address_detail"
            ),
            "person_id",
            [p[0] for p in people],
        )
    )
    docs = []
    for pk, name, birth_date, sex, status, rrn_index, jurisdiction_id in people:
        address = addresses.get(pk, "")
        shown = "" if status == PersonStatus.ACTIVE else f" · {PersonStatus(status).label}"
        docs.append(
            _doc(
                Kind.PERSON, pk, jurisdiction_id, title=name,
                details=_cut(
                    f"{birth_date:%Y-%m-%d} · {'남' if sex == 'M' else '여'} · {address}{shown}",
                    400,
                ),
                key1=rrn_key(rrn_index),
                tokens=document_tokens(name, address, dates=[birth_date]),
            )
        )  # fmt: skip
    return docs


def households(ids: Iterable[int]) -> list[Doc]:
    from minwon.registry.models import Household

    docs = []
    for pk, head, road, detail, jurisdiction_id in _among(
        Household.objects.order_by("pk").values_list(
            "pk", "head__name", "road_address", "address_detail", "jurisdiction_id"
        ),
        "pk",
        ids,
    ):
        head = head or ""
        address = f"{road} {detail}".strip()
        docs.append(
            _doc(
                Kind.HOUSEHOLD, pk, jurisdiction_id, title=f"{head} 세대",
                details=_cut(address, 400), key1=f"H{pk}",
                tokens=document_tokens(head, "세대", address),
            )
        )  # fmt: skip
    return docs


def _form_text(value: Any) -> Iterator[str]:
    """The form's texts, a dict's in the order of its keys: PostgreSQL's jsonb gives a form
    back with its keys reordered, so only a sorted order is the same for a form read back
    and for the one a handler holds."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _form_text(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _form_text(item)
    elif isinstance(value, str):
        yield value


def petitions(ids: Iterable[int] | QuerySet[Any]) -> list[Doc]:
    """The petitions' documents, read; ``ids`` may be a query of their ids (read in the
    same statement)."""
    from minwon.petitions.models import Petition, PetitionStep

    rows = list(
        Petition.objects.filter(pk__in=ids if isinstance(ids, QuerySet) else list(ids))
        .select_related("application", "type")
        .order_by("pk")
    )
    notes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, note, public_note in (
        PetitionStep.objects.filter(petition_id__in=[p.pk for p in rows])
        .order_by("petition_id", "at", "id")
        .values_list("petition_id", "note", "public_note")
    ):
        notes[pid].append((note, public_note))
    return petition_documents((p, notes[p.pk]) for p in rows)


def petition_documents(found: Iterable[tuple[Any, Iterable[Any]]]) -> list[Doc]:
    """The documents of petitions given with the ``(note, public_note)`` of each of their
    steps in order: read (``petitions``), or the rows a submission has just written
    (``petitions.written``) — one builder for both, so a rebuild writes what the events
    kept. Each petition carries its application and type."""
    docs = []
    for p, steps in found:
        app = p.application
        received = clock.local(p.received_at)
        notes = [text for pair in steps for text in pair]
        docs.append(
            _doc(
                Kind.PETITION, p.pk, p.jurisdiction_id, title=p.type.name,
                details=_cut(
                    f"{p.number} · {app.applicant_name} · {p.get_state_display()} · "
                    f"{p.department} · {received:%Y-%m-%d}", 400,
                ),
                key1=exact_key(p.number), key2=exact_key(app.receipt_number),
                key3=rrn_key(app.identity_index),
                tokens=document_tokens(
                    p.type.name, app.applicant_name, p.department, "민원", p.reasons,
                    *_form_text(p.form), *notes, dates=[received.date()],
                ),
            )
        )  # fmt: skip
    return docs


def permits(ids: Iterable[int]) -> list[Doc]:
    from minwon.licensing.models import Permit

    docs = []
    for p in Permit.objects.filter(pk__in=list(ids)).select_related("holder").order_by("pk"):
        docs.append(
            _doc(
                Kind.PERMIT, p.pk, p.jurisdiction_id, title=p.business_name,
                details=_cut(
                    f"{p.number} · {p.get_kind_display()} · 대표자 {p.holder.name} · "
                    f"{p.road_address} · {p.get_status_display()}", 400,
                ),
                key1=exact_key(p.number),
                tokens=document_tokens(
                    p.business_name, p.get_kind_display(), p.holder.name, p.road_address
                ),
            )
        )  # fmt: skip
    return docs


def parcels(ids: Iterable[int]) -> list[Doc]:
    from minwon.land.models import Parcel

    docs = []
    for p in Parcel.objects.filter(pk__in=list(ids)).select_related("owner").order_by("pk"):
        docs.append(
            _doc(
                Kind.PARCEL, p.pk, p.jurisdiction_id, title=p.lot_label,
                details=_cut(
                    f"PNU {p.pnu} · {p.category} · {p.area_m2}㎡ · 소유자 {p.owner.name}", 400
                ),
                key1=p.pnu, key2=exact_key(p.lot_label),
                tokens=document_tokens(p.lot_label, p.category, "토지", p.owner.name),
            )
        )  # fmt: skip
    return docs


def vehicles(ids: Iterable[int]) -> list[Doc]:
    """Read as values, not model instances: an import builds a thousand per command."""
    from minwon.vehicles.models import Vehicle

    rows = _among(
        Vehicle.objects.order_by("pk").values_list(
            "pk", "jurisdiction_id", "plate", "vin", "model_name", "model_year", "kind",
            "base_address", "owner__name",
        ),
        "pk",
        ids,
    )  # fmt: skip
    docs = []
    for pk, jurisdiction_id, plate, vin, model_name, model_year, kind, address, owner in rows:
        docs.append(
            _doc(
                Kind.VEHICLE, pk, jurisdiction_id, title=plate,
                details=_cut(f"{model_name} {model_year}년식 · 소유자 {owner} · {address}", 400),
                key1=exact_key(plate), key2=exact_key(vin),
                tokens=document_tokens(plate, model_name, kind, owner, address),
            )
        )  # fmt: skip
    return docs


def documents(ids: Iterable[str]) -> list[Doc]:
    from minwon.documents.models import Issuance

    return issuance_documents(Issuance.objects.filter(pk__in=list(ids)).order_by("pk"))


def issuance_documents(issuances: Iterable[Any]) -> list[Doc]:
    """The documents of these ledger rows, read (``documents``, for a rebuild) or in the
    hand of the command that appended them (``documents.ledger.written``)."""
    docs = []
    for d in issuances:
        issued = clock.local(d.issued_at)
        docs.append(
            _doc(
                Kind.DOCUMENT, d.pk, d.jurisdiction_id, title=d.cert_type,
                details=_cut(
                    f"{d.document_number} · {d.subject_name} · {issued:%Y-%m-%d %H:%M} · {d.channel}",
                    400,
                ),
                key1=exact_key(d.document_number),
                tokens=document_tokens(d.cert_type, d.subject_name, dates=[issued.date()]),
            )
        )  # fmt: skip
    return docs


def campaigns(ids: Iterable[int]) -> list[Doc]:
    """자동취합: found by title, 주관 부서, 회차, the office and the period's dates."""
    from .models import Campaign

    docs = []
    for c in (
        Campaign.objects.filter(pk__in=list(ids)).select_related("jurisdiction").order_by("pk")
    ):
        opens, deadline = clock.local(c.opens_at), clock.local(c.deadline_at)
        sender = f"{c.jurisdiction.name} {c.department}".strip()
        round_label = f" · {c.round_label}" if c.round_label else ""
        docs.append(
            _doc(
                Kind.CAMPAIGN, c.pk, c.jurisdiction_id, title=_cut(c.title, 200),
                details=_cut(
                    f"{sender}{round_label} · {opens:%Y-%m-%d} ~ {deadline:%Y-%m-%d %H:%M}", 400
                ),
                key1=f"C{c.pk}",
                tokens=document_tokens(
                    c.title, c.department, c.round_label, c.jurisdiction.name, "자동취합",
                    dates=[opens.date(), deadline.date()],
                ),
            )
        )  # fmt: skip
    return docs


def campaign_audiences(ids: Iterable[int]) -> list[SearchAudience]:
    """One audience row per recipient of each campaign: its office, and its department."""
    from .models import Recipient

    permission = AUDIENCE[Kind.CAMPAIGN].value
    rows = (
        Recipient.objects.filter(campaign_id__in=list(ids))
        .order_by("campaign_id", "jurisdiction_id", "department")
        .values_list("campaign_id", "jurisdiction_id", "department")
    )
    return [
        SearchAudience(
            kind=Kind.CAMPAIGN.value,
            entity_id=str(campaign_id),
            permission=permission,
            jurisdiction_path=jurisdictions.path_of(code),
            department=department,
        )
        for campaign_id, code, department in rows
    ]


BUILDERS: dict[Kind, Callable[[Iterable[Any]], list[Doc]]] = {
    Kind.PERSON: persons,
    Kind.HOUSEHOLD: households,
    Kind.PETITION: petitions,
    Kind.PERMIT: permits,
    Kind.PARCEL: parcels,
    Kind.VEHICLE: vehicles,
    Kind.DOCUMENT: documents,
    Kind.CAMPAIGN: campaigns,
}
AUDIENCE_BUILDERS: dict[Kind, Callable[[Iterable[Any]], list[SearchAudience]]] = {
    Kind.CAMPAIGN: campaign_audiences,
}


#: The documents' upsert, built once per vendor from the model's metadata (the kernel's
#: ``sql.Insert`` for the ``VALUES`` part): ``bulk_create(update_conflicts=True)`` compiled
#: the same statement again on every call, which was most of a submission's document write.
_insert_docs = sql.Insert(SearchDocument, Doc._fields)
_conflict: dict[str, str] = {}
#: A document's key, and the columns an upsert rewrites (all the others).
_KEY = ["kind", "entity_id"]
_REWRITTEN = [f for f in Doc._fields if f not in _KEY]
#: Documents per statement, as ``bulk_create``'s ``batch_size`` was.
_PER_STATEMENT = 1000


def _on_conflict(conn: Any) -> str:
    """The statement's ``ON CONFLICT ("kind", "entity_id") DO UPDATE SET …`` tail, every
    other column rewritten, from the backend's own ``on_conflict_suffix_sql`` (the one
    ``bulk_create`` calls): the same text, made once."""
    found = _conflict.get(conn.vendor)
    if found is None:
        suffix = conn.ops.on_conflict_suffix_sql(None, OnConflict.UPDATE, _REWRITTEN, _KEY)
        found = _conflict[conn.vendor] = " " + suffix
    return found


def store(docs: list[Doc]) -> None:
    """Insert these documents or rewrite the ones already there (one upsert per 1,000):
    every column but the key ``(kind, entity_id)`` is rewritten."""
    conn = connections[DEFAULT_DB_ALIAS]
    for at in range(0, len(docs), _PER_STATEMENT):
        text, params = _insert_docs.rows_sql(conn, docs[at : at + _PER_STATEMENT])
        with conn.cursor() as cursor:
            cursor.execute(text + _on_conflict(conn), params)


def refresh(kind: Kind, ids: Iterable[Any]) -> int:
    """Replace the documents of ``ids`` with freshly built ones (inside the caller's
    transaction). A record that no longer exists loses its document."""
    ids = list(ids)
    if not ids:
        return 0
    docs = BUILDERS[kind](ids)
    store(docs)
    gone = sorted({str(i) for i in ids} - {d.entity_id for d in docs})
    if gone:
        SearchDocument.objects.filter(kind=kind.value, entity_id__in=gone).delete()
    if kind in AUDIENCE_BUILDERS:
        wanted = [str(i) for i in ids]
        SearchAudience.objects.filter(kind=kind.value, entity_id__in=wanted).delete()
        SearchAudience.objects.bulk_create(AUDIENCE_BUILDERS[kind](ids), batch_size=1000)
    return len(docs)


def _all_ids(kind: Kind) -> list[Any]:
    from minwon.documents.models import Issuance
    from minwon.land.models import Parcel
    from minwon.licensing.models import Permit
    from minwon.petitions.models import Petition
    from minwon.registry.models import Household, Person
    from minwon.vehicles.models import Vehicle

    from .models import Campaign

    model: Any = {
        Kind.PERSON: Person, Kind.HOUSEHOLD: Household, Kind.PETITION: Petition,
        Kind.PERMIT: Permit, Kind.PARCEL: Parcel, Kind.VEHICLE: Vehicle, Kind.DOCUMENT: Issuance,
        Kind.CAMPAIGN: Campaign,
    }[kind]  # fmt: skip
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def counts() -> dict[Kind, int]:
    from minwon.documents.models import Issuance
    from minwon.land.models import Parcel
    from minwon.licensing.models import Permit
    from minwon.petitions.models import Petition
    from minwon.registry.models import Household, Person
    from minwon.vehicles.models import Vehicle

    from .models import Campaign

    return {
        Kind.PERSON: Person.objects.count(), Kind.HOUSEHOLD: Household.objects.count(),
        Kind.PETITION: Petition.objects.count(), Kind.PERMIT: Permit.objects.count(),
        Kind.PARCEL: Parcel.objects.count(), Kind.VEHICLE: Vehicle.objects.count(),
        Kind.DOCUMENT: Issuance.objects.count(), Kind.CAMPAIGN: Campaign.objects.count(),
    }  # fmt: skip


def rebuild(*, batch: int = 2000, progress: Callable[[Kind, int], None] | None = None) -> int:
    """Drop every document and build them all again from the registers, in one transaction
    (searches see the old model until it commits). ``progress(kind, n)`` after each batch."""
    total = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchAudience.objects.all().delete()
        for kind in Kind:
            ids = _all_ids(kind)
            for at in range(0, len(ids), batch):
                chunk = ids[at : at + batch]
                docs = BUILDERS[kind](chunk)
                SearchDocument.objects.bulk_create([d.model() for d in docs], batch_size=1000)
                if kind in AUDIENCE_BUILDERS:
                    audience = AUDIENCE_BUILDERS[kind](chunk)
                    SearchAudience.objects.bulk_create(audience, batch_size=1000)
                total += len(docs)
                if progress is not None:
                    progress(kind, len(chunk))
    return total
