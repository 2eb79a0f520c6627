"""Read-only admin views of the room's tables: changes go through commands."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minwon.ops import models


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Incident)
class IncidentAdmin(ReadOnly):
    list_display = ("id", "title", "state", "level", "opened_at", "resolved_at")


@admin.register(models.Alert)
class AlertAdmin(ReadOnly):
    list_display = ("id", "rule", "severity", "message", "opened_at", "acknowledged_by")


@admin.register(models.ServicePlan)
class ServicePlanAdmin(ReadOnly):
    list_display = ("key", "name", "grade", "rto_minutes", "rpo_minutes", "last_drill_at")


@admin.register(models.EdgeNode)
class EdgeNodeAdmin(ReadOnly):
    list_display = ("edge_id", "office", "mode", "journal_length", "reported_at")
