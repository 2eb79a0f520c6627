"""The citizen home (the staff landing page is ``portal.views.home``), log-in with its audit record, and sign-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minwon.accounts import consent, identity
from minwon.accounts.actors import actor_for_user
from minwon.accounts.commands import RecordSignIn, SignUpCitizen, _check_username
from minwon.kernel import execute, throttle
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Actor, Channel


def citizen_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/citizen_home.html")


class LoginForm(AuthenticationForm):
    """Django's log-in form with the labels Korean offices use (아이디, 비밀번호) and
    messages in plain Korean."""

    error_messages = {
        "invalid_login": _(
            "아이디 또는 비밀번호가 맞지 않습니다. 대문자와 소문자를 구별하니 다시 확인하세요."
        ),
        "inactive": _("사용할 수 없는 계정입니다. 담당 부서에 문의하세요."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("아이디")
        self.fields["username"].error_messages["required"] = _("아이디를 입력하세요.")
        self.fields["password"].label = _("비밀번호")
        self.fields["password"].error_messages["required"] = _("비밀번호를 입력하세요.")


class MinwonLoginView(LoginView):
    """Django's log-in (throttled by django-axes) that also records the log-in as a command."""

    template_name = "registration/login.html"
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        execute(
            RecordSignIn(
                actor=actor_for_user(user),
                channel=Channel.ONLINE,
                jurisdiction=user.office_id or NATION,
                method="password",
            )
        )
        if getattr(user, "kind", "") == "staff" and not self.request.POST.get("next"):
            return redirect("staff-home")
        return response


def _required(message: str | Promise) -> dict[str, Any]:
    return {"required": message}


class SignUpForm(forms.Form):
    """회원가입: who the person is (checked by the identity verifier), the account, and
    the two agreements whose versions ``SignUpCitizen`` records."""

    display_name = forms.CharField(
        label=_("이름"), max_length=60, error_messages=_required(_("이름을 입력하세요."))
    )
    rrn = forms.CharField(
        label=_("주민등록번호"),
        max_length=14,
        help_text=_("본인확인에만 쓰이며 암호화하여 보관합니다."),
        # Masked as typed and never written back into the page after a refusal.
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={
            "required": _("주민등록번호를 입력하세요."),
            "max_length": _("주민등록번호는 13자리 숫자입니다 (900101-1234567)."),
        },
    )
    username = forms.CharField(
        label=_("아이디"),
        max_length=150,
        help_text=_("로그인할 때 씁니다. 영문 소문자와 숫자로 만드세요."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages=_required(_("아이디를 입력하세요.")),
    )
    email = forms.EmailField(
        label=_("전자우편"),
        required=False,
        help_text=_("민원 처리 결과와 고지서 안내를 받을 주소입니다(선택)."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("전자우편 주소를 name@example.kr 처럼 입력하세요.")},
    )
    password = forms.CharField(
        label=_("비밀번호"),
        min_length=10,
        help_text=_("10자 이상으로, 영문·숫자·기호를 섞고 이름이나 아이디와 다르게 만드세요."),
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-password-strength": "password-strength"}
        ),
        error_messages={
            "required": _("비밀번호를 입력하세요."),
            "min_length": _("비밀번호는 10자 이상이어야 합니다."),
        },
    )
    password_confirm = forms.CharField(
        label=_("비밀번호 확인"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=_required(_("확인을 위해 비밀번호를 한 번 더 입력하세요.")),
    )
    agree_terms = forms.BooleanField(
        label=_("이용약관에 동의합니다."),
        error_messages=_required(_("이용약관에 동의해야 가입할 수 있습니다.")),
    )
    agree_privacy = forms.BooleanField(
        label=_("개인정보 수집·이용에 동의합니다."),
        error_messages=_required(_("개인정보 수집·이용에 동의해야 가입할 수 있습니다.")),
    )
    terms_version = forms.CharField(widget=forms.HiddenInput, required=False)
    privacy_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        confirm = data.get("password_confirm")
        if data.get("password") and confirm is not None and data["password"] != confirm:
            self.add_error("password_confirm", _("두 비밀번호가 서로 다릅니다. 같게 입력하세요."))
        return data


#: Django's password checks, said plainly.
PASSWORD_PROBLEMS = {
    "password_too_short": _("비밀번호는 10자 이상이어야 합니다."),
    "password_too_common": _("너무 흔한 비밀번호입니다. 남이 짐작하기 어렵게 바꾸세요."),
    "password_entirely_numeric": _("숫자만으로는 만들 수 없습니다. 영문자나 기호를 섞으세요."),
    "password_too_similar": _("이름, 아이디나 전자우편과 비슷합니다. 다르게 만드세요."),
}


def _password_problems(password: str, data: dict[str, Any]) -> list[str]:
    from minwon.accounts.models import User

    probe = User(username=data.get("username", ""), email=data.get("email", ""))
    probe.first_name = data.get("display_name", "")
    try:
        validate_password(password, user=probe)
    except DjangoValidationError as exc:
        return [str(PASSWORD_PROBLEMS.get(e.code or "", e.messages[0])) for e in exc.error_list]
    return []


SIGN_UP = "minwon_sign_up"


def sign_up(request: HttpRequest) -> HttpResponse:
    """회원가입 1: the account's details and the number to prove. The answer is the same for
    a number with an account, one without and one nobody holds: "a code was sent to the
    contact registered to this number" (``identity``)."""
    form = SignUpForm(request.POST or None, initial=consent.current_versions_initial())
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problems = _password_problems(data["password"], data)
        for problem in problems:
            form.add_error("password", problem)
        try:
            if problems:
                raise _Refused
            validate_password(data["password"])
            _check_username(data["username"])
            consent.check_versions(
                terms_version=data["terms_version"], privacy_version=data["privacy_version"]
            )
            challenge = identity.start_checked(
                throttle.client_address(request), name=data["display_name"], rrn=data["rrn"]
            )
        except _Refused:
            pass
        except DjangoValidationError as exc:
            form.add_error("password", exc)
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message_ko)
            status = exc.status
        else:
            request.session[SIGN_UP] = {
                "challenge": challenge.as_dict(), "username": data["username"],
                "email": data["email"], "password_hash": make_password(data["password"]),
                # The versions on the page the person ticked (today's if absent).
                "terms_version": data["terms_version"] or consent.TERMS.version,
                "privacy_version": data["privacy_version"] or consent.PRIVACY.version,
            }  # fmt: skip
            return redirect("sign-up-code")
    status = status if status != 200 else (400 if form.errors else 200)
    context = {"form": form, "terms": consent.TERMS, "privacy": consent.PRIVACY}
    return render(request, "accounts/sign_up.html", context, status=status)


