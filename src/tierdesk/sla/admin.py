"""Admin screens: calendars with closures, policies with targets, settings, rotations
with members and overrides. Clocks, escalations and events are read-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.sla import models


class ClosureInline(admin.TabularInline[models.CalendarClosure, models.BusinessCalendar]):
    model = models.CalendarClosure
    extra = 0


@admin.register(models.BusinessCalendar)
class CalendarAdmin(admin.ModelAdmin[models.BusinessCalendar]):
    list_display = ["name", "code", "time_zone", "always_open", "country"]
    inlines = [ClosureInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.version += int(change)
        super().save_model(request, obj, form, change)


class TargetInline(admin.TabularInline[models.SlaTarget, models.SlaPolicy]):
    model = models.SlaTarget
    extra = 0


@admin.register(models.SlaPolicy)
class PolicyAdmin(admin.ModelAdmin[models.SlaPolicy]):
    list_display = ["name", "kind", "tier", "priority", "level", "position", "is_active"]
    list_filter = ["kind", "tier", "priority", "is_active"]
    inlines = [TargetInline]


@admin.register(models.SlaSettings)
class SettingsAdmin(admin.ModelAdmin[models.SlaSettings]):
    pass


class MemberInline(admin.TabularInline[models.RotationMember, models.OnCallRotation]):
    model = models.RotationMember
    extra = 0


class OverrideInline(admin.TabularInline[models.OnCallOverride, models.OnCallRotation]):
    model = models.OnCallOverride
    fk_name = "rotation"
    extra = 0
    fields = ["kind", "user", "replaces", "starts_at", "ends_at", "reason"]


@admin.register(models.OnCallRotation)
class RotationAdmin(admin.ModelAdmin[models.OnCallRotation]):
    list_display = ["name", "team", "shift_hours", "handoff_time", "time_zone", "is_active"]
    inlines = [MemberInline, OverrideInline]


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.SlaClock)
class ClockAdmin(ReadOnly):
    list_display = ["ticket", "kind", "metric", "stage", "due_at", "breached"]
    list_filter = ["kind", "metric", "stage", "breached"]
    raw_id_fields = ["ticket"]


@admin.register(models.EscalationRun)
class EscalationAdmin(ReadOnly):
    list_display = ["ticket", "state", "step", "started_at", "next_check_at"]
    raw_id_fields = ["ticket"]
