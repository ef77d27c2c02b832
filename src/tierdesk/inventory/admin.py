from typing import Any

from django.contrib import admin

from tierdesk.inventory.models import (
    Connector,
    Environment,
    EnvironmentRole,
    Solution,
    SolutionConnector,
    SolutionEvent,
    SolutionOwner,
    UsageFact,
)
from tierdesk.inventory.services import SUPPORT_FIELDS, solutions_support_changed


@admin.register(Environment)
class EnvironmentAdmin(admin.ModelAdmin[Environment]):
    list_display = ("name", "type", "purpose", "business_unit", "managed_by", "is_managed")
    list_filter = ("type", "purpose", "managed_by", "is_managed", "is_deleted")
    search_fields = ("name", "platform_id")


@admin.register(EnvironmentRole)
class EnvironmentRoleAdmin(admin.ModelAdmin[EnvironmentRole]):
    list_display = ("environment", "user", "role", "source", "first_seen", "last_seen")
    list_filter = ("role", "source")
    search_fields = ("environment__name", "user__username", "user__upn", "user__display_name")
    list_select_related = ("environment", "user")
    raw_id_fields = ("environment", "user")


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin[Connector]):
    list_display = ("name", "platform_id", "tier", "publisher")
    list_filter = ("tier",)
    search_fields = ("name", "platform_id")


class OwnerInline(admin.TabularInline[SolutionOwner, Any]):
    model = SolutionOwner
    raw_id_fields = ("user",)
    extra = 0


class ConnectorInline(admin.TabularInline[SolutionConnector, Any]):
    model = SolutionConnector
    raw_id_fields = ("connector",)
    extra = 0


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin[Solution]):
    list_display = ("name", "kind", "environment", "maker", "tier", "support_model", "is_deleted")
    list_filter = ("kind", "tier", "support_model", "is_deleted", "is_orphaned")
    search_fields = ("name", "platform_id")
    list_select_related = ("environment", "maker")
    raw_id_fields = ("maker", "environment", "business_unit", "supporting_team")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [OwnerInline, ConnectorInline]
    show_full_result_count = False

    def save_model(self, request: Any, obj: Solution, form: Any, change: bool) -> None:
        """A tier or support change made here reaches open tickets as any other does."""
        super().save_model(request, obj, form, change)
        if change and SUPPORT_FIELDS & set(form.changed_data):
            solutions_support_changed(solution_ids=[obj.pk], actor=request.user)


@admin.register(UsageFact)
class UsageFactAdmin(admin.ModelAdmin[UsageFact]):
    list_display = ("solution", "date", "source", "unique_users", "sessions", "flow_runs")
    list_filter = ("source",)
    raw_id_fields = ("solution",)
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(SolutionEvent)
class SolutionEventAdmin(admin.ModelAdmin[SolutionEvent]):
    list_display = ("solution", "type", "actor", "created_at")
    list_filter = ("type",)
    raw_id_fields = ("solution", "actor")
