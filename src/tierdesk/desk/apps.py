from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "tierdesk.desk"
    label = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER, DESK_CONSOLE, DESK_WORKERS, PLATFORM_STAFF

        navigation.register("desk:portal", _("Help"), ANY_USER, order=200)
        navigation.register("desk:queue", _("Queue"), DESK_CONSOLE, order=210)
        navigation.register("desk:log-request", _("Log for someone"), DESK_WORKERS, order=215)
        navigation.register("desk:vendor-cases", _("Vendor cases"), PLATFORM_STAFF, order=220)
        navigation.register("desk:bypass", _("Asked directly"), PLATFORM_STAFF, order=230)

        from tierdesk.desk import indexing
        from tierdesk.search import services as search

        search.register_kind(indexing.KIND, indexing.all_rows)

        from tierdesk.desk.panels import tickets_panel
        from tierdesk.inventory.panels import register_solution_panel

        register_solution_panel("tickets", tickets_panel, "desk/_solution_panel.html", order=20)

        from tierdesk.desk import config

        config.connect()  # routing and the priority matrix kept per process (issue 15)

        from tierdesk.common.daily import register_daily
        from tierdesk.desk.services import open_tickets_support_changed
        from tierdesk.inventory.signals import support_changed

        support_changed.connect(open_tickets_support_changed, dispatch_uid="desk-support-changed")
        register_daily(
            "desk-close-resolved",
            "tierdesk.desk.services.tickets_close_resolved",
            "Close tickets resolved more than TIERDESK_REOPEN_DAYS ago.",
        )
