from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "tierdesk.desk"
    label = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER, Role
        from tierdesk.desk.views import CONSOLE_ROLES

        navigation.register("desk:portal", _("Help"), ANY_USER, order=200)
        navigation.register("desk:queue", _("Queue"), CONSOLE_ROLES, order=210)
        navigation.register(
            "desk:bypass", _("Log for someone"), {Role.PLATFORM_ENGINEER, Role.ADMIN}, order=220
        )
