"""The consent form (online and at the counter) and the message-log search form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minwon.kernel import clock

from . import catalog


def consent_choices() -> list[tuple[str, str]]:
    return [(f"{i.code}:{p.code}", f"{i.name} — {p.name}") for i, p in catalog.consent_items()]


def agency_choices() -> list[tuple[str, str]]:
    from minwon.accounts.models import AgencyClient

    return [
        (str(pk), name)
        for pk, name in AgencyClient.objects.filter(active=True)
        .order_by("name")
        .values_list("pk", "name")
    ]


class ConsentForm(forms.Form):
    recipient_id = forms.ChoiceField(label=_("정보를 이용할 기관"))
    scope = forms.ChoiceField(label=_("정보와 이용 목적"))
    valid_until = forms.DateField(
        label=_("동의 기한"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_id"].choices = agency_choices()  # type: ignore[attr-defined]
        self.fields["scope"].choices = consent_choices()  # type: ignore[attr-defined]
        self.fields["valid_until"].initial = clock.now().date() + timedelta(days=365)

    def item_and_purpose(self) -> tuple[str, str]:
        item, _, purpose = self.cleaned_data["scope"].partition(":")
        return item, purpose


class CounterConsentForm(ConsentForm):
    rrn = forms.CharField(
        label=_("정보주체 주민등록번호"),
        max_length=14,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    field_order = ["rrn", "recipient_id", "scope", "valid_until"]


class MessageSearchForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("결과"), required=False,
        choices=[("", _("전체")), ("answered", _("제공")), ("denied", _("거부"))],
    )  # fmt: skip
    requester = forms.CharField(label=_("요청 기관"), max_length=60, required=False)
    item = forms.ChoiceField(label=_("정보"), required=False)
    case_reference = forms.CharField(label=_("사건 번호"), max_length=60, required=False)
    denial_code = forms.CharField(label=_("거부 사유 코드"), max_length=40, required=False)
    since = forms.DateField(
        label=_("시작일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("종료일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("전체"))] + [  # type: ignore[attr-defined]
            (i.code, i.name) for i in catalog.items().values()
        ]
