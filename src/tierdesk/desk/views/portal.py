"""The requester side: portal, search, filing a ticket, expert bypass."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user, user_find_by_principal
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, PLATFORM_STAFF
from tierdesk.desk import forms, selectors, services
from tierdesk.desk.choices import Channel, TicketStatus
from tierdesk.desk.models import RequestType
from tierdesk.desk.views.common import _page


class PortalView(RoleRequiredMixin, View):
    """My requests: what I asked and what I watch."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        qs = (
            selectors.tickets_visible_to(user)
            .filter(Q(requester=user) | Q(watcher_rows__user=user))
            .select_related("team", "agent", "solution")
            .distinct()
            .order_by("-created_at", "-id")
        )
        context = _page(request, qs)
        context["catalog"] = RequestType.objects.filter(is_active=True).order_by("name")
        context["can_file"] = selectors.can_file(user)
        return render(request, "desk/portal.html", context)


class SearchView(RoleRequiredMixin, View):
    """Every ticket the user may see, searchable, with a capped count."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        q = request.GET.get("q", "")
        qs = selectors.ticket_search(selectors.tickets_visible_to(user), q)
        status = request.GET.get("status", "")
        if status in TicketStatus.values:
            qs = qs.filter(status=status)
        count, more = selectors.capped_count(qs)
        context = _page(request, qs.select_related("team", "agent").order_by("-created_at", "-id"))
        context.update({"q": q, "count": count, "more": more, "statuses": TicketStatus.choices})
        return render(request, "desk/search.html", context)


class TicketCreateView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def _form(self, request: HttpRequest, data: Any = None, files: Any = None) -> Any:
        form = forms.TicketForm(data, files)
        code = request.GET.get("type") or (data or {}).get("request_type", "")
        request_type = (
            RequestType.objects.filter(code=code, is_active=True).first() if code else None
        )
        if request_type is not None:
            form.fields.update(forms.request_type_fields(request_type))
            form.fields["type"].initial = request_type.ticket_type
        return form, request_type

    def get(self, request: HttpRequest) -> HttpResponse:
        form, request_type = self._form(request)
        return render(
            request, "desk/ticket_form.html", {"form": form, "request_type": request_type}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form, request_type = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            solution = selectors.solution_named_by(user, data["solution"])
            if data["solution"] and solution is None:
                form.add_error("solution", _("No solution has that platform id or name."))
            else:
                try:
                    ticket = services.ticket_create(
                        requester=user,
                        actor=user,
                        subject=data["subject"],
                        description=data["description"],
                        solution=solution,
                        topic=data["topic"],
                        type=data["type"],
                        impact=data["impact"],
                        urgency=data["urgency"],
                        request_type=request_type,
                        request_data={
                            k[3:]: v for k, v in data.items() if k.startswith("rt_") and v
                        },
                        channel=Channel.PORTAL,
                        language=translation.get_language() or "en",
                    )
                    if data.get("attachment"):
                        services.ticket_attach(ticket=ticket, actor=user, upload=data["attachment"])
                except ValidationError as error:
                    for field, problems in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, problems)
                else:
                    messages.success(request, _("Thank you. Your ticket is %s.") % ticket.number)
                    return redirect("desk:ticket-detail", pk=ticket.pk)
        return render(
            request,
            "desk/ticket_form.html",
            {"form": form, "request_type": request_type},
            status=400,
        )


class BypassView(RoleRequiredMixin, View):
    """A platform engineer asked directly logs the request in a few seconds."""

    allowed_roles = PLATFORM_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "desk/bypass.html", {"form": forms.BypassForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = forms.BypassForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            requester = User.objects.filter(username=data["requester"]).first() or (
                user_find_by_principal(data["requester"])
            )
            solution = selectors.solution_named_by(user, data["solution"])
            if requester is None:
                form.add_error("requester", _("Nobody with that name."))
            elif data["solution"] and solution is None:
                form.add_error("solution", _("No solution has that platform id or name."))
            else:
                ticket = services.ticket_create(
                    requester=requester,
                    actor=user,
                    subject=data["subject"],
                    solution=solution,
                    topic=data["topic"],
                    urgency=data["urgency"],
                    is_bypass=True,
                    language=requester.preferred_language,
                )
                messages.success(request, _("Logged as %s.") % ticket.number)
                return redirect("desk:ticket-detail", pk=ticket.pk)
        return render(request, "desk/bypass.html", {"form": form}, status=400)
