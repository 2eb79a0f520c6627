"""Accounts in the admin: read-only; accounts and grants change through commands."""

from __future__ import annotations

from django.contrib import admin

from minwon.accounts.models import AgencyClient, KioskDevice, RoleGrant, User
from minwon.kernel.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "display_name", "kind", "office", "is_active", "last_login")
    list_filter = ("kind", "is_active")
    search_fields = ("username", "display_name")
    exclude = ("password", "identity_index")


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "jurisdiction", "department", "granted_at")
    list_filter = ("role",)


@admin.register(AgencyClient)
class AgencyClientAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "jurisdiction", "active", "created_at")
    exclude = ("key_hash",)


@admin.register(KioskDevice)
class KioskDeviceAdmin(ReadOnlyAdmin):
    list_display = ("device_id", "name", "office", "enrolled_at", "last_seen_at", "revoked_at")
    exclude = ("secret_hash", "handover_hash")
