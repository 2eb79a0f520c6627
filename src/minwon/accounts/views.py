"""Pages of the kiosk register: the administrator's screen (``/staff/kiosks/``: enrol,
list, rotate, revoke the devices of their jurisdiction) and, on the kiosk itself, the
hand-over page (``/kiosk/enrol/``) and the heartbeat the kiosk's script polls.

A hand-over code is shown once, in the answer to the POST that made it (never stored in
the session, a message or a URL); the store keeps its digest only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from minwon.accounts import kiosks, policies
from minwon.accounts.actors import actor_for_request
from minwon.accounts.commands import (
    EnrollKioskDevice,
    HandOverKioskDevice,
    RevokeKioskDevice,
    RotateKioskKey,
)
from minwon.accounts.models import KioskDevice
from minwon.accounts.roles import AccountsPermission
from minwon.kernel import execute, throttle
from minwon.kernel.errors import DomainError
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import NATION, Actor, Channel

OFFICE_LEVELS = ("sigungu", "gu", "eupmyeondong")
MAX_OFFICES = 400

HANDOVER = throttle.Rule(
    "kiosk_handover", (10, 600),
    "등록 코드를 너무 많이 입력했습니다. 10분 뒤에 다시 시도하세요.",
    "Too many hand-over codes from here; try again in 10 minutes.", field="code",
)  # fmt: skip


# --- on the kiosk --------------------------------------------------------------------------


class HandOverForm(forms.Form):
    code = forms.CharField(
        label="등록 코드", max_length=40,
        help_text="관리자 화면(무인민원발급기 관리)에 한 번 표시된 20자리 코드입니다.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def kiosk_enrol(request: HttpRequest) -> HttpResponse:
    """설치: the administrator, standing at the kiosk, types the hand-over code; the kiosk
    browser receives the device secret in its cookie and shows the kiosk's start screen."""
    form = HandOverForm(request.POST or None, initial={"code": request.GET.get("code", "")[:40]})
    if request.method == "POST" and form.is_valid():
        code = kiosks.normal_code(form.cleaned_data["code"])
        device = kiosks.device_for_handover(code)
        secret = kiosks.new_secret()
        try:
            throttle.take((HANDOVER, f"ip:{throttle.client_address(request)}"))
            execute(
                HandOverKioskDevice(
                    actor=Actor.anonymous(), channel=Channel.KIOSK,
                    jurisdiction=device.office_id if device else NATION,
                    handover_hash=kiosks.digest(code or "-"), secret_hash=kiosks.digest(secret),
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error("code", exc.message_ko)
            return render(request, "kiosk/enrol.html", _enrol_context(form), status=exc.status)
        assert device is not None  # the command found it
        response = render(request, "kiosk/enrolled.html", {"device": device})
        kiosks.set_cookie(response, device.device_id, secret)
        return response
    status = 400 if form.errors else 200
    return render(request, "kiosk/enrol.html", _enrol_context(form), status=status)


def _enrol_context(form: HandOverForm) -> dict[str, Any]:
    return {"form": form, "kiosk_reset_url": reverse("kiosk-enrol"), "kiosk_idle_seconds": 600}


@require_GET
def kiosk_heartbeat(request: HttpRequest) -> HttpResponse:
    """Polled by ``kiosk.js``; the gate in front of it already recorded the call."""
    kiosks.device_of(request)
    return HttpResponse(status=204)


# --- the administrator's screen --------------------------------------------------------------


def _offices(request: HttpRequest) -> list[tuple[str, str]]:
    """The offices a kiosk may be bound to: the 시·군·구 (and 구) in the administrator's
    scope, and their 읍·면·동 when the scope is small enough for one list."""
    actor = actor_for_request(request)
    rows = policies.within(Jurisdiction.objects.all(), actor, AccountsPermission.KIOSKS)
    rows = rows.filter(valid_to__isnull=True).order_by("path")
    levels: tuple[str, ...] = OFFICE_LEVELS
    if rows.filter(level__in=OFFICE_LEVELS).count() > MAX_OFFICES:
        levels = ("sigungu", "gu")
    return list(rows.filter(level__in=levels).values_list("code", "full_name"))


class EnrolForm(forms.Form):
    name = forms.CharField(
        label="설치 위치", max_length=100, help_text="예: 원주시청 1층 민원실 1번"
    )
    office = forms.ChoiceField(label="설치 기관")

    def __init__(self, *args: Any, offices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = offices


class RevokeForm(forms.Form):
    reason = forms.CharField(label="해지 사유", max_length=200, required=False)


def _manager(request: HttpRequest) -> None:
    policies.require_anywhere(actor_for_request(request), AccountsPermission.KIOSKS)


def _handover(code: str, device: KioskDevice, request: HttpRequest) -> dict[str, Any]:
    return {
        "code": code,
        "url": request.build_absolute_uri(reverse("kiosk-enrol")),
        "device": device,
        "expires_at": kiosks.handover_expiry(seconds=kiosks.handover_seconds()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def staff_kiosks(request: HttpRequest) -> HttpResponse:
    """무인민원발급기 관리: the devices of the administrator's jurisdiction and enrolment."""
    _manager(request)
    actor = actor_for_request(request)
    offices = _offices(request)
    initial = {"office": getattr(request.user, "office_id", "")}
    form = EnrolForm(request.POST or None, initial=initial, offices=offices)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        code = kiosks.normal_code(kiosks.new_handover_code())
        try:
            result = execute(
                EnrollKioskDevice(
                    actor=actor, channel=Channel.ONLINE, jurisdiction=form.cleaned_data["office"],
                    device_id=kiosks.new_device_id(), name=form.cleaned_data["name"],
                    handover_hash=kiosks.digest(code), handover_expires_at=kiosks.handover_expiry(),
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_ko)
        else:
            device = KioskDevice.objects.get(device_id=result.value["device_id"])
            context["handover"] = _handover(code, device, request)
            context["form"] = EnrolForm(initial=form.cleaned_data, offices=offices)
    context["devices"] = kiosks.devices_seen(policies.kiosk_devices(actor))
    return render(request, "accounts/kiosks.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def staff_kiosk(request: HttpRequest, device_id: str) -> HttpResponse:
    """One device: its state, a new hand-over code (교체), 해지."""
    actor = actor_for_request(request)
    device = policies.kiosk_device(actor, device_id)
    form = RevokeForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rotate":
                code = kiosks.normal_code(kiosks.new_handover_code())
                execute(
                    RotateKioskKey(
                        actor=actor, channel=Channel.ONLINE, jurisdiction=device.office_id,
                        device_id=device.device_id, handover_hash=kiosks.digest(code),
                        handover_expires_at=kiosks.handover_expiry(),
                    )
                )  # fmt: skip
                context["handover"] = _handover(code, device, request)
            elif action == "revoke" and form.is_valid():
                execute(
                    RevokeKioskDevice(
                        actor=actor, channel=Channel.ONLINE, jurisdiction=device.office_id,
                        device_id=device.device_id, reason=form.cleaned_data["reason"],
                    )
                )  # fmt: skip
                context["revoked"] = True
            elif not form.errors:
                form.add_error(None, "할 일을 고르세요 (새 등록 코드 또는 해지).")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_ko)
        device.refresh_from_db()
    context["row"] = kiosks.devices_seen([device])[0]
    return render(request, "accounts/kiosk.html", context, status=400 if form.errors else 200)
