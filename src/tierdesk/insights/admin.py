"""Admin for what an IT admin sets up in insights: the Microsoft Teams webhook a manager's
weekly digest posts to (`DigestTeamsChannel`); what was sent (`DigestSent`) reads only.
Facts, rollups and candidates are kept by their own code and have no admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.insights.models import DigestSent, DigestTeamsChannel


@admin.register(DigestTeamsChannel)
class DigestTeamsChannelAdmin(admin.ModelAdmin[DigestTeamsChannel]):
    list_display = ("manager", "teams_webhook_url")
    search_fields = ("manager__username", "manager__first_name", "manager__last_name")
    list_select_related = ("manager",)
    raw_id_fields = ("manager",)


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin[DigestSent]):
    """What each manager's digest listed, week by week: read only."""

    list_display = ("manager", "week", "sent_at")
    list_select_related = ("manager",)
    search_fields = ("manager__username",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
