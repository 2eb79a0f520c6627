"""Alert commands: rules an administrator tunes, alarms the evaluator fires and clears, and
the acknowledgement by name with a note that finally takes an alarm off the wall."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from django.core.mail import send_mail

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound
from minwon.kernel.registry import handler, receiver
from minwon.kernel.types import Command, Event
from minwon.ops.commands.common import choice, emails, number, text
from minwon.ops.models import Alert, AlertRule
from minwon.ops.permissions import OpsPermission

SEVERITIES = ("critical", "major", "minor")


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlertFired(Event):
    """A new alarm: the worker e-mails the rule's recipients (and anyone listening)."""

    alert_id: int
    rule_key: str
    severity: str
    message: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class InstallDefaultAlertRules(Command):
    """Create the built-in rules that do not exist yet (never overwrites an edited one)."""

    permission = OpsPermission.CONFIGURE


@handler(InstallDefaultAlertRules)
def install_default_alert_rules(cmd: InstallDefaultAlertRules, *, ctx: Context) -> dict[str, Any]:
    from minwon.ops.alerts import DEFAULT_RULES

    created = []
    for spec in DEFAULT_RULES:
        _, made = AlertRule.objects.get_or_create(
            key=spec["key"],
            defaults={**spec, "updated_by": str(ctx.actor), "updated_at": ctx.recorded_at},
        )
        if made:
            created.append(spec["key"])
    return {"created": created}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SetAlertRule(Command):
    """An administrator changes a rule's threshold, window, severity or recipients."""

    permission = OpsPermission.ALERT_RULES
    key: str
    threshold: float
    window_minutes: int
    min_volume: int = 0
    severity: str = "major"
    enabled: bool = True
    email_to: str = ""


@handler(SetAlertRule)
def set_alert_rule(cmd: SetAlertRule, *, ctx: Context) -> dict[str, Any]:
    from minwon.ops.alerts import KINDS

    rule = AlertRule.objects.select_for_update().filter(pk=cmd.key).first()
    if rule is None:
        raise NotFound("경보 규칙을 찾을 수 없습니다.", "Alert rule not found.", field="key")
    ratio = rule.kind in ("error_rate", "issuance_drop")
    rule.threshold = number(
        cmd.threshold, field="threshold", label="임계값", low=0, high=1 if ratio else 1e9
    )
    rule.window_minutes = int(
        number(cmd.window_minutes, field="window_minutes", label="구간(분)", low=1, high=1440)
    )
    rule.min_volume = int(
        number(cmd.min_volume, field="min_volume", label="최소 건수", low=0, high=1e9)
    )
    rule.severity = choice(cmd.severity, field="severity", label="심각도", allowed=SEVERITIES)
    rule.enabled = cmd.enabled
    rule.email_to = emails(cmd.email_to)
    rule.updated_by = str(ctx.actor)
    rule.updated_at = ctx.recorded_at
    rule.save()
    return {"key": rule.key, "kind": KINDS.get(rule.kind, rule.kind), "threshold": rule.threshold}


@dataclasses.dataclass(frozen=True, kw_only=True)
class FireAlert(Command):
    """A rule's condition holds. Opens an alarm unless one is open for the fingerprint;
    then it only counts the repeat (and re-arms it if it had cleared)."""

    permission = OpsPermission.FIRE_ALERTS
    rule_key: str
    fingerprint: str
    value: float
    message: str


