"""Attachments: the type allow-list by content, the size limit, sealing at rest, the
digest the command carries checked against storage, the policy of the download, and the
apply and 보완 pages that take files."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import AccessLog
from minwon.kernel.types import Channel
from minwon.petitions import files
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.workflow import SubmitSupplement
from minwon.petitions.models import Application, Attachment
from tests.petitions import samples
from tests.petitions.conftest import JEONJU, WONJU, actor, at

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, data: bytes, kind: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


# --- what a file is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (samples.pdf, "application/pdf"),
        (samples.jpeg, "image/jpeg"),
        (samples.png, "image/png"),
        (samples.hwp, "application/x-hwp"),
        (samples.hwpx, "application/hwp+zip"),
    ],
)
def test_allowed_types_are_known_by_their_content(make: Callable[[], bytes], expected: str) -> None:
    assert files.sniff(make()) == expected
    ref = files.stage(upload("아무 이름.bin", make()), document="배출 품목 사진")
    assert ref.content_type == expected and ref.size == len(make())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("사진.pdf", samples.exe()),  # an executable renamed
        ("사진.jpg", samples.html()),  # a page renamed
        ("문서.hwpx", samples.other_zip()),  # a zip that is no HWPX
        ("문서.hwp", samples.ole("WordDocument", b"\xec\xa5")),  # a Word file, not HWP
        ("문서.hwp", samples.ole("FileHeader", b"not an hwp header")),
    ],
)
def test_other_content_is_refused_whatever_its_name(name: str, data: bytes) -> None:
    where = files.storage()
    with pytest.raises(ValidationFailed) as refused:
        files.stage(upload(name, data, "application/pdf"), document="신분증")
    assert refused.value.code == "attachment_type"
    assert "'신분증'" in refused.value.message_ko and "PDF, JPEG, PNG" in refused.value.message_ko
    assert not where.exists(files.storage_key_for(data))  # nothing kept


def test_oversize_and_empty_files_are_refused(settings: Any) -> None:
    settings.MINWON_ATTACHMENT_MAX_BYTES = 1024
    big = samples.pdf("x" * 2000)
    with pytest.raises(ValidationFailed) as refused:
        files.stage(upload("큰 파일.pdf", big), document="사업계획서")
    assert refused.value.code == "attachment_too_large"
    assert "'사업계획서' 파일이 너무 큽니다. 1 KB 이하" in refused.value.message_ko
    with pytest.raises(ValidationFailed) as empty:
        files.stage(upload("빈 파일.pdf", b""), document="사업계획서")
    assert empty.value.code == "attachment_empty"


# --- stored sealed, content-addressed ---------------------------------------------------------


def test_the_stored_object_is_ciphertext_under_a_content_address() -> None:
    data = samples.png(16, 16)
    ref = files.stage(upload("지도.png", data), document="점용 도면")
    on_disk = Path(files.storage().path(ref.storage_key)).read_bytes()
    assert on_disk.startswith(files.MAGIC)
    assert data not in on_disk and b"IHDR" not in on_disk
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert ref.sha256 not in ref.storage_key  # the key does not reveal the content's digest
    assert files.read(ref.storage_key) == data
    again = files.stage(upload("다른 이름.png", data), document="점용 도면")
    assert again.storage_key == ref.storage_key and again.file_name == "다른 이름.png"
    moved = files.storage_key_for(samples.pdf("a ciphertext moved here"))
    files.storage().delete(moved)
    assert files.storage().save(moved, ContentFile(on_disk)) == moved
    with pytest.raises(ValueError, match="does not decrypt"):
        files.read(moved)  # the key is the associated data: a ciphertext cannot move


# --- the command carries the digest; the handler checks storage --------------------------------


def _submit(citizen: User, *attachments: files.AttachmentRef, code: str = "LARGE_WASTE") -> Any:
    return execute(
        SubmitApplication(
            actor=actor(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
            items=[ApplicationItem(type_code=code, form={"items": 2}, attachments=list(attachments))],
        )
    )  # fmt: skip


def test_the_command_records_the_reference_and_never_the_bytes(citizen: User) -> None:
    data = samples.jpeg()
    ref = files.stage(upload("소파.jpg", data), document="배출 품목 사진")
    result = _submit(citizen, ref)
    attached = Attachment.objects.get()
    assert (attached.sha256, attached.size, attached.content_type, attached.document) == (
        hashlib.sha256(data).hexdigest(), len(data), "image/jpeg", "배출 품목 사진",
    )  # fmt: skip
    from minwon.kernel.models import CommandRecord

    record = CommandRecord.objects.get(command_id=attached.command_id)
    payload = json.dumps(record.payload)
    assert ref.sha256 in payload and ref.storage_key in payload
    assert data.hex() not in payload and "/9j/" not in payload
    assert result.value["receipt_number"] == attached.petition.application.receipt_number


@pytest.mark.parametrize(
    "tamper",
    [
        {"sha256": "0" * 64},
        {"size": 1},
        {"content_type": "application/pdf"},
        {"storage_key": "petitions/00/" + "0" * 64},
    ],
)
def test_a_reference_that_does_not_match_storage_is_refused(
    citizen: User, tamper: dict[str, Any]
) -> None:
    import dataclasses

    ref = files.stage(upload("소파.jpg", samples.jpeg()), document="배출 품목 사진")
    with pytest.raises(ValidationFailed) as refused:
        _submit(citizen, dataclasses.replace(ref, **tamper))
    assert refused.value.code == "attachment_mismatch"
    assert "'배출 품목 사진' 파일(소파.jpg)을 확인할 수 없습니다" in refused.value.message_ko
    assert not Application.objects.exists() and not Attachment.objects.exists()


def test_a_required_document_may_wait_for_the_counter_only_where_the_catalog_says(
    citizen: User,
) -> None:
    later = execute(
        SubmitApplication(
            actor=actor(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
            items=[ApplicationItem(type_code="FAMILY_CERT", later=["신분증"])],
        )
    ).value  # fmt: skip
    petition = Application.objects.get(receipt_number=later["receipt_number"]).items.get()
    assert {"name": "신분증", "source": "later"} in petition.documents
    with pytest.raises(ValidationFailed) as refused:
        execute(
            SubmitApplication(
                actor=actor(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
                items=[ApplicationItem(type_code="ROAD_OCCUPANCY", later=["점용 도면"])],
            )
        )  # fmt: skip
    assert refused.value.code == "document_not_later" and "점용 도면" in refused.value.message_ko


# --- reading through the petition's policy ----------------------------------------------------


def test_only_the_applicant_and_staff_in_scope_download(
    citizen: User, make_citizen: Callable[..., User], make_staff: Callable[..., User]
) -> None:
    data = samples.pdf("photo")
    ref = files.stage(upload("배출 목록 사진.pdf", data), document="배출 품목 사진")
    _submit(citizen, ref)
    attached = Attachment.objects.get()
    url = f"/petitions/attachments/{attached.pk}/"
    mine = logged_in(citizen).get(url)
    assert mine.status_code == 200 and mine.content == data
    assert mine["Content-Type"] == "application/pdf"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert mine["Cache-Control"] == "private, no-store"
    disposition = mine["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%EB%B0%B0%EC%B6%9C" in disposition  # RFC 5987, the Korean name

    officer = make_staff("officer", WONJU)
    before = AccessLog.objects.count()
    theirs = logged_in(officer).get(url)
    assert theirs.status_code == 200 and theirs.content == data
    assert AccessLog.objects.count() == before + 1

    absent = logged_in(citizen).get("/petitions/attachments/987654321/")
    for other in (make_citizen(name="남의민원"), make_staff("officer", JEONJU)):
        before = AccessLog.objects.count()
        refused = logged_in(other).get(url)
        assert refused.status_code == 404 == absent.status_code
        assert data not in refused.content and AccessLog.objects.count() == before
    assert Client().get(url).status_code == 302  # to the log-in page


# --- the pages ----------------------------------------------------------------------------


def test_apply_stages_files_at_review_and_attaches_them_on_filing(citizen: User) -> None:
    """Files are chosen on the 구비서류 screen, checked and staged when the citizen moves on,
    carried as references through 확인 and 수수료 결제 (and back), and attached on filing."""
    client = logged_in(citizen)
    form = {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "2"}
    form_page = client.post("/petitions/apply/", {**form, "step": "documents"}).content.decode()
    assert 'enctype="multipart/form-data"' in form_page
    assert 'type="file" id="file-LARGE_WASTE-1" name="attach:LARGE_WASTE:0"' in form_page
    photo = samples.jpeg()
    review = client.post("/petitions/apply/", {
        **form, "step": "review", "attach:LARGE_WASTE:0": upload("소파 사진.jpg", photo, "image/jpeg"),
    })  # fmt: skip
    page = review.content.decode()
    assert review.status_code == 200 and "소파 사진.jpg (1 KB)" in page
    assert not Application.objects.exists()
    found = re.findall(r'<input type="hidden" name="(staged:[^"]+)" value="([^"]+)"', page)
    hidden = {name: html.unescape(value) for name, value in found}
    assert list(hidden) == ["staged:LARGE_WASTE"]
    staged = json.loads(hidden["staged:LARGE_WASTE"])
    assert staged["sha256"] == hashlib.sha256(photo).hexdigest()

    back = client.post(
        "/petitions/apply/", {**form, "step": "documents", **hidden}
    ).content.decode()
    assert "올린 파일: <strong>소파 사진.jpg</strong>" in back  # kept when going back
    pay = client.post("/petitions/apply/", {**form, "step": "pay", **hidden}).content.decode()
    assert re.findall(r'<input type="hidden" name="(staged:[^"]+)"', pay) == ["staged:LARGE_WASTE"]
    order = re.findall(r'<input type="hidden" name="order" value="([^"]+)"', pay)
    filed = client.post("/petitions/apply/", {
        **form, **hidden, "order": order[0], "step": "submit",
        "card_number": "4111 1111 1111 1111", "card_expiry": "12/29",
    })  # fmt: skip
    assert filed.status_code == 302
    attached = Attachment.objects.get()
    assert attached.file_name == "소파 사진.jpg" and attached.kind == "application"
    detail = client.get(filed["Location"]).content.decode()
    assert f"/petitions/attachments/{attached.pk}/" in detail


def test_apply_refuses_a_bad_file_naming_the_document(citizen: User) -> None:
    client = logged_in(citizen)
    before = sorted(_stored())
    page = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "2",
        "step": "review", "attach:LARGE_WASTE:0": upload("사진.jpg", samples.html(), "image/jpeg"),
    })  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 400
    assert (
        "대형폐기물 배출 신고: &#x27;배출 품목 사진&#x27;에 올린 파일(사진.jpg)은 받을 수 없는 형식"
        in text
    )
    assert sorted(_stored()) == before and not Application.objects.exists()


def test_apply_names_a_required_document_without_a_file(citizen: User) -> None:
    client = logged_in(citizen)
    page = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["ROAD_OCCUPANCY"], "step": "review",
    })  # fmt: skip
    assert page.status_code == 400
    assert "도로점용허가: &#x27;점용 도면&#x27; 파일을 올리세요." in page.content.decode()
    promised = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["FAMILY_CERT"], "step": "review", "later:FAMILY_CERT": "신분증",
    })  # fmt: skip
    assert promised.status_code == 200 and "창구에서 나중에 제출" in promised.content.decode()


def test_the_upload_stops_reading_past_the_limit(citizen: User, settings: Any) -> None:
    settings.MINWON_ATTACHMENT_MAX_BYTES = 2048
    client = logged_in(citizen)
    page = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "2", "step": "review",
        "attach:LARGE_WASTE:0": upload("큰 사진.png", samples.png(200, 200) + b"\x00" * 4096),
    })  # fmt: skip
    assert page.status_code == 400
    assert "&#x27;배출 품목 사진&#x27; 파일이 너무 큽니다. 2 KB 이하" in page.content.decode()


def test_a_supplement_takes_files_with_the_same_checks(
    citizen: User, officer: User, apply: Callable[..., Any], act: Callable[..., Any]
) -> None:
    number = apply(ApplicationItem(type_code="GRIEVANCE", form={"content": "가로등"}))[
        "receipt_number"
    ]
    act(officer, "assign", number, department="민원여권과", officer_id=officer.pk)
    act(officer, "request-supplement", number, items_needed=["현장 사진"], reason="사진 필요",
        due_date=date(2026, 3, 20), when="2026-03-10T11:00")  # fmt: skip
    client = logged_in(citizen)
    url = f"/petitions/mine/{number}/1/supplement/"
    with clock.frozen_at(at("2026-03-12T10:00")):
        bad = client.post(url, {"note": "사진", "attach": upload("사진.png", samples.exe())})
        assert bad.status_code == 400 and "받을 수 없는 형식" in bad.content.decode()
        assert not Attachment.objects.exists()
        good = client.post(url, {
            "note": "사진 첨부",
            "attach": [upload("현장1.png", samples.png()), upload("현장2.hwpx", samples.hwpx())],
        })  # fmt: skip
    assert good.status_code == 302
    rows = list(Attachment.objects.order_by("id").values_list("file_name", "kind", "content_type"))
    assert rows == [("현장1.png", "supplement", "image/png"),
                    ("현장2.hwpx", "supplement", "application/hwp+zip")]  # fmt: skip
    staff = logged_in(officer).get(f"/staff/petitions/{number}/1/").content.decode()
    assert "현장1.png" in staff and "한글(HWPX) 문서" in staff
    assert Attachment.objects.first().sha256[:12] in staff  # type: ignore[union-attr]


def test_a_supplement_command_verifies_its_files(
    citizen: User, officer: User, apply: Callable[..., Any], act: Callable[..., Any]
) -> None:
    import dataclasses

    number = apply("GRIEVANCE")["receipt_number"]
    act(officer, "assign", number, department="민원여권과", officer_id=officer.pk)
    act(officer, "request-supplement", number, items_needed=["사진"], reason="사진",
        due_date=date(2026, 3, 20), when="2026-03-10T11:00")  # fmt: skip
    ref = files.stage(upload("a.pdf", samples.pdf()), document="보완 서류")
    with pytest.raises(ValidationFailed) as refused, clock.frozen_at(at("2026-03-12T10:00")):
        execute(
            SubmitSupplement(
                actor=actor(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
                receipt_number=number, item=1, attachments=[dataclasses.replace(ref, sha256="f" * 64)],
            )
        )  # fmt: skip
    assert refused.value.code == "attachment_mismatch"
    assert not Attachment.objects.exists()


def _stored() -> list[str]:
    where = files.storage()
    found = []
    for folder in where.listdir("petitions")[0] if where.exists("petitions") else []:
        found += where.listdir(f"petitions/{folder}")[1]
    return found


def test_an_attachment_row_cannot_be_rewritten_in_the_database(citizen: User) -> None:
    """Whatever code or SQL console tries: the recorded digest of a filed file stays."""
    from django.db import DatabaseError, connection, transaction

    _submit(citizen, files.stage(upload("소파.jpg", samples.jpeg()), document="배출 품목 사진"))
    row = Attachment.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE petitions_attachment SET sha256 = %s WHERE id = %s", ["0" * 64, row.pk]
        )
    assert Attachment.objects.get().sha256 == row.sha256
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM petitions_attachment WHERE id = %s", [row.pk])
        assert Attachment.objects.filter(pk=row.pk).exists()
