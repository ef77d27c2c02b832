from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

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