@handler(FireAlert)
def fire_alert(cmd: FireAlert, *, ctx: Context) -> dict[str, Any]:
    rule = AlertRule.objects.filter(pk=cmd.rule_key).first()
    if rule is None:
        raise NotFound("경보 규칙을 찾을 수 없습니다.", "Alert rule not found.", field="rule_key")
    message = text(cmd.message, field="message", label="내용", max_length=300)
    open_alert = (
        Alert.objects.select_for_update()
        .filter(fingerprint=cmd.fingerprint, acknowledged_at__isnull=True)
        .first()
    )
    if open_alert is not None:
        Alert.objects.filter(pk=open_alert.pk).update(
            occurrences=open_alert.occurrences + 1,
            last_seen_at=ctx.recorded_at,
            value=cmd.value,
            message=message,
            cleared_at=None,
        )
        return {"alert_id": open_alert.pk, "deduplicated": True}
    alert = Alert.objects.create(
        rule=rule,
        fingerprint=cmd.fingerprint[:120],
        severity=rule.severity,
        message=message,
        value=cmd.value,
        opened_at=ctx.recorded_at,
        last_seen_at=ctx.recorded_at,
    )
    ctx.emit(
        AlertFired(alert_id=alert.pk, rule_key=rule.key, severity=rule.severity, message=message)
    )
    return {"alert_id": alert.pk, "deduplicated": False}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClearAlert(Command):
    """The condition went away. The alarm stays on the wall, marked cleared, until a
    person acknowledges it."""

    permission = OpsPermission.FIRE_ALERTS
    alert_id: int


@handler(ClearAlert)
def clear_alert(cmd: ClearAlert, *, ctx: Context) -> dict[str, Any]:
    updated = Alert.objects.filter(pk=cmd.alert_id, cleared_at__isnull=True).update(
        cleared_at=ctx.recorded_at
    )
    return {"alert_id": cmd.alert_id, "cleared": bool(updated)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class AcknowledgeAlert(Command):
    """확인: the operator on duty takes responsibility for an alarm, by name, with a note."""

    permission = OpsPermission.ACKNOWLEDGE
    alert_id: int
    name: str
    note: str


@handler(AcknowledgeAlert)
def acknowledge_alert(cmd: AcknowledgeAlert, *, ctx: Context) -> dict[str, Any]:
    name = text(cmd.name, field="name", label="확인자 이름", max_length=60)
    note = text(cmd.note, field="note", label="확인 메모", max_length=500)
    alert = Alert.objects.select_for_update().filter(pk=cmd.alert_id).first()
    if alert is None:
        raise NotFound("경보를 찾을 수 없습니다.", "Alert not found.", field="alert_id")
    if alert.acknowledged_at is not None:
        raise Conflict(
            f"이미 {alert.acknowledged_by}님이 확인한 경보입니다.",
            f"Already acknowledged by {alert.acknowledged_by}.",
            field="alert_id",
        )
    alert.acknowledged_at = ctx.recorded_at
    alert.acknowledged_by = (
        f"{name} ({ctx.actor.name})" if ctx.actor.name and ctx.actor.name != name else name
    )
    alert.ack_note = note
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note"])
    return {"alert_id": alert.pk, "acknowledged_by": alert.acknowledged_by}


def recipients(rule: AlertRule) -> list[str]:
    configured = rule.email_to or os.environ.get("MINWON_OPS_ALERT_EMAILS", "")
    return [e.strip() for e in configured.split(",") if e.strip()]


@receiver(AlertFired, name="ops.alert_email")
def email_alert(event: AlertFired, *, meta: Any) -> None:
    """E-mail a new alarm once: ``emailed_at`` marks it, so a redelivery does not resend."""
    alert = (
        Alert.objects.select_for_update().select_related("rule").filter(pk=event.alert_id).first()
    )
    if alert is None or alert.emailed_at is not None:
        return
    to = recipients(alert.rule)
    if to:
        body = f"{alert.message}\n\n규칙: {alert.rule.name} ({alert.rule.key})\n발생: {clock.local(alert.opened_at):%Y-%m-%d %H:%M:%S}\n상황실에서 확인(이름과 메모)하기 전까지 경보가 유지됩니다."
        send_mail(f"[minwon 상황실] [{alert.severity}] {alert.rule.name}", body, None, to)
    Alert.objects.filter(pk=alert.pk).update(emailed_at=clock.now())
