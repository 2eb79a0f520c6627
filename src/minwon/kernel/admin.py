"""Read-only admin views of the kernel's tables: the admin never bypasses commands."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minwon.kernel.models import (
    AccessLog,
    AuditRecord,
    CommandRecord,
    DeclaredHoliday,
    Jurisdiction,
    OutboxDelivery,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReadOnlyAdmin):
    list_display = ("code", "full_name", "level", "valid_from", "valid_to", "successor")
    list_filter = ("level",)
    search_fields = ("code", "full_name")


@admin.register(CommandRecord)
class CommandRecordAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "name", "actor", "channel", "jurisdiction", "occurred_at")
    list_filter = ("name", "channel")
    exclude = ("payload",)


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "name", "actor", "recorded_at", "hash")
    list_filter = ("chain",)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "subject_type", "subject_id", "what", "purpose")
    search_fields = ("actor", "subject_id")


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "receiver", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "receiver")


@admin.register(DeclaredHoliday)
class DeclaredHolidayAdmin(ReadOnlyAdmin):
    list_display = ("date", "name", "declared_by", "declared_at")
