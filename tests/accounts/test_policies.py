"""The shared policy blocks: a personal queryset logs exactly the rows it shows, however
they are read, and nothing when it only counts."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.kernel.models import AccessLog
from minwon.registry import policies
from tests.conftest import actor_of
from tests.registry.factories import SINGWAN, register

pytestmark = pytest.mark.django_db


def _rows(actor: Any) -> list[tuple[str, str, str]]:
    return list(
        AccessLog.objects.filter(actor=str(actor))
        .order_by("id")
        .values_list("subject_id", "what", "purpose")
    )


def test_personal_queryset_logs_each_row_it_shows(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    first, second = register("가나"), register("다라")
    register("공주사람", code=SINGWAN, address="충청남도 공주시 신관로 10")
    clerk = actor_of(make_staff("counter_clerk"))
    qs = policies.visible(clerk, purpose="상담", label="search")
    assert qs.count() == 2 and qs.filter(pk=first.pk).exists()
    assert _rows(clerk) == []
    assert {p.pk for p in qs.filter(name__in=["가나", "다라", "공주사람"])} == {first.pk, second.pk}
    assert sorted(_rows(clerk)) == sorted(
        [(str(first.pk), "search", "상담"), (str(second.pk), "search", "상담")]
    )
    before = len(_rows(clerk))
    names = list(qs.filter(pk=second.pk).values_list("name", flat=True))
    assert names == ["다라"]
    assert _rows(clerk)[before:] == [(str(second.pk), "search", "상담")]
    before = len(_rows(clerk))
    assert [p.pk for p in qs.filter(pk=first.pk).iterator()] == [first.pk]
    assert _rows(clerk)[before:] == [(str(first.pk), "search", "상담")]


def test_keyed_rows_name_the_record_and_its_subject(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    from minwon.tax import policies as tax
    from tests.registry.factories import tax_bill

    owner = register("납세자")
    bill = tax_bill(owner)
    clerk = actor_of(make_staff("counter_clerk"))
    assert [b.pk for b in tax.bills_of(clerk, owner.pk, purpose="")] == [bill]
    assert _rows(clerk) == [(str(owner.pk), f"tax_bill:{bill}", "지방세 조회")]
    auditor = actor_of(make_staff("auditor"))
    assert tax.bills_of(auditor, owner.pk, purpose="감사") == []
    assert _rows(auditor) == []
