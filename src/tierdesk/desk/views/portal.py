"""The requester side: my requests, search, filing a request, expert bypass."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.forms import errors_by_label
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, PLATFORM_STAFF
from tierdesk.desk import extensions, forms, intake, selectors, services, ticket_filters
from tierdesk.desk.choices import Channel, TicketStatus
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.desk.views.common import _page

WAITING = TicketStatus.WAITING_ON_REQUESTER

# The tabs of "my requests": what each shows, in order. "open" leaves out the requests
# waiting for the requester, which have a tab of their own.
PORTAL_TABS: dict[str, tuple[Any, Q]] = {
    "all": (gettext_lazy("All"), Q()),
    "open": (gettext_lazy("Being worked on"), Q(is_open=True) & ~Q(status=WAITING)),
    "waiting": (gettext_lazy("Waiting for me"), Q(status=WAITING)),
    "resolved": (gettext_lazy("Resolved"), Q(status=TicketStatus.RESOLVED)),
    "closed": (gettext_lazy("Closed"), Q(status=TicketStatus.CLOSED)),
}


def my_requests(user: User) -> QuerySet[Ticket]:
    """The requests the user filed, or someone filed for them."""
    return selectors.tickets_visible_to(user).filter(requester=user)


def portal_counts(user: User) -> dict[str, int]:
    """How many of the user's requests each tab holds, in one query."""
    found = my_requests(user).aggregate(
        **{
            name: Count("id", filter=where) if where else Count("id")
            for name, (_label, where) in PORTAL_TABS.items()
        }
    )
    return {name: int(found[name] or 0) for name in PORTAL_TABS}


class PortalView(RoleRequiredMixin, View):
    """My requests, newest activity first, by status tab."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        show = request.GET.get("show", "all")
        if show not in PORTAL_TABS:
            show = "all"
        qs = (
            my_requests(user)
            .filter(PORTAL_TABS[show][1])
            .select_related("team", "agent", "solution")
            .order_by("-updated_at", "-id")
        )
        context = _page(request, qs)
        for t in context["tickets"]:
            t.closable = t.status != TicketStatus.CLOSED and selectors.can_close(user, t)
        counts = portal_counts(user)
        context.update(
            {
                "show": show,
                "tabs": [
                    {"name": name, "label": label, "count": counts[name], "active": name == show}
                    for name, (label, _where) in PORTAL_TABS.items()
                ],
                "total": counts["all"],
                "catalog": RequestType.objects.filter(is_active=True).order_by("name"),
                "can_file": selectors.can_file(user),
            }
        )
        return render(request, "desk/portal.html", context)


class SearchView(RoleRequiredMixin, View):
    """Every ticket the user may see, searchable and filtered (`desk.ticket_filters`: the
    insights dashboard's drill-down lands here), with a capped count. A bad filter answers
    400 with the form's message and no list."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        q = request.GET.get("q", "")
        qs = selectors.ticket_search(selectors.tickets_visible_to(user), q)
        status = request.GET.get("status", "")
        if status in TicketStatus.values:
            qs = qs.filter(status=status)
        # From a solution's page: its tickets among those this user may see (an id of a
        # solution they cannot see narrows to nothing new: only visible tickets are here).
        solution_id = request.GET.get("solution", "")
        solution_name = ""
        if solution_id.isascii() and solution_id.isdigit() and len(solution_id) <= 18:
            qs = qs.filter(solution_id=int(solution_id))
            first = qs.select_related("solution").first()
            solution_name = first.solution.name if first and first.solution else ""
        else:
            solution_id = ""
        form = ticket_filters.parse(request.GET)
        valid = form.is_valid()
        qs = ticket_filters.narrowed(qs, form.cleaned_data, at=clock.now()) if valid else qs.none()
        count, more = selectors.capped_count(qs) if valid else (0, False)
        context = _page(
            request,
            qs.select_related("team", "agent", "solution").order_by("-created_at", "-id"),
        )
        filtered = bool(q.strip() or status or solution_id or (valid and form.active))
        context.update(
            {
                "q": q,
                "status": status if status in TicketStatus.values else "",
                "count": count,
                "more": more,
                "statuses": TicketStatus.choices,
                "filtered": filtered,
                "filters": form,
                "filters_valid": valid,
                "filters_open": not valid or form.active,
                "filter_errors": errors_by_label(form) if not valid else [],
                "solution_id": solution_id,
                "solution_name": solution_name,
                "can_file": selectors.can_file(user),
            }
        )
        return render(request, "desk/search.html", context, status=200 if valid else 400)


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


class TicketCreateView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def _form(self, request: HttpRequest, data: Any = None, files: Any = None) -> Any:
        form = intake.RequestForm(data, files, user=request_user(request))
        code = request.GET.get("type") or (data or {}).get("request_type", "")
        request_type = (
            RequestType.objects.filter(code=code, is_active=True).first() if code else None
        )
        if request_type is not None:
            form.fields.update(forms.request_type_fields(request_type))
            form.fields["type"].initial = request_type.ticket_type
        return form, request_type

    def _render(
        self, request: HttpRequest, form: Any, request_type: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "desk/ticket_form.html",
            {
                "form": form,
                "request_type": request_type,
                "request_panels": extensions.request_form_panels(
                    request_user(request), embed=False, solution=None
                ),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form, request_type = self._form(request)
        return self._render(request, form, request_type)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form, request_type = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    requester=user,
                    actor=user,
                    subject=data["subject"],
                    description=data["description"],
                    solution=data["solution_obj"],
                    topic=data["topic"],
                    type=data["type"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    request_type=request_type,
                    request_data={k[3:]: v for k, v in data.items() if k.startswith("rt_") and v},
                    channel=Channel.PORTAL,
                    language=translation.get_language() or "en",
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                extensions.after_request_filed(ticket, request.POST)
                if data.get("attachment"):
                    try:
                        services.ticket_attach(ticket=ticket, actor=user, upload=data["attachment"])
                    except ValidationError as error:
                        messages.warning(
                            request,
                            _(
                                "Your request %(number)s was filed, but the file was not kept: "
                                "%(why)s"
                            )
                            % {"number": ticket.number, "why": " ".join(error.messages)},
                        )
                messages.success(request, _("Thank you. Your request is %s.") % ticket.number)
                return redirect("desk:ticket-detail", pk=ticket.pk)
        return self._render(request, form, request_type, status=400)


class BypassView(RoleRequiredMixin, View):
    """A platform engineer asked directly logs the request in a few seconds."""

    allowed_roles = PLATFORM_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        form = intake.LogForSomeoneForm(user=request_user(request))
        return render(request, "desk/bypass.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = intake.LogForSomeoneForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            requester: User = data["requester"]
            try:
                ticket = services.ticket_create(
                    requester=requester,
                    actor=user,
                    subject=data["subject"],
                    solution=data["solution_obj"],
                    topic=data["topic"],
                    urgency=data["urgency"],
                    is_bypass=True,
                    language=(
                        requester.preferred_language
                        or translation.get_language()
                        or settings.LANGUAGE_CODE
                    ),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Logged as %s.") % ticket.number)
                return redirect("desk:ticket-detail", pk=ticket.pk)
        return render(request, "desk/bypass.html", {"form": form}, status=400)
