from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.accounts.models import User
from tierdesk.governance import services
from tierdesk.governance.models import (
    Exemption,
    Finding,
    GraduationRequest,
    OnboardingContent,
    ScanSettings,
    Signal,
    TierPolicy,
)


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin[TierPolicy]):
    """Saving never edits a version in place: it publishes a new one."""

    list_display = ["version", "note", "created_at", "created_by"]
    fields = ["body", "note"]

    def save_model(self, request: HttpRequest, obj: TierPolicy, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        published = services.policy_publish(body=obj.body, note=obj.note, actor=request.user)
        obj.pk, obj.version = published.pk, published.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScanSettings)
class ScanSettingsAdmin(admin.ModelAdmin[ScanSettings]):
    list_display = ["__str__", "shared_users", "launches_30d", "inactive_days", "digest_period"]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin[Exemption]):
    list_display = ["__str__", "environment", "solution", "expires_at"]
    raw_id_fields = ["solution"]


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin[Signal]):
    list_display = ["solution", "code", "status", "first_seen", "last_seen"]
    list_filter = ["code", "status"]
    raw_id_fields = ["solution", "acknowledged_by"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin[Finding]):
    list_display = ["solution", "code", "severity", "status", "first_seen"]
    list_filter = ["code", "status", "severity"]
    raw_id_fields = ["solution", "waived_by"]


@admin.register(GraduationRequest)
class GraduationRequestAdmin(admin.ModelAdmin[GraduationRequest]):
    list_display = ["solution", "target_tier", "status", "created_at"]
    list_filter = ["status", "target_tier"]
    raw_id_fields = ["solution", "signal"]


admin.site.register(OnboardingContent)
