"""The agent console: queues and their export."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import View

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import DESK_CONSOLE
from tierdesk.desk import selectors
from tierdesk.desk.choices import Priority, TicketStatus
from tierdesk.desk.exports import tickets_export
from tierdesk.desk.views.common import _page
from tierdesk.sla import selectors as sla_selectors


def _filters(request: HttpRequest, user: User) -> tuple[selectors.QueueFilters, Any]:
    teams = selectors.queue_teams_for(user)
    mine = request.GET.get("mine") == "1"
    team = None
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        team = teams.filter(pk=int(team_id)).first()
        if team is None:
            raise Http404("No such queue.")
    elif not mine:
        own = SupportTeam.objects.filter(memberships__user=user).order_by("kind", "name").first()
        team = own
        mine = own is None
    filters = selectors.QueueFilters(
        team=team,
        status=request.GET.get("status", "")
        if request.GET.get("status") in TicketStatus.values
        else "",
        priority=request.GET.get("priority", "")
        if request.GET.get("priority") in Priority.values
        else "",
        level=request.GET.get("level", ""),
        mine=mine,
        unassigned=request.GET.get("unassigned") == "1",
        q=request.GET.get("q", ""),
    )
    return filters, teams


class QueueView(RoleRequiredMixin, View):
    """A team's queue: open tickets by priority, then age; quick actions with htmx."""

    allowed_roles = DESK_CONSOLE

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        filters, teams = _filters(request, user)
        qs = selectors.ticket_queue(user, filters).select_related("solution", "agent", "team")
        by_due = request.GET.get("sort") == "due"
        if by_due:  # the earliest running SLA clock first; tickets without one last
            qs = qs.annotate(sla_due=sla_selectors.next_due()).order_by(
                F("sla_due").asc(nulls_last=True), "priority", "created_at", "id"
            )
        count, more = selectors.capped_count(selectors.ticket_queue(user, filters))
        context = _page(request, qs)
        sort_query = request.GET.copy()
        sort_query.pop("page", None)
        if by_due:
            sort_query.pop("sort", None)
        else:
            sort_query["sort"] = "due"
        context.update(
            {
                "sla_badges": sla_selectors.ticket_badges([t.pk for t in context["tickets"]]),
                "by_due": by_due,
                "sort_query": sort_query.urlencode(),
                "filters": filters,
                "teams": teams,
                "count": count,
                "more": more,
                "statuses": TicketStatus.choices,
                "priorities": Priority.choices,
                "takeable": {t.pk for t in context["tickets"] if selectors.can_take(user, t)},
            }
        )
        partial = bool(getattr(request, "htmx", False))
        return render(request, "desk/_queue_table.html" if partial else "desk/queue.html", context)


class QueueExportView(RoleRequiredMixin, View):
    allowed_roles = DESK_CONSOLE

    def get(self, request: HttpRequest, kind: str = "csv") -> HttpResponseBase:
        """The queue as it is filtered on the page, as CSV or XLSX."""
        user = request_user(request)
        filters, _teams = _filters(request, user)
        return tickets_export(selectors.ticket_queue(user, filters), kind, "queue")
