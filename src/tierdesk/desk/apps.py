from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "tierdesk.desk"
    label = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER, DESK_CONSOLE, PLATFORM_STAFF

        navigation.register("desk:portal", _("Help"), ANY_USER, order=200)
        navigation.register("desk:queue", _("Queue"), DESK_CONSOLE, order=210)
        navigation.register("desk:bypass", _("Log for someone"), PLATFORM_STAFF, order=220)
