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
from django.utils.translation import gettext_lazy as _

from minwon.accounts import identity
from minwon.accounts.actors import actor_for_user
from minwon.accounts.commands import RecordSignIn, SignUpCitizen, _check_username
from minwon.kernel import execute, throttle
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Actor, Channel


def citizen_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/citizen_home.html")


class LoginForm(AuthenticationForm):
    """Django's log-in form with the labels Korean offices use (아이디, 비밀번호)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("아이디")
        self.fields["password"].label = _("비밀번호")


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


class SignUpForm(forms.Form):
    display_name = forms.CharField(label=_("이름"), max_length=60)
    rrn = forms.CharField(
        label=_("주민등록번호"),
        max_length=14,
        help_text=_("본인확인에만 쓰이며 암호화하여 보관합니다."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    username = forms.CharField(label=_("아이디"), max_length=150)
    email = forms.EmailField(label=_("전자우편"), required=False)
    password = forms.CharField(label=_("비밀번호"), widget=forms.PasswordInput, min_length=10)


SIGN_UP = "minwon_sign_up"


def sign_up(request: HttpRequest) -> HttpResponse:
    """회원가입 1: the account's details and the number to prove. The answer is the same for
    a number with an account, one without and one nobody holds: "a code was sent to the
    contact registered to this number" (``identity``)."""
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_password(data["password"])
            _check_username(data["username"])
            challenge = identity.start_checked(
                throttle.client_address(request), name=data["display_name"], rrn=data["rrn"]
            )
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
            }  # fmt: skip
            return redirect("sign-up-code")
    status = status if status != 200 else (400 if form.errors else 200)
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


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
            messages.success(request, "가입되었습니다.")
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