class _Refused(Exception):
    """The form already says what is wrong."""


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("인증번호"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def sign_up_code(request: HttpRequest) -> HttpResponse:
    """회원가입 2: the one-time code from the registered contact, then the account."""
    pending = request.session.get(SIGN_UP)
    if not pending:
        return redirect("sign-up")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        challenge = identity.Challenge.from_dict(pending["challenge"])
        try:
            who = identity.complete_checked(
                throttle.client_address(request), challenge, code=form.cleaned_data["code"]
            )
            result = execute(
                SignUpCitizen(
                    actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
                    username=pending["username"], display_name=who.name,
                    password_hash=pending["password_hash"], email=pending["email"],
                    sealed_rrn=who.sealed_rrn, identity_method=who.method,
                    identity_assurance=who.assurance.value,
                    terms_version=pending.get("terms_version", ""),
                    privacy_version=pending.get("privacy_version", ""),
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error("code" if exc.field in ("code", None) else None, exc.message_ko)
            status = exc.status
        else:
            from minwon.accounts.models import User

            request.session.pop(SIGN_UP, None)
            user = User.objects.get(pk=result.value["user_id"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("회원가입을 마쳤습니다. 이제 민원을 신청할 수 있습니다."))
            return redirect("home")
    return render(
        request, "accounts/sign_up_code.html",
        {"form": form, "demo_mail": identity.demo_mode()},
        status=status if status != 200 else (400 if form.errors else 200),
    )  # fmt: skip


def demo_mail(request: HttpRequest) -> HttpResponse:
    """데모 메일함: the demo's outgoing mail (the mail file backend's files), so the demo user
    can read a one-time code. Only with the demo verifier outside production: 404 otherwise."""
    from django.conf import settings

    if not identity.demo_mode() or "filebased" not in settings.EMAIL_BACKEND:
        raise Http404
    return render(request, "accounts/demo_mail.html", {"messages_": identity.demo_mail()})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
