from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "display_name", "upn", "business_unit", "kind", "is_active")
    list_filter = ("kind", "is_active", "is_superuser", "is_manager", "business_unit")
    search_fields = ("username", "display_name", "upn", "email", "external_id")
    list_select_related = ("business_unit",)
    raw_id_fields = ("manager",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Organisation"),
            {
                "fields": (
                    "display_name",
                    "upn",
                    "external_id",
                    "kind",
                    "preferred_language",
                    "business_unit",
                    "manager",
                    "is_manager",
                )
            },
        ),
    )


@admin.register(BusinessUnit)
class BusinessUnitAdmin(admin.ModelAdmin[BusinessUnit]):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class MembershipInline(admin.TabularInline[TeamMembership, Any]):
    model = TeamMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(SupportTeam)
class SupportTeamAdmin(admin.ModelAdmin[SupportTeam]):
    list_display = ("name", "kind", "business_unit", "lead")
    list_filter = ("kind", "business_unit")
    search_fields = ("name",)
    raw_id_fields = ("lead",)
    inlines = [MembershipInline]


# API tokens: listed and revoked here, created only by `tierdesk token USERNAME` or the
# API's token endpoint (knox's own admin would also create tokens that never expire).
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin[Any]):
    list_display = ("token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("token_key", "user__username")
    ordering = ("-created",)
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
