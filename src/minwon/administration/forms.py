"""The administration screens' forms. Each field carries the Korean label a person uses and
an error message naming it; the rules that depend on current state stay in the commands."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def _idempotency(form: forms.Form) -> None:
    """A hidden command id drawn when the form is shown: submitting it twice (a double
    click, a reload) replays the first result instead of acting twice."""
    form.fields["command_id"].initial = str(uuid.uuid4())


class CommandForm(forms.Form):
    command_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"invalid": _("요청 번호가 올바르지 않습니다. 화면을 새로 고치세요.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            _idempotency(self)


class HolidayForm(CommandForm):
    day = forms.DateField(
        label=_("지정일"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("지정일을 입력하세요."),
            "invalid": _("지정일을 YYYY-MM-DD 형식으로 입력하세요."),
        },
    )
    name = forms.CharField(
        label=_("공휴일 이름"),
        max_length=60,
        help_text=_("예: 임시공휴일, 제9회 전국동시지방선거일"),
        error_messages={
            "required": _("공휴일 이름을 입력하세요."),
            "max_length": _("공휴일 이름은 60자 이내로 입력하세요."),
        },
    )


class WithdrawHolidayForm(CommandForm):
    day = forms.DateField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("취소할 지정일이 없습니다."),
            "invalid": _("취소할 지정일이 올바르지 않습니다."),
        },
    )
