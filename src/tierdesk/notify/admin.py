from django.contrib import admin

from tierdesk.notify.models import InboxItem, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = (
        "created_at",
        "recipient",
        "address",
        "channel",
        "subject",
        "status",
        "attempts",
        "sent_at",
    )
    list_display_links = ("created_at", "subject")
    list_filter = ("channel", "status")
    list_select_related = ("recipient",)
    search_fields = ("key", "address", "subject", "recipient__username", "recipient__email")
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "key",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
    )
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin[InboxItem]):
    list_display = ("created_at", "recipient", "subject", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    list_select_related = ("recipient",)
    search_fields = ("key", "subject", "recipient__username")
    raw_id_fields = ("recipient",)
    readonly_fields = ("key", "created_at")
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "email", "teams")
    raw_id_fields = ("user",)
