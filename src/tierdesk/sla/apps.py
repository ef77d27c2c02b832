from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tierdesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER, ON_CALL_READERS, Role

        # Requesters follow their requests in the portal; the service-level rules are for
        # whoever supports solutions (the page itself stays open to everyone).
        supporters = ANY_USER - {Role.REQUESTER}
        navigation.register("sla:overview", _("Service levels"), supporters, order=300)
        navigation.register("sla:oncall", _("On call"), ON_CALL_READERS, order=310)

        from django.db.models.signals import post_delete, post_save

        from tierdesk.sla import models
        from tierdesk.sla.calendars import config_changed

        for model in (
            models.BusinessCalendar,
            models.CalendarClosure,
            models.SlaPolicy,
            models.SlaTarget,
            models.SlaSettings,
        ):
            post_save.connect(config_changed, sender=model, dispatch_uid=f"sla-config-{model}")
            post_delete.connect(config_changed, sender=model, dispatch_uid=f"sla-config-d-{model}")
