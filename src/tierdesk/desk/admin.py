"""Admin screens for what the desk lets an organisation configure: desk settings, the
priority matrix, the help-desk scope, escalation paths, the request catalog and team
channels. Tickets, their timeline and vendor cases are read-only here: every change to a
ticket goes through the services (version, timeline event, notifications)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.accounts.selectors import request_user
from tierdesk.desk import services
from tierdesk.desk.mailbox_models import MailboxMessage
from tierdesk.desk.models import (
    CannedResponse,
    DeskSettings,
    DeskTeamChannel,
    EscalationPath,
    EscalationStep,
    HelpDeskScope,
    PriorityRule,
    RequestType,
    Ticket,
    TicketEvent,
    VendorCase,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """View only: no add, change or delete from the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin[DeskSettings]):
    """One row (pk=1): it can be edited, not added twice or deleted."""

    list_display = (
        "__str__",
        "allow_anonymous_embed",
        "embed_rate_limit",
        "embed_min_fill_seconds",
        "max_attachment_mb",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not DeskSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin[PriorityRule]):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_filter = ("impact", "urgency", "priority")
    ordering = ("impact", "urgency")


@admin.register(HelpDeskScope)
class HelpDeskScopeAdmin(admin.ModelAdmin[HelpDeskScope]):
    list_display = ("topic", "action")
    list_editable = ("action",)
    list_filter = ("action",)


class EscalationStepInline(admin.TabularInline[EscalationStep, Any]):
    model = EscalationStep
    raw_id_fields = ("team",)
    extra = 0
    ordering = ("position",)


@admin.register(EscalationPath)
class EscalationPathAdmin(admin.ModelAdmin[EscalationPath]):
    list_display = ("name", "is_default")
    list_filter = ("is_default",)
    search_fields = ("name",)
    inlines = [EscalationStepInline]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin[EscalationStep]):
    list_display = ("path", "position", "level", "team", "label")
    list_filter = ("path", "level")
    search_fields = ("label", "path__name", "team__name")
    list_select_related = ("path", "team")
    raw_id_fields = ("path", "team")


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin[RequestType]):
    list_display = (
        "name",
        "code",
        "ticket_type",
        "fulfilling_team",
        "fulfilling_team_kind",
        "fast_track",
        "is_active",
    )
    list_filter = ("is_active", "fast_track", "ticket_type", "fulfilling_team_kind")
    search_fields = ("name", "name_ko", "code")
    list_select_related = ("fulfilling_team",)
    raw_id_fields = ("fulfilling_team",)
    prepopulated_fields = {"code": ("name",)}


@admin.register(DeskTeamChannel)
class DeskTeamChannelAdmin(admin.ModelAdmin[DeskTeamChannel]):
    list_display = ("team", "teams_webhook_url")
    search_fields = ("team__name",)
    list_select_related = ("team",)
    raw_id_fields = ("team",)


class TicketEventInline(admin.TabularInline[TicketEvent, Any]):
    model = TicketEvent
    fields = ("created_at", "type", "actor", "is_internal", "parameters")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only: edits and moves go through the desk's pages, API and services."""

    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "level",
        "team",
        "agent",
        "requester",
        "created_at",
    )
    list_filter = ("is_open", "status", "priority", "level", "channel", "is_bypass")
    search_fields = ("number", "subject")
    list_select_related = ("team", "agent", "requester")
    raw_id_fields = (
        "requester",
        "solution",
        "request_type",
        "team",
        "agent",
        "duplicate_of",
        "merged_into",
    )
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [TicketEventInline]


@admin.register(VendorCase)
class VendorCaseAdmin(ReadOnlyAdmin):
    """Read-only: cases are raised from the ticket (ladder.vendor_case / partner_case)."""

    list_display = (
        "vendor",
        "external_number",
        "status",
        "is_partner",
        "ticket",
        "filed_by",
        "filed_at",
        "updated_at",
    )
    list_filter = ("status", "is_partner", "health_result")
    search_fields = ("vendor", "external_number", "ticket__number")
    list_select_related = ("ticket", "filed_by")
    raw_id_fields = ("ticket", "partner_team", "filed_by")
    show_full_result_count = False


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin[CannedResponse]):
    """Canned responses, written and deleted through the desk's services (who may:
    `selectors.can_manage_canned_responses`)."""

    list_display = ("title", "team", "created_by", "updated_at")
    list_filter = ("team",)
    search_fields = ("title", "body")
    list_select_related = ("team", "created_by")
    fields = ("title", "body", "team")

    def save_model(
        self, request: HttpRequest, obj: CannedResponse, form: Any, change: bool
    ) -> None:
        data = {name: form.cleaned_data[name] for name in ("title", "body", "team")}
        instance = CannedResponse.objects.get(pk=obj.pk) if change else None
        saved = services.canned_response_save(
            actor=request_user(request), instance=instance, data=data
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CannedResponse) -> None:
        services.canned_response_delete(actor=request_user(request), instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(MailboxMessage)
class MailboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: what the mailbox intake did with each mail (desk/imap_poll.py)."""

    list_display = ("read_at", "outcome", "sender", "subject", "ticket", "reason")
    list_filter = ("outcome", "mailbox")
    search_fields = ("sender", "subject", "message_id", "ticket__number")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket",)
    show_full_result_count = False
