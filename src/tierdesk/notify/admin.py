from django.contrib import admin

from tierdesk.notify.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("subject", "channel", "address", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("key", "address", "subject")
    raw_id_fields = ("recipient",)
    readonly_fields = ("key", "attempts", "claimed_until", "last_error", "sent_at")
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "email", "teams")
    raw_id_fields = ("user",)
