"""The agent console: the queue (SLA countdowns, markers, keyboard, bulk actions, saved
views) and its export. Reads go through `desk.queue` (which asks `selectors` who sees
what); every write is a service call that decides by its own named rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.accounts.pickers import PersonPickerField, people_pickable_by
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.ids import form_id, posted_id
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, DESK_CONSOLE
from tierdesk.desk import queue, selectors
from tierdesk.desk.choices import Impact, Priority, TicketStatus, Urgency
from tierdesk.desk.exports import tickets_export
from tierdesk.desk.models import Ticket
from tierdesk.sla import selectors as sla_selectors

PAGE_SIZE = 50
MAX_PAGES = 20
NEXT_CHAIN = 20
SENTINEL = 987654321987

SORT_LABELS = {
    "due": gettext_lazy("Due first"),
    "priority": gettext_lazy("Priority"),
    "updated": gettext_lazy("Recently updated"),
}
BULK_STATUS_CHOICES = [
    (s, TicketStatus(s).label)
    for s in (
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_ON_REQUESTER,
        TicketStatus.WAITING_ON_VENDOR,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    )
]


def _page_number(request: HttpRequest) -> int:
    number = form_id(request.GET.get("page", "1"))
    return max(1, min(number or 1, MAX_PAGES))


def _rows(qs: Any, number: int) -> tuple[list[Ticket], bool]:
    """One page: the ordered ids first (the sort reads only indexes and clocks), then
    those rows with what the table shows; one id more than shown says whether there is a
    next page, and the table is never counted."""
    start = (number - 1) * PAGE_SIZE
    ids = list(qs.values_list("id", flat=True)[start : start + PAGE_SIZE + 1])
    more = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    found = Ticket.objects.filter(pk__in=ids).select_related("solution", "agent", "team")
    by_id = {t.pk: t for t in found}
    return [by_id[pk] for pk in ids if pk in by_id], more and number < MAX_PAGES


def _built_ins(filters: queue.QueueFilters, current: str) -> list[dict[str, Any]]:
    team = "" if filters.mine or filters.team is None else f"team={filters.team.pk}&"
    found = []
    for view in queue.BUILT_IN_VIEWS:
        query = view.query if view.key == "mine" else f"{team}{view.query}"
        found.append(
            {
                "key": view.key,
                "name": view.name,
                "query": query,
                "current": queue.clean_query(query) == current,
            }
        )
    return found


def queue_context(request: HttpRequest, user: User) -> dict[str, Any]:
    """Everything the queue page and its table need; one place for the full page and the
    htmx table swap."""
    at = clock.now()
    filters, teams = queue.filters_from_query(user, request.GET)
    number = _page_number(request)
    tickets, has_next = _rows(queue.ticket_queue(user, filters, at=at), number)
    count, more = queue.queue_count(user, filters, at=at)
    looked_before = queue.page_look(user=user, page=queue.QUEUE_PAGE, at=at)
    current = queue.query_string(filters)
    saved = queue.saved_views_listed(user, filters.team)
    sort_links = [
        {
            "key": key,
            "label": label,
            "query": queue.query_string(filters, sort="" if key == "due" else key),
            "current": filters.sort == key,
        }
        for key, label in SORT_LABELS.items()
    ]
    ids = [t.pk for t in tickets]
    badges = sla_selectors.ticket_badges(ids, at=at)
    markers = queue.row_markers(
        tickets, us=queue.our_team_ids(user, filters), looked_before=looked_before, at=at
    )
    # Links built once for the page, not reversed twice per row.
    detail = reverse("desk:ticket-detail", args=[SENTINEL])
    take = reverse("desk:ticket-post", args=[SENTINEL, "take"])
    for i, t in enumerate(tickets):
        t.url = detail.replace(str(SENTINEL), str(t.pk))  # type: ignore[attr-defined]
        t.take_url = take.replace(str(SENTINEL), str(t.pk))  # type: ignore[attr-defined]
        # What the row shows; the ticket page's "next ticket" follows `?next=` (the rows
        # after this one on the page, nearest first).
        t.sla_badge = badges.get(t.pk)  # type: ignore[attr-defined]
        t.markers = markers.get(t.pk)  # type: ignore[attr-defined]
        t.next_chain = ",".join(str(n) for n in ids[i + 1 : i + 1 + NEXT_CHAIN])  # type: ignore[attr-defined]
    return {
        "tickets": tickets,
        "page_number": number,
        "has_next": has_next,
        "has_previous": number > 1,
        "query": current,
        "filters": filters,
        "teams": teams,
        "count": count,
        "more": more,
        "statuses": TicketStatus.choices,
        "priorities": Priority.choices,
        "looked_before": looked_before,
        "takeable": {t.pk for t in tickets if not t.agent_id and selectors.can_take(user, t)},
        "sort_links": sort_links,
        "built_in_views": _built_ins(filters, current),
        "saved_views": [
            {
                "view": v,
                "current": v.query == current,
                "editable": queue.can_edit_view(user, v),
            }
            for v in saved
        ],
        "can_save_team_view": filters.team is not None
        and not filters.mine
        and queue.can_save_view(user, filters.team),
        "bulk": BulkForm(user=user),
        "bulk_statuses": BULK_STATUS_CHOICES,
        "impacts": Impact.choices,
        "urgencies": Urgency.choices,
    }


class QueueView(RoleRequiredMixin, View):
    """A team's queue (or "mine"): open tickets, next SLA due first by default."""

    allowed_roles = DESK_CONSOLE

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        context = queue_context(request, user)
        htmx = getattr(request, "htmx", None)
        partial = bool(htmx) and not getattr(htmx, "boosted", False)
        return render(request, "desk/_queue_table.html" if partial else "desk/queue.html", context)


