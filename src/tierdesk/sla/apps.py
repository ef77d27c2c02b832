from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tierdesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.sla.views import READERS

        navigation.register("sla:overview", _("Service levels"), READERS, order=300)
        navigation.register("sla:oncall", _("On call"), READERS, order=310)
