"""Issuing: the eligibility matrix, fees and payment per channel, the arrears refusal,
the immutable ledger, idempotent issuance and verification by number and by file."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from minwon.documents import queries
from minwon.documents.commands import IssueCertificate, luhn_valid
from minwon.documents.keys import Mode
from minwon.documents.models import ImmutableRow, Issuance, IssuedFile
from minwon.kernel import execute
from minwon.kernel.errors import Conflict, Forbidden, ValidationFailed
from minwon.kernel.models import AccessLog
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.tax.commands import RecordTaxPayment
from tests.conftest import WONJU
from tests.documents.conftest import (
    HEAD_RRN,
    SPOUSE_RRN,
    STRANGER_RRN,
    index_of,
    kiosk,
)
from tests.registry import factories

pytestmark = pytest.mark.django_db


def counter(clerk: Any, cert_type: str, *, applicant: str = "", **fields: Any) -> Any:
    fields.setdefault("payment_method", "cash")
    return execute(
        IssueCertificate(
            actor=Actor(ActorKind.STAFF, clerk.pk, clerk.username), channel=Channel.COUNTER,
            jurisdiction=WONJU, cert_type=cert_type,
            applicant_index=index_of(applicant) if applicant else "", **fields,
        )
    )  # fmt: skip


def test_self_gets_own_copy_and_abstract(household: dict[str, Any]) -> None:
    for cert_type in ("resident_copy", "resident_abstract"):
        result = kiosk(cert_type, HEAD_RRN)
        assert result.value["relation"] == "self"
        assert luhn_valid(result.value["document_number"])


def test_household_member_gets_the_heads_abstract(household: dict[str, Any]) -> None:
    head = household["head"]
    result = kiosk("resident_abstract", SPOUSE_RRN, subject=str(head.pk))
    assert result.value["relation"] == "household"


def test_stranger_is_refused_and_nothing_is_written(household: dict[str, Any]) -> None:
    head = household["head"]
    for cert_type in ("resident_copy", "resident_abstract", "tax_payment"):
        with pytest.raises(Forbidden) as refused:
            kiosk(cert_type, STRANGER_RRN, subject=str(head.pk), payment_method="")
        assert refused.value.field == "subject"
    assert Issuance.objects.count() == 0


def test_delegate_with_power_of_attorney_at_the_counter(
    household: dict[str, Any], make_staff: Any
) -> None:
    clerk = make_staff("counter_clerk", WONJU)
    head = household["head"]
    with pytest.raises(Forbidden):
        counter(clerk, "resident_abstract", applicant=STRANGER_RRN, subject=str(head.pk))
    result = counter(
        clerk, "resident_abstract", applicant=STRANGER_RRN, subject=str(head.pk),
        delegate_name="박타인", power_of_attorney="위임장 2026-0042",
    )  # fmt: skip
    row = Issuance.objects.get(pk=result.value["document_number"])
    assert row.relation == "delegate" and row.delegate_name == "박타인"
    assert row.authority_reference == "위임장 2026-0042" and row.office == WONJU


def test_delegation_is_refused_outside_the_counter(household: dict[str, Any]) -> None:
    head = household["head"]
    with pytest.raises(ValidationFailed) as refused:
        kiosk(
            "resident_abstract",
            STRANGER_RRN,
            subject=str(head.pk),
            delegate_name="박타인",
            power_of_attorney="x",
        )
    assert refused.value.field == "delegate_name"


def test_agency_by_law(household: dict[str, Any]) -> None:
    from django.utils import timezone

    from minwon.accounts.models import AgencyClient

    client = AgencyClient.objects.create(
        name="국민연금공단", prefix="nps", key_hash="h" * 64, jurisdiction_id=WONJU,
        permissions=["documents.agency_issue"], created_at=timezone.now(),
    )  # fmt: skip
    agency = Actor(ActorKind.AGENCY, client.pk, client.name)
    base = dict(
        actor=agency,
        channel=Channel.AGENCY,
        jurisdiction=WONJU,
        cert_type="resident_abstract",
        subject=str(household["head"].pk),
    )
    with pytest.raises(ValidationFailed) as missing:
        execute(IssueCertificate(**base))  # type: ignore[arg-type]
    assert missing.value.field == "legal_basis"
    result = execute(IssueCertificate(**base, legal_basis="국민연금법 제123조"))  # type: ignore[arg-type]
    assert result.value["relation"] == "agency" and result.value["fee"] == 0
    assert result.value["payment_method"] == "exempt"


def test_fees_per_channel(household: dict[str, Any], make_staff: Any, make_citizen: Any) -> None:
    citizen = make_citizen(HEAD_RRN, name="김세대")
    online = execute(
        IssueCertificate(
            actor=Actor(ActorKind.CITIZEN, citizen.pk, citizen.username), channel=Channel.ONLINE,
            jurisdiction="0000000000", cert_type="resident_copy",
        )
    ).value  # fmt: skip
    at_kiosk = kiosk("resident_copy", HEAD_RRN).value
    at_counter = counter(
        make_staff("counter_clerk", WONJU), "resident_copy", applicant=HEAD_RRN
    ).value
    assert (online["fee"], at_kiosk["fee"], at_counter["fee"]) == (0, 200, 400)
    assert online["payment_method"] == "free" and at_kiosk["payment_method"] == "cash"
    assert at_counter["payment_method"] == "cash"
    row = Issuance.objects.get(pk=at_kiosk["document_number"])
    assert (row.fee, row.payment_method, row.channel, row.kiosk_id) == (
        200,
        "cash",
        "kiosk",
        "wonju-k1",
    )
    # A card at the counter is the clerk's terminal; at a kiosk no clerk swipes it, so a card
    # fee there needs the gateway's approved order (test_kiosk_payment pays one).
    counter(make_staff("counter_clerk", WONJU), "resident_copy", applicant=HEAD_RRN,
            payment_method="card")  # fmt: skip
    with pytest.raises(ValidationFailed) as unpaid:
        kiosk("resident_copy", HEAD_RRN, payment_method="card")
    assert unpaid.value.field == "payment_order"
    assert Issuance.objects.filter(channel="kiosk").count() == 1


def test_fee_needs_a_payment_method(household: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        kiosk("resident_copy", HEAD_RRN, payment_method="")
    assert refused.value.field == "payment_method"
    with pytest.raises(ValidationFailed) as wrong_channel:
        kiosk("business_report", HEAD_RRN, subject="x")
    assert wrong_channel.value.field == "channel"


def test_tax_certificate_refused_while_arrears_exist(household: dict[str, Any]) -> None:
    head = household["head"]
    bill = factories.tax_bill(head)
    from minwon.tax.models import TaxBill

    TaxBill.objects.filter(pk=bill)  # due in 20 days: not yet arrears
    kiosk("tax_payment", HEAD_RRN, payment_method="")
    from minwon.kernel import clock

    later = clock.now() + timedelta(days=30)
    with clock.frozen_at(later):
        with pytest.raises(Conflict) as refused:
            kiosk("tax_payment", HEAD_RRN, payment_method="")
        assert refused.value.code == "tax_arrears"
        assert "체납액 145,000원" in refused.value.message_ko
        execute(
            RecordTaxPayment(
                actor=factories.SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
                bill_id=bill, paid_on=later.date(),
            )
        )  # fmt: skip
        assert kiosk("tax_payment", HEAD_RRN, payment_method="").value["fee"] == 0


def test_ledger_rows_cannot_be_changed(household: dict[str, Any]) -> None:
    number = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    row = Issuance.objects.get(pk=number)
    row.fee = 0
    with pytest.raises(ImmutableRow):
        row.save()
    with pytest.raises(ImmutableRow):
        Issuance.objects.filter(pk=number).update(fee=0)
    with pytest.raises(ImmutableRow):
        Issuance.objects.filter(pk=number).delete()
    with pytest.raises(ImmutableRow):
        row.delete()
    with pytest.raises(ImmutableRow):
        IssuedFile.objects.filter(pk=number).update(pdf=b"%PDF forged")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE documents_issuance SET fee = 0 WHERE document_number = %s", [number])
    assert Issuance.objects.get(pk=number).fee == 200


def test_ledger_row_and_file_are_written_together(household: dict[str, Any]) -> None:
    """Both rows in one statement on PostgreSQL: the stored row is the one the handler
    built, field for field, and a refused ledger insert leaves no orphan file either."""
    from django.db import IntegrityError

    from minwon.documents import ledger

    number = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    row = Issuance.objects.get(pk=number)
    assert IssuedFile.objects.get(pk=number).issuance_id == number
    assert row.options["show_rrn_back"] is False and row.summary["세대원 수"] == "2"
    assert row.issued_at.tzinfo is not None and row.fee == 200
    again = Issuance(**{f.attname: getattr(row, f.attname) for f in Issuance._meta.fields})
    again.document_number, again.command_id = "1" * 16, uuid.uuid4()  # same content hash
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.append(again, b"%PDF-1.7 other")
    assert IssuedFile.objects.count() == Issuance.objects.count() == 1


def test_issued_pdfs_are_stored_with_lz4_on_postgresql(household: dict[str, Any]) -> None:
    number = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    if connection.vendor != "postgresql":
        # SQLite has no column compression: the file is stored as issued.
        pdf = IssuedFile.objects.get(pk=number).content()
        assert pdf.startswith(b"%PDF-") and len(pdf) == Issuance.objects.get(pk=number).size
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(pdf), octet_length(pdf) FROM documents_issuedfile"
            " WHERE issuance_id = %s",
            [number],
        )
        method, size = cursor.fetchone()
    assert method == "lz4" and size == Issuance.objects.get(pk=number).size


def test_changed_pdf_is_detected_by_the_content_hash(household: dict[str, Any]) -> None:
    number = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    pdf = IssuedFile.objects.get(pk=number).content()
    assert queries.verify_file(pdf).status == "genuine"
    forged = pdf.replace("김세대".encode("utf-16-be"), "김위조".encode("utf-16-be"))
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x20
    for changed in (
        bytes(tampered),
        pdf + b"\n% appended\n",
        forged if forged != pdf else bytes(tampered),
    ):
        result = queries.verify_file(changed)
        assert result.status == "altered" and result.issuance is not None
        assert result.issuance.document_number == number
    assert queries.verify_file(b"%PDF-1.7 something else").status == "unknown"


def test_idempotent_issuance(household: dict[str, Any]) -> None:
    command_id = uuid.uuid4()
    first = kiosk("resident_copy", HEAD_RRN, command_id=command_id)
    again = kiosk("resident_copy", HEAD_RRN, command_id=command_id)
    assert again.replayed and again.value == first.value
    assert Issuance.objects.count() == 1


def test_verification_by_number_needs_the_code(household: dict[str, Any]) -> None:
    value = kiosk("resident_copy", HEAD_RRN).value
    number, code = value["document_number"], value["verification_code"]
    found = queries.verify_by_number(
        f"{number[:4]}-{number[4:8]}-{number[8:12]}-{number[12:]}", code.lower()
    )
    assert found.status == "genuine"
    body = found.as_dict()
    assert body["title"] == "주민등록표 (등본)" and body["issuer"] == "원주시장"
    assert body["subject"] == "김*대" and body["mode"] == "normal"
    assert queries.verify_by_number(number, "WRONGCOD").status == "unknown"
    with pytest.raises(ValidationFailed):
        queries.verify_by_number("1234", code)


def test_access_is_logged_for_the_subject(household: dict[str, Any]) -> None:
    kiosk("resident_copy", HEAD_RRN)
    assert AccessLog.objects.filter(
        subject_id=str(household["head"].pk), what="certificate:resident_copy"
    ).exists()


def test_a_household_copy_logs_every_member_it_shows(household: dict[str, Any]) -> None:
    kiosk("resident_copy", SPOUSE_RRN)
    logged = set(
        AccessLog.objects.filter(what="certificate:resident_copy").values_list(
            "subject_id", "purpose", "channel"
        )
    )
    assert logged == {
        (str(household["spouse"].pk), "증명서 발급(self)", "kiosk"),
        (str(household["head"].pk), "증명서 발급(self)", "kiosk"),
    }
    assert not AccessLog.objects.filter(subject_id=str(household["stranger"].pk)).exists()
    kiosk("resident_abstract", HEAD_RRN)  # an 초본 shows its subject only
    assert AccessLog.objects.filter(what="certificate:resident_abstract").count() == 1


def test_a_members_copy_reads_the_register_once(household: dict[str, Any]) -> None:
    """The applicant, their household, its members and the subject among them, for
    eligibility (is the applicant in the subject's household?) and for the 등본 itself:
    one read by primary key, the applicant's copy of their household's snapshot."""
    from django.test.utils import CaptureQueriesContext

    head = household["head"]
    for subject in ("self", str(head.pk)):
        with CaptureQueriesContext(connection) as q:
            result = kiosk("resident_copy", SPOUSE_RRN, subject=subject)
        assert result.value["relation"] == ("self" if subject == "self" else "household")
        registry_reads = [x["sql"] for x in q.captured_queries if "registry_" in x["sql"]]
        assert len(registry_reads) == 1
        assert 'FROM "registry_householdsnapshotkey" WHERE "rrn_index" = ' in registry_reads[0]
    stranger = household["stranger"]
    with pytest.raises(Forbidden):
        kiosk("resident_copy", SPOUSE_RRN, subject=str(stranger.pk))


def test_continuity_mode_uses_the_offices_continuity_key(
    household: dict[str, Any], make_staff: Any
) -> None:
    clerk = make_staff("counter_clerk", WONJU)
    normal = counter(clerk, "resident_copy", applicant=HEAD_RRN).value
    cont = counter(clerk, "resident_copy", applicant=HEAD_RRN, mode=Mode.CONTINUITY.value).value
    rows = {
        r.mode: r
        for r in Issuance.objects.filter(
            pk__in=[normal["document_number"], cont["document_number"]]
        )
    }
    assert set(rows) == {"normal", "continuity"}
    assert rows["normal"].signing_key_id != rows["continuity"].signing_key_id
    officer = make_staff("officer", WONJU)
    with pytest.raises(Forbidden):
        counter(officer, "resident_copy", applicant=HEAD_RRN, mode=Mode.CONTINUITY.value)


def test_the_search_document_is_built_from_the_row_in_hand(
    household: dict[str, Any], make_staff: Any
) -> None:
    """The issued document's search document comes from the ledger row the command
    appended — the ledger is not read back — and equals what a rebuild writes."""
    from django.test.utils import CaptureQueriesContext

    from minwon.portal import index
    from minwon.portal.models import SearchDocument

    clerk = make_staff("counter_clerk", WONJU)
    with CaptureQueriesContext(connection) as q:
        number = counter(clerk, "resident_copy", applicant=HEAD_RRN).value["document_number"]
    table = Issuance._meta.db_table
    assert not [s for s in q.captured_queries if s["sql"].lstrip().upper().startswith("SELECT")
                and f'FROM "{table}"' in s["sql"]]  # fmt: skip
    kept = SearchDocument.objects.get(kind="document", entity_id=number)
    rebuilt = index.documents([number])
    assert len(rebuilt) == 1
    assert {f: getattr(kept, f) for f in rebuilt[0]._fields} == rebuilt[0]._asdict()
