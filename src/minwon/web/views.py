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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from minwon.accounts.actors import actor_for_user
from minwon.accounts.commands import RecordSignIn, SignUpCitizen
from minwon.accounts.identity import verifier
from minwon.kernel import execute
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


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_password(data["password"])
            identity = verifier().verify(name=data["display_name"], rrn=data["rrn"])
            result = execute(
                SignUpCitizen(
                    actor=Actor.anonymous(),
                    channel=Channel.ONLINE,
                    jurisdiction=NATION,
                    username=data["username"],
                    display_name=identity.name,
                    password_hash=make_password(data["password"]),
                    email=data["email"],
                    sealed_rrn=identity.sealed_rrn,
                    identity_method=identity.method,
                )
            )
        except DjangoValidationError as exc:
            form.add_error("password", exc)
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message_ko)
        else:
            from minwon.accounts.models import User

            user = User.objects.get(pk=result.value["user_id"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "가입되었습니다.")
            return redirect("home")
    return render(
        request, "accounts/sign_up.html", {"form": form}, status=400 if form.errors else 200
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
