from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "tierdesk.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import GOVERNANCE_READERS, STAFF_WIDE, Role

        navigation.register("governance:overview", _("Governance"), STAFF_WIDE, order=200)
        navigation.register("governance:mine", _("Needs attention"), {Role.MAKER}, order=210)
        navigation.register(
            "governance:onboarding", _("Maker guide"), GOVERNANCE_READERS, order=220
        )

        from tierdesk.governance.panels import governance_panel
        from tierdesk.inventory.panels import register_solution_panel

        register_solution_panel(
            "governance", governance_panel, "governance/_solution_panel.html", order=10
        )

        from tierdesk.common.daily import register_daily

        register_daily(
            "governance-scan",
            "tierdesk.governance.services.scan_run",
            "The reactive-governance scan: signals, guardrail findings, maker digests.",
        )

        from tierdesk.governance.sync_notices import sync_failed_notify_admins
        from tierdesk.inventory.signals import sync_failed

        sync_failed.connect(sync_failed_notify_admins, dispatch_uid="governance-sync-failed")
