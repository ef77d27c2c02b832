"""What the proposal part of the knowledge base hooks into when the app is ready: the
ticket page's panel ("문서 제안", "this ticket became article X") and the navigation entry
of the proposals queue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import User
from tierdesk.desk.models import Ticket
from tierdesk.knowledge.choices import ProposalStatus


def ticket_panel_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For who sees proposals (internal): the published articles the ticket became, its
    open proposal, and "문서 제안" when `can_propose_article`. None (no panel) for everyone
    else, and when there is nothing to say."""
    from tierdesk.knowledge import proposals

    if not proposals.sees_proposals(user):
        return None
    articles = proposals.ticket_articles(user, ticket)
    waiting = list(
        proposals.proposals_visible_to(user)
        .filter(ticket=ticket, status=ProposalStatus.OPEN)
        .order_by("-created_at", "-id")[:3]
    )
    can_propose = proposals.can_propose_article(user, ticket)
    if not (articles or waiting or can_propose):
        return None
    return {
        "articles": articles,
        "waiting": waiting,
        "propose_url": reverse("knowledge:propose", args=[ticket.pk]) if can_propose else "",
    }


def register() -> None:
    """Called once from `KnowledgeConfig.ready`."""
    from tierdesk.common import navigation
    from tierdesk.common.roles import DESK_WORKERS, Role
    from tierdesk.desk import extensions

    extensions.register_ticket_panel(
        "kb-proposal", "knowledge/_propose_panel.html", ticket_panel_context
    )
    # The queue is for who may act on a proposal: knowledge writers (a topic owner is one,
    # `proposals.topic_owner_set`); managers follow the loop on its coverage page.
    navigation.register("knowledge:proposals", _("Article proposals"), DESK_WORKERS, order=245)
    navigation.register("knowledge:coverage", _("Knowledge coverage"), {Role.MANAGER}, order=246)
