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


class StaffAccountForm(CommandForm):
    """A new staff account at an office the administrator manages, with its first role."""

    username = forms.CharField(
        label=_("아이디"), max_length=150,
        help_text=_("영문, 숫자, _.@+- 로 3~150자"),
        error_messages={"required": _("아이디를 입력하세요.")},
    )  # fmt: skip
    display_name = forms.CharField(
        label=_("이름"), max_length=60,
        error_messages={"required": _("이름을 입력하세요."),
                        "max_length": _("이름은 60자 이내로 입력하세요.")},
    )  # fmt: skip
    email = forms.EmailField(
        label=_("전자우편"), required=False,
        error_messages={"invalid": _("전자우편 주소 형식이 올바르지 않습니다.")},
    )  # fmt: skip
    password = forms.CharField(
        label=_("초기 비밀번호"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("초기 비밀번호를 입력하세요.")},
    )  # fmt: skip
    office = forms.ChoiceField(
        label=_("소속 기관"), error_messages={"invalid_choice": _("관리하는 기관을 고르세요."),
                                          "required": _("소속 기관을 고르세요.")},
    )  # fmt: skip
    role = forms.ChoiceField(
        label=_("직무"), required=False,
        error_messages={"invalid_choice": _("부여할 수 있는 직무를 고르세요.")},
    )  # fmt: skip

    def __init__(
        self, *args: Any, offices: list[tuple[str, str]], roles: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["office"].choices = offices  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("나중에 부여")), *roles]  # type: ignore[attr-defined]


class GrantForm(CommandForm):
    role = forms.ChoiceField(
        label=_("직무"), error_messages={"invalid_choice": _("부여할 수 있는 직무를 고르세요."),
                                       "required": _("직무를 고르세요.")},
    )  # fmt: skip
    jurisdiction = forms.ChoiceField(
        label=_("관할"), error_messages={"invalid_choice": _("관리하는 관할을 고르세요."),
                                       "required": _("관할을 고르세요.")},
    )  # fmt: skip
    department = forms.CharField(
        label=_("부서"), max_length=60, required=False,
        error_messages={"max_length": _("부서는 60자 이내로 입력하세요.")},
    )  # fmt: skip

    def __init__(
        self, *args: Any, offices: list[tuple[str, str]], roles: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["jurisdiction"].choices = offices  # type: ignore[attr-defined]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]


class RevokeForm(CommandForm):
    role = forms.CharField(widget=forms.HiddenInput)
    jurisdiction = forms.CharField(widget=forms.HiddenInput, max_length=10)


class AgencyKeyForm(CommandForm):
    """A new agency key: the agency, the jurisdiction it may act in, and its permissions."""

    name = forms.CharField(
        label=_("기관명"), max_length=100,
        error_messages={"required": _("기관명을 입력하세요."),
                        "max_length": _("기관명은 100자 이내로 입력하세요.")},
    )  # fmt: skip
    jurisdiction = forms.ChoiceField(
        label=_("이용 범위(관할)"),
        error_messages={"invalid_choice": _("관리하는 관할을 고르세요."),
                        "required": _("관할을 고르세요.")},
    )  # fmt: skip
    permissions = forms.MultipleChoiceField(
        label=_("허용 권한"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("허용할 권한을 하나 이상 고르세요."),
                        "invalid_choice": _("줄 수 있는 권한을 고르세요.")},
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        offices: list[tuple[str, str]],
        grantable: list[tuple[str, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["jurisdiction"].choices = offices  # type: ignore[attr-defined]
        self.fields["permissions"].choices = grantable  # type: ignore[attr-defined]


class KeyActionForm(CommandForm):
    """Rotate or revoke one key: only the command id travels; the key is in the URL."""


class CatalogVersionForm(CommandForm):
    """The settings of one petition type published as its next version."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    period = forms.CharField(
        label=_("처리기간"), max_length=10,
        help_text=_("즉시, 3h(시간), 7d(일), 2w(주), 1m(개월), 1y(년)"),
        error_messages={"required": _("처리기간을 입력하세요.")},
    )  # fmt: skip
    fee = forms.IntegerField(
        label=_("수수료(원)"), min_value=0,
        error_messages={"required": _("수수료를 입력하세요(없으면 0)."),
                        "invalid": _("수수료는 숫자(원)로 입력하세요."),
                        "min_value": _("수수료는 0원 이상으로 입력하세요.")},
    )  # fmt: skip
    fee_note = forms.CharField(label=_("수수료 안내"), max_length=200, required=False)
    approval_line = forms.MultipleChoiceField(
        label=_("결재선"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("department_head", _("부서장"))],
        help_text=_("고르지 않으면 담당자가 전결합니다."),
        error_messages={"invalid_choice": _("결재선에는 부서장만 둘 수 있습니다.")},
    )  # fmt: skip
    note = forms.CharField(
        label=_("변경 사유"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("변경 사유를 입력하세요."),
                        "max_length": _("변경 사유는 500자 이내로 입력하세요.")},
    )  # fmt: skip