class QueueExportView(RoleRequiredMixin, View):
    allowed_roles = DESK_CONSOLE

    def get(self, request: HttpRequest, kind: str = "csv") -> HttpResponseBase:
        """The queue as it is filtered and sorted on the page, as CSV or XLSX."""
        user = request_user(request)
        filters, _teams = queue.filters_from_query(user, request.GET)
        return tickets_export(queue.ticket_queue(user, filters), kind, "queue")


# ---------------------------------------------------------------------- bulk actions


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            ("assign_me", gettext_lazy("Assign to me")),
            ("assign_person", gettext_lazy("Assign to a person")),
            ("assign_team", gettext_lazy("Move to a team")),
            ("triage", gettext_lazy("Set impact and urgency")),
            ("status", gettext_lazy("Set status")),
            ("link", gettext_lazy("Link as duplicate of")),
        ],
    )
    person = PersonPickerField(label=gettext_lazy("Person"), required=False)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=SupportTeam.objects.exclude(kind=TeamKind.VENDOR).order_by("kind", "name"),
        required=False,
    )
    impact = forms.ChoiceField(
        label=gettext_lazy("Impact"), choices=[("", "—"), *Impact.choices], required=False
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=[("", "—"), *Urgency.choices], required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", "—"), *BULK_STATUS_CHOICES], required=False
    )
    original = forms.CharField(
        label=gettext_lazy("Original ticket (number)"), max_length=40, required=False
    )
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=500, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        person = self.fields["person"]
        assert isinstance(person, PersonPickerField)
        person.queryset = people_pickable_by(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "assign_person" and not data.get("person"):
            self.add_error("person", _("Pick the person."))
        if action == "assign_team" and not data.get("team"):
            self.add_error("team", _("Choose the team."))
        if action == "triage" and not (data.get("impact") and data.get("urgency")):
            self.add_error("impact", _("Choose the impact and the urgency."))
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        if action == "link":
            text = (data.get("original") or "").strip().upper()
            original = (
                selectors.tickets_visible_to(self.user).filter(number=text).first()
                if text
                else None
            )
            if original is None:
                self.add_error("original", _("No such ticket."))
            data["original_ticket"] = original
        return data

    def bulk_action(self) -> queue.BulkAction:
        data = self.cleaned_data
        return queue.BulkAction(
            kind=data["action"],
            person=data.get("person"),
            team=data.get("team"),
            impact=data.get("impact") or "",
            urgency=data.get("urgency") or "",
            status=data.get("status") or "",
            original=data.get("original_ticket"),
            reason=data.get("reason") or "",
        )


def _back(request: HttpRequest) -> str:
    query = queue.clean_query(str(request.POST.get("next", "")))
    return reverse("desk:queue") + (f"?{query}" if query else "")


def _report(request: HttpRequest, outcome: queue.BulkOutcome) -> None:
    changed, refused = len(outcome.changed), len(outcome.refused)
    summary = ngettext("%(n)d changed", "%(n)d changed", changed) % {"n": changed}
    if refused:
        summary += ", " + ngettext("%(n)d refused", "%(n)d refused", refused) % {"n": refused}
    if outcome.missing:
        summary += ", " + ngettext("%(n)d not found", "%(n)d not found", outcome.missing) % {
            "n": outcome.missing
        }
    level = messages.success if not refused and not outcome.missing else messages.warning
    level(request, summary + ".")
    for reason, numbers in outcome.reasons.items():
        messages.error(request, f"{', '.join(numbers)}: {reason}")


class QueueBulkView(RoleRequiredMixin, View):
    """POST: one action on the ticked tickets; each is allowed or refused by its service.

    Something changed: back to the queue with "7 changed, 2 refused (why)". Nothing
    changed: 404 when none of the tickets is visible, 403 when a rule refused them, 400
    when the form or the tickets' state did; the page says why and leads back."""

    allowed_roles = ANY_USER

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        raw = request.POST.getlist("ticket")
        if not raw:
            return self._refused(request, [_("Tick at least one ticket.")], 400)
        if len(raw) > queue.BULK_MAX:
            return self._refused(
                request,
                [_("At most %(n)d tickets at once.") % {"n": queue.BULK_MAX}],
                400,
            )
        ids = [posted_id(value, field="ticket") for value in raw]
        form = BulkForm(request.POST, user=user)
        if not form.is_valid():
            if not selectors.tickets_visible_to(user).filter(pk__in=ids).exists():
                return self._refused(request, [_("No such ticket.")], 404)
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return self._refused(request, errors, 400)
        outcome = queue.queue_bulk(actor=user, ticket_ids=ids, action=form.bulk_action())
        if outcome.changed:
            _report(request, outcome)
            return redirect(_back(request))
        if not outcome.refused:
            return self._refused(request, [_("No such ticket.")], 404)
        lines = [f"{', '.join(n)}: {reason}" for reason, n in outcome.reasons.items()]
        return self._refused(request, lines, 403 if outcome.denied else 400)

    def _refused(self, request: HttpRequest, lines: list[str], status: int) -> HttpResponse:
        return render(
            request,
            "desk/queue_refused.html",
            {"lines": lines, "back": _back(request)},
            status=status,
        )


# ---------------------------------------------------------------------- saved views


def _team_posted(request: HttpRequest) -> SupportTeam | None:
    if request.POST.get("scope") != "team":
        return None
    pk = posted_id(request.POST.get("team"), field="team")
    team = SupportTeam.objects.filter(pk=pk).first()
    if team is None:
        raise BadRequest("team: no such team")
    return team


def _view_done(request: HttpRequest, query: str) -> HttpResponse:
    return redirect(reverse("desk:queue") + (f"?{query}" if query else ""))


def _view_refused(request: HttpRequest, error: Exception, status: int) -> HttpResponse:
    lines = error.messages if isinstance(error, ValidationError) else [str(error)]
    return render(
        request,
        "desk/queue_refused.html",
        {"lines": lines, "back": _back(request)},
        status=status,
    )


class SavedViewCreateView(RoleRequiredMixin, View):
    """POST name, query, scope (personal / team) and team: save the queue's filters."""

    allowed_roles = ANY_USER

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        team = _team_posted(request)
        try:
            view = queue.saved_view_create(
                actor=user,
                name=str(request.POST.get("name", "")),
                query=str(request.POST.get("query", "")),
                team=team,
            )
        except ValidationError as error:
            return _view_refused(request, error, 400)
        except PermissionDenied as error:
            return _view_refused(request, error, 403)
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return _view_done(request, view.query)


class SavedViewUpdateView(RoleRequiredMixin, View):
    """POST name (rename) and/or query (keep the current filters in the view)."""

    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        view = queue.saved_view_get_for_user(user, pk)
        name = request.POST.get("name")
        query = request.POST.get("query")
        try:
            queue.saved_view_update(
                actor=user,
                view=view,
                name=None if name is None else str(name),
                query=None if query is None else str(query),
            )
        except ValidationError as error:
            return _view_refused(request, error, 400)
        except PermissionDenied as error:
            return _view_refused(request, error, 403)
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return _view_done(request, view.query)


class SavedViewDeleteView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        view = queue.saved_view_get_for_user(user, pk)
        try:
            queue.saved_view_delete(actor=user, view=view)
        except PermissionDenied as error:
            return _view_refused(request, error, 403)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return redirect(_back(request))


class QueueSeenView(RoleRequiredMixin, View):
    """POST: mark everything in the queue as seen (no "new" markers until more changes)."""

    allowed_roles = DESK_CONSOLE

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        queue.page_look_reset(user=user, page=queue.QUEUE_PAGE)
        return redirect(_back(request))
