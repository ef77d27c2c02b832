from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tierdesk.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.notify.selectors import OUTBOX_READERS

        navigation.register("notify:outbox", _("Outbox"), OUTBOX_READERS, order=850)
