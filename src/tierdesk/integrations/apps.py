from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "tierdesk.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER
        from tierdesk.integrations import receivers, services
        from tierdesk.notify import webhooks

        receivers.connect()
        webhooks.register(resolver=services.endpoint_for, on_result=services.delivery_result)
        webhooks.register_card_hook(services.ticket_card_buttons)
        navigation.register("integrations:home", _("Power Platform"), ANY_USER, order=870)
