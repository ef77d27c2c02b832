from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "tierdesk.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from tierdesk.common.roles import register_role_provider
        from tierdesk.inventory.selectors import maker_roles

        register_role_provider(maker_roles)
