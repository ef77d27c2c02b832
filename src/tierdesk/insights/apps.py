from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Where support load sits and what to change: analytics over the desk, governance,
    inventory and knowledge base, and automation candidates (design.md §3)."""

    name = "tierdesk.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from django.core import checks

        from tierdesk.common import navigation
        from tierdesk.common.daily import register_daily
        from tierdesk.insights.coe import READERS as COE_READERS
        from tierdesk.insights.dashboards import READERS as DASHBOARD_READERS
        from tierdesk.insights.hub_views import can_open_insights
        from tierdesk.insights.jobs import JOB_NAME
        from tierdesk.insights.readiness import READERS as READINESS_READERS
        from tierdesk.insights.selectors import READERS

        # One entry for every insight (the top bar is crowded): the landing page links on.
        navigation.register(
            "insights:home",
            _("Insights"),
            READERS | COE_READERS | DASHBOARD_READERS | READINESS_READERS,
            order=250,
            shown_to=can_open_insights,
        )
        register_daily(
            JOB_NAME,
            "tierdesk.insights.jobs.weekly_run",
            "Look for automation candidates (on TIERDESK_AUTOMATION_WEEKDAY only).",
        )
        register_daily(
            "insights-digest",
            "tierdesk.insights.jobs.digest_run",
            "Queue the managers' weekly digests (on TIERDESK_DIGEST_WEEKDAY only).",
        )
        checks.register(_check_weekday)

        from tierdesk.insights import facts_wiring

        facts_wiring.register()


def _check_weekday(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from tierdesk.insights.jobs import digest_weekday, weekday

    found = []
    for read, code in ((weekday, "insights.E001"), (digest_weekday, "insights.E002")):
        try:
            read()
        except ImproperlyConfigured as error:
            found.append(checks.Error(str(error), id=code))
    return found
