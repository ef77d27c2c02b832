from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "tierdesk.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from tierdesk.common.roles import Role, register_role_check
        from tierdesk.inventory.selectors import co_owns_solutions, makes_solutions

        register_role_check(Role.MAKER, makes_solutions)
        register_role_check(Role.MAKER, co_owns_solutions)

        from tierdesk.common import navigation
        from tierdesk.common.roles import ADMIN_ONLY, ANY_USER

        navigation.register("inventory:solution-list", _("Solutions"), ANY_USER, order=100)
        navigation.register("inventory:environment-list", _("Environments"), ANY_USER, order=110)
        navigation.register("inventory:import-list", _("Imports"), ADMIN_ONLY, order=800)

        from tierdesk.common.daily import register_daily

        register_daily(
            "inventory-sync",
            "tierdesk.inventory.importers.sync.sync_daily",
            "Sync the inventory from the tenant's admin APIs (when TIERDESK_SYNC_* is set).",
        )
