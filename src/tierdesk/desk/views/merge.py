"""Merge and link-duplicate with search, preview and confirmation: the agent finds the
other ticket by number or subject among the tickets they see, looks at it, and only then
merges or links. The writes themselves are the ticket page's moves (`merge`,
`link_duplicate`), decided by their services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.desk import selectors
from tierdesk.desk.choices import MessageKind, TicketStatus


class TicketMergeSearchView(RoleRequiredMixin, View):
    """Candidates for `pk`: tickets the user sees, by number or words of the subject
    (without a query: the same solution's, or the same requester's)."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        if not selectors.can_move(user, ticket, "merge"):
            raise PermissionDenied
        q = request.GET.get("q", "")[:200]
        candidates = selectors.merge_candidates(user, ticket, q)
        return render(
            request,
            "desk/ticket_merge.html",
            {"ticket": ticket, "q": q, "candidates": candidates},
        )


class TicketMergeConfirmView(RoleRequiredMixin, View):
    """The other ticket previewed, with what merging would do, and the two buttons."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        if not selectors.can_move(user, ticket, "merge"):
            raise PermissionDenied
        target = selectors.ticket_get_for_user(user, target_pk)
        notes = selectors.can_see_notes(user, target)
        messages = target.messages.order_by("-created_at", "-id")
        if not notes:
            messages = messages.filter(kind=MessageKind.REPLY)
        refusal = ""
        warning = ""
        if target.pk == ticket.pk:
            refusal = "self"
        elif target.merged_into_id:
            refusal = "merged"
        elif target.status == TicketStatus.CLOSED:
            refusal = "closed"
        elif not selectors.can_work(user, target):
            refusal = "not_yours"
        elif ticket.is_open and target.status == TicketStatus.RESOLVED:
            warning = "reopens"
        return render(
            request,
            "desk/ticket_merge_confirm.html",
            {
                "ticket": ticket,
                "target": target,
                "recent": list(messages[:3]),
                "refusal": refusal,
                "warning": warning,
                "can_link": selectors.can_move(user, ticket, "link_duplicate")
                and target.pk != ticket.pk,
            },
        )
