"""자동취합 consolidation, opened back with openpyxl: one sheet per repeat group, the form
version and source columns, totals under numeric fields, values in full, the differences
against the previous round, and 100,000 answers across two form versions with none lost.

The answers are written with bulk inserts (100,000 commands would take the suite's time);
the export is the real code path, the one the download page calls."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from minwon.kernel import execute
from minwon.kernel.types import Channel
from minwon.portal import export
from minwon.portal.commands import CorrectAnswer, PublishFormVersion
from minwon.portal.models import Answer, Campaign, FormVersion, Recipient
from tests.portal.campaign_factories import (
    ANCHOR,
    DEFINITION,
    MUNMAK,
    SOCHO,
    WONJU,
    actor,
    answer,
    create,
)

pytestmark = pytest.mark.django_db

V2 = {"fields": [*DEFINITION["fields"], {"key": "staff", "label": "담당 인원", "type": "number",
                                        "unit": "명"}]}  # fmt: skip


def _book(campaign_id: int) -> Any:
    out = io.BytesIO()
    export.write_xlsx(Campaign.objects.get(pk=campaign_id), out)
    out.seek(0)
    return load_workbook(out, read_only=True)


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    """A sheet's rows, each as wide as the header (trailing empty cells are not stored)."""
    rows = list(sheet.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


def _publish(officer: Any, campaign_id: int) -> None:
    execute(
        PublishFormVersion(
            actor=actor(officer), channel=Channel.ONLINE, jurisdiction=WONJU,
            campaign_id=campaign_id, definition=V2,
        )
    )  # fmt: skip


def test_sheets_versions_sources_totals_and_differences(make_staff: Any) -> None:
    officer = make_staff("officer", WONJU)
    munmak, socho = make_staff("counter_clerk", MUNMAK), make_staff("counter_clerk", SOCHO)
    first = create(officer)
    long_note = "가" * 1800
    answer(munmak, first, MUNMAK, {"shelters": "3", "status": "양호"}, ANCHOR + timedelta(hours=1))
    later = ANCHOR + timedelta(days=90)
    second = create(officer, previous_campaign_id=first, opens_at=later,
                    deadline_at=later + timedelta(days=7))  # fmt: skip
    answer(munmak, second, MUNMAK,
           {"shelters": "5", "status": "양호", "note": long_note, "checked_on": "2026-06-01",
            "facilities": [{"name": "문막 지하", "capacity": "300"}, {"name": "문막 체육관", "capacity": "150.5"}]},
           later + timedelta(hours=1))  # fmt: skip
    _publish(officer, second)
    answer(socho, second, SOCHO, {"shelters": "2", "staff": "4"}, later + timedelta(hours=2))
    book = _book(second)
    assert book.sheetnames == ["응답", "시설 목록", "이전 회차 비교"]
    rows = _rows(book["응답"])
    header = rows[0]
    assert header[:9] == tuple(export.SOURCE_HEADERS)
    assert "대피시설 수 (곳)" in header and "담당 인원 (명)" in header
    by_office = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:-1]}
    assert by_office[MUNMAK]["양식 판"] == 1 and by_office[SOCHO]["양식 판"] == 2
    assert by_office[MUNMAK]["담당 인원 (명)"] is None and by_office[SOCHO]["담당 인원 (명)"] == 4
    assert by_office[MUNMAK]["비고"] == long_note  # no truncation
    assert by_office[MUNMAK]["입력 방식"].startswith("미리 채움")  # 점검 결과 kept from round 1
    assert by_office[SOCHO]["입력 방식"] == "직접 입력"
    assert by_office[MUNMAK]["작성자"] == munmak.username
    totals = dict(zip(header, rows[-1], strict=True))
    assert totals["수신처"] == "합계" and totals["대피시설 수 (곳)"] == 7 and totals["비고"] is None
    table = list(book["시설 목록"].iter_rows(values_only=True))
    assert [r[-2:] for r in table[1:]] == [
        ("문막 지하", 300),
        ("문막 체육관", 150.5),
        (None, 450.5),
    ]
    diffs = list(book["이전 회차 비교"].iter_rows(values_only=True))
    assert ("문막읍", MUNMAK, None, "대피시설 수", 3, 5, 2) in diffs
    # A correction: the export shows the newest version only, with its number.
    recipient = Recipient.objects.get(campaign_id=second, jurisdiction_id=SOCHO)
    execute(
        CorrectAnswer(
            actor=actor(socho), channel=Channel.ONLINE, jurisdiction=SOCHO, campaign_id=second,
            recipient_id=recipient.pk, data={"shelters": "6", "staff": "4"}, reason="오기",
            occurred_at=later + timedelta(hours=3),
        )
    )  # fmt: skip
    rows = _rows(_book(second)["응답"])
    socho_row = next(r for r in rows if r[1] == SOCHO)
    assert socho_row[4] == 2 and rows[-1][header.index("대피시설 수 (곳)")] == 11
    csv_text = "".join(export.csv_lines(Campaign.objects.get(pk=second)))
    assert csv_text.startswith("\ufeff수신처") and csv_text.strip().splitlines()[-1].startswith(
        "합계"
    )


def test_100000_answers_across_two_versions(make_staff: Any) -> None:
    officer = make_staff("officer", WONJU)
    campaign_id = create(officer, recipients=(MUNMAK,))
    _publish(officer, campaign_id)
    campaign = Campaign.objects.get(pk=campaign_id)
    v1, v2 = FormVersion.objects.filter(campaign=campaign).order_by("number")
    total = 100_000
    Recipient.objects.bulk_create(
        (Recipient(campaign=campaign, jurisdiction_id=SOCHO, department=f"부서{n:06d}")
         for n in range(total - 1)), batch_size=5000,
    )  # fmt: skip
    recipients = list(
        Recipient.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)
    )
    assert len(recipients) == total
    Answer.objects.bulk_create(
        (
            Answer(
                campaign=campaign, recipient_id=rid, number=1,
                form_version=v1 if n % 2 else v2, current=True, submitted_by_name="bulk",
                submitted_at=ANCHOR + timedelta(minutes=n % 600), command_id=uuid.uuid4(),
                data={"shelters": n, "note": f"메모 {n}", "facilities": [{"name": f"시설{n}", "capacity": 1}],
                      **({} if n % 2 else {"staff": 1})},
            )
            for n, rid in enumerate(recipients)
        ),
        batch_size=5000,
    )  # fmt: skip
    book = _book(campaign_id)
    sheet = book["응답"]
    header = None
    count = versions = 0
    shelters = staff = 0
    for cells in sheet.iter_rows(values_only=True):
        row = tuple(cells) + (None,) * (len(header or cells) - len(cells))
        if header is None:
            header = row
            i_shelters, i_staff, i_version = (header.index("대피시설 수 (곳)"),
                                             header.index("담당 인원 (명)"), header.index("양식 판"))  # fmt: skip
            continue
        if row[0] == "합계":
            totals = row
            continue
        count += 1
        versions += row[i_version] == 2
        shelters += row[i_shelters] or 0
        staff += row[i_staff] or 0
    assert count == total and versions == total // 2
    assert totals[i_shelters] == total * (total - 1) // 2 == shelters
    assert totals[i_staff] == total // 2 == staff
    table_rows = sum(1 for _ in book["시설 목록"].iter_rows(values_only=True))
    assert table_rows == total + 2  # header, one row per answer, totals
