from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Knowledge articles with owners, revisions and review dates (design.md §3)."""

    name = "tierdesk.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from tierdesk.common import navigation
        from tierdesk.common.roles import ANY_USER

        navigation.register("knowledge:list", _("Knowledge base"), ANY_USER, order=240)

        from tierdesk.desk import extensions
        from tierdesk.knowledge import deflection

        extensions.register_request_form_panel(
            "kb-suggestions", "knowledge/_suggest_panel.html", deflection.panel_context
        )
        extensions.register_after_request_filed("kb-deflection", deflection.deflections_filed)

        from tierdesk.knowledge.ticket_panel import ticket_panel_context

        extensions.register_ticket_panel(
            "kb-suggestions", "knowledge/_ticket_panel.html", ticket_panel_context
        )

        from tierdesk.knowledge import feed_wiring, proposal_wiring

        proposal_wiring.register()
        feed_wiring.register()

        from tierdesk.knowledge import indexing
        from tierdesk.search import services as search

        search.register_kind(indexing.KIND, indexing.all_rows)
