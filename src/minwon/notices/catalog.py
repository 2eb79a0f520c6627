"""Notice types (고지 종류) and their versioned templates.

A template is text with named fields and the legal deadline the notice starts (납부기한,
교육일, 의견제출기한, 이의신청기한). Templates are versioned like GOV.UK Notify's: a notice
records the code and version it was rendered from and keeps the rendered text, so a
wording change never rewrites what a citizen was sent.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from django.db import models

from minwon.kernel.errors import ValidationFailed


class NoticeKind(models.TextChoices):
    TAX_BILL = "tax_bill", "지방세 고지서"
    CIVIL_DEFENCE = "civil_defence", "민방위 교육 통지"
    FINE_PRE_NOTICE = "fine_pre_notice", "과태료 사전통지"
    PETITION_RESULT = "petition_result", "민원 결과 통지"


@dataclasses.dataclass(frozen=True)
class Template:
    """One version of one notice type's wording and the deadline it starts."""

    kind: str
    version: int
    subject: str
    body: str
    deadline_label: str
    legal_basis: str
    #: The deadline in days from issue when the law fixes it; ``None``: it comes with the
    #: notice's data (a bill's 납기, the education date).
    deadline_days: int | None = None

    def render(self, fields: dict[str, Any]) -> tuple[str, str]:
        try:
            return self.subject.format(**fields), self.body.format(**fields)
        except (KeyError, IndexError) as exc:
            raise ValidationFailed(
                f"고지서 양식에 필요한 항목이 없습니다: {exc}",
                f"The template needs a field that is missing: {exc}",
                field="template",
            ) from None

    def deadline(self, issued_on: date, given: date | None) -> date:
        if self.deadline_days is not None:
            return issued_on + timedelta(days=self.deadline_days)
        if given is None:
            raise ValidationFailed(
                f"{self.deadline_label}을(를) 입력하세요.",
                f"Enter the deadline ({self.deadline_label}).",
                field="deadline_on",
            )
        return given


_T = Template
TEMPLATES: dict[tuple[str, int], Template] = {
    (t.kind, t.version): t
    for t in (
        _T(NoticeKind.TAX_BILL, 1,
           "[{office}] {period} {item} 고지서",
           "{name} 님, {period} {item} {amount:,}원이 부과되었습니다. 납부기한까지 납부하여 "
           "주십시오. 전자납부번호 {number}.",
           "납부기한", "지방세기본법 제60조, 지방세징수법 제12조"),
        _T(NoticeKind.TAX_BILL, 2,
           "[{office}] {period} {item} 전자고지서",
           "{name} 님께 {period} {item} {amount:,}원을 고지합니다.\n전자납부번호: {number}\n"
           "납부기한이 지나면 납부지연가산세가 붙습니다. 위택스나 은행 앱에서 낼 수 있습니다.",
           "납부기한", "지방세기본법 제60조, 지방세징수법 제12조"),
        _T(NoticeKind.CIVIL_DEFENCE, 1,
           "[{office}] 민방위 교육 통지",
           "{name} 님, {year}년 민방위 교육에 소집되었습니다. 교육일에 신분증을 지참하고 "
           "{place}(으)로 오십시오.",
           "교육일", "민방위기본법 제24조, 제25조"),
        _T(NoticeKind.FINE_PRE_NOTICE, 1,
           "[{office}] 과태료 부과 사전통지",
           "{name} 님, {reason}에 대하여 과태료 {amount:,}원을 부과하려 합니다. 의견이 "
           "있으면 의견제출기한까지 제출하십시오. 기한 안에 자진 납부하면 감경됩니다.",
           "의견제출기한", "질서위반행위규제법 제16조", deadline_days=10),
        _T(NoticeKind.PETITION_RESULT, 1,
           "[{office}] 민원 처리 결과 통지",
           "{name} 님이 신청하신 {petition} 민원의 처리 결과를 알려 드립니다: {outcome}. "
           "결과에 이의가 있으면 이의신청기한까지 신청할 수 있습니다.",
           "이의신청기한", "민원 처리에 관한 법률 제27조, 제35조", deadline_days=90),
    )
}  # fmt: skip


def latest(kind: str) -> Template:
    versions = [t for (k, _v), t in TEMPLATES.items() if k == kind]
    if not versions:
        raise ValidationFailed("알 수 없는 고지 종류입니다.", "Unknown notice type.", field="kind")
    return max(versions, key=lambda t: t.version)


def template(kind: str, version: int | None) -> Template:
    if version is None:
        return latest(kind)
    found = TEMPLATES.get((kind, version))
    if found is None:
        raise ValidationFailed(
            "해당 고지서 양식 버전이 없습니다.",
            "No such template version.",
            field="template_version",
        )
    return found
