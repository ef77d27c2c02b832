"""The ticket page: timeline, replies (with canned responses and @mentions), triage with
the resulting priority, the solution, watchers, ladder moves, merge and duplicate with
search and preview, vendor cases, edits, attachments."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.ids import form_id
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import ANY_USER, READ_ALL
from tierdesk.desk import extensions, forms, ladder, selectors, services
from tierdesk.desk.choices import (
    Impact,
    MessageKind,
    Priority,
    TicketStatus,
    Urgency,
    VendorCaseStatus,
)
from tierdesk.desk.models import Ticket, TicketEvent
from tierdesk.sla import selectors as sla_selectors


def _timeline(user: User, ticket: Ticket) -> list[dict[str, Any]]:
    notes = selectors.can_see_notes(user, ticket)
    items: list[dict[str, Any]] = []
    message_qs = ticket.messages.select_related("author")
    if not notes:
        message_qs = message_qs.filter(kind=MessageKind.REPLY)
    for m in message_qs:
        items.append({"at": m.created_at, "id": m.pk, "message": m})
    event_qs = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not notes:
        event_qs = event_qs.filter(is_internal=False)
    for e in event_qs.exclude(type__in=["replied", "noted"]):
        items.append({"at": e.created_at, "id": e.pk, "event": e})
    items.sort(key=lambda item: (item["at"], "event" not in item, item["id"]))
    return items


class TicketDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        context = _detail_context(user, ticket, canned_id=form_id(request.GET.get("canned")))
        context["next_url"] = _next_ticket_url(request.GET.get("next", ""))
        return render(request, "desk/ticket_detail.html", context)


def _next_ticket_url(chain: str) -> str:
    """The queue links each ticket with ?next=<the ids after it on its page>: the next
    ticket's address, carrying the rest of the chain ("" when none, or not ids). Whether
    the next ticket may be seen is its own page's business (hidden answers 404)."""
    ids = [part for part in chain.split(",")[:50] if part.isascii() and part.isdigit()]
    ids = [part for part in ids if len(part) <= 18]
    if not ids:
        return ""
    url = reverse("desk:ticket-detail", args=[int(ids[0])])
    return f"{url}?next={','.join(ids[1:])}" if ids[1:] else url


# Moves the page shows in a place of their own rather than in the list of actions.
OWN_PLACE = {"link_duplicate", "merge"}


def _move_initial(ticket: Ticket, move: str) -> dict[str, Any]:
    if move == "triage":  # the ticket's own values: one click never turns a P4 into a P1
        return {"impact": ticket.impact, "urgency": ticket.urgency, "topic": ticket.topic}
    if move == "set_solution" and ticket.solution_id is not None:
        return {"solution": ticket.solution}
    return {}


def priority_matrix() -> dict[str, str]:
    """The impact × urgency matrix as the page's script reads it ("high|low": "p3"):
    `services.priority_for` for every cell, so the preview says what saving will do."""
    return {
        f"{impact}|{urgency}": services.priority_for(impact=impact, urgency=urgency)
        for impact in Impact.values
        for urgency in Urgency.values
    }


def _crumb(user: User, ticket: Ticket) -> dict[str, Any]:
    """Desk workers and whoever supports the ticket come from their queue; requesters from
    their requests."""
    if selectors.can_work(user, ticket) or roles_of(user) & READ_ALL:
        return {"url": reverse("desk:queue"), "label": _("Queue")}
    return {"url": reverse("desk:portal"), "label": _("My requests")}


def _detail_context(
    user: User, ticket: Ticket, *, canned_id: int | None = None, **extra: Any
) -> dict[str, Any]:
    notes = selectors.can_see_notes(user, ticket)
    moves = selectors.status_moves(user, ticket) + selectors.allowed_moves(user, ticket)
    attachments = ticket.attachments.all()
    if not notes:
        attachments = attachments.filter(is_internal=False)
    solution = ticket.solution
    details = selectors.can_see_solution_details(user, ticket)
    can_work = selectors.can_work(user, ticket)
    can_reply = selectors.can_reply(user, ticket)
    canned: list[dict[str, Any]] = []
    prefill = ""
    if can_reply and can_work:
        for found in selectors.canned_responses_for(user):
            text = services.canned_render(found.body, ticket=ticket, agent=user)
            canned.append({"id": found.pk, "title": found.title, "text": text})
            if found.pk == canned_id:
                prefill = text
    cases = list(ticket.vendor_cases.select_related("filed_by", "partner_team"))
    updatable = {c.pk for c in cases if selectors.can_update_vendor_case(user, c)}

    def form_for(m: str) -> Any:
        return forms.MOVE_FORMS[m](prefix=m, user=user, initial=_move_initial(ticket, m))

    return {
        "ticket": ticket,
        "ticket_panels": extensions.ticket_panels(user, ticket),
        "crumb": _crumb(user, ticket),
        "timeline": _timeline(user, ticket),
        "can_note": selectors.can_write_note(user, ticket),
        "can_reply": can_reply,
        "can_attach": selectors.can_attach(user, ticket),
        "can_edit": selectors.can_edit(user, ticket),
        "can_work": can_work,
        "requester_closes": selectors.requester_closes(user, ticket),
        "moves": [
            {"name": m, "label": forms.MOVE_LABELS[m], "form": form_for(m)}
            for m in moves
            if m not in OWN_PLACE
        ],
        "can_merge": "merge" in moves or "link_duplicate" in moves,
        "solution_form": (
            form_for("set_solution") if selectors.can_set_solution(user, ticket) else None
        ),
        "watcher_form": form_for("add_watcher") if can_work and ticket.is_open else None,
        "watchers": list(ticket.watchers.order_by("username")) if notes else [],
        "canned": canned,
        "reply_prefill": prefill,
        "priority_matrix_json": json.dumps(priority_matrix()),
        "priority_labels_json": json.dumps({p.value: str(p.label) for p in Priority}),
        "attachments": attachments,
        "vendor_cases": [
            {
                "case": c,
                "form": (
                    forms.VendorCaseUpdateForm(
                        prefix=f"case{c.pk}",
                        initial={"status": c.status, "external_number": c.external_number},
                    )
                    if c.pk in updatable and c.status != VendorCaseStatus.CLOSED
                    else None
                ),
            }
            for c in cases
        ],
        "solution_details": details,
        "co_owners": list(solution.co_owners.all()) if solution and details else [],
        "sla_clocks": sla_selectors.ticket_clocks(ticket.pk),
        "sla_history": sla_selectors.ticket_clock_history(ticket.pk),
        **extra,
    }


class TicketPostView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int, what: str) -> HttpResponse:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        body = request.POST.get("body", "")
        try:
            if what == "reply":
                services.ticket_reply(ticket=ticket, author=user, body=body)
            elif what == "note":
                services.ticket_note(ticket=ticket, author=user, body=body)
            elif what == "attach":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError({"file": _("Choose a file.")})
                services.ticket_attach(
                    ticket=ticket,
                    actor=user,
                    upload=upload,
                    internal=request.POST.get("internal") == "1",
                )
            elif what == "take":
                ticket = ladder.ticket_assign(
                    ticket=ticket, actor=user, agent=user, reason=_("Taken from the queue")
                )
                if getattr(request, "htmx", False):
                    return render(request, "desk/_queue_row.html", {"t": ticket, "takeable": set()})
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("desk:ticket-detail", pk=ticket.pk)


class TicketMoveView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int, move: str) -> HttpResponse:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        if move not in forms.MOVE_FORMS:
            raise Http404
        # The move's service decides whether this user may (selectors.can_move). Forms
        # with pickers check what may be picked first, so who may not make the move at
        # all is told so before being told about the picked value.
        if move in FIRST_RULES and not FIRST_RULES[move](user, ticket):
            raise PermissionDenied
        form = forms.MOVE_FORMS[move](request.POST, prefix=move, user=user)
        if not form.is_valid():
            messages.error(request, _("Check the form: %s") % _form_errors(form))
            return redirect("desk:ticket-detail", pk=ticket.pk)
        data = dict(form.cleaned_data)
        try:
            landed = _run_move(user, ticket, move, data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done: %s.") % forms.MOVE_LABELS[move])
            if landed is not None:  # merged: on to the ticket it now lives in
                return redirect("desk:ticket-detail", pk=landed.pk)
        return redirect("desk:ticket-detail", pk=ticket.pk)


FIRST_RULES: dict[str, Any] = {
    "set_solution": selectors.can_set_solution,
    "add_watcher": selectors.can_work,
}

STATUS_MOVES = {
    "wait_on_requester": TicketStatus.WAITING_ON_REQUESTER,
    "in_progress": TicketStatus.IN_PROGRESS,
}


def _form_errors(form: Any) -> str:
    """A form's errors as one sentence naming each field by its label, not its name."""
    parts = []
    for name, problems in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(p) for p in problems)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _run_move(user: User, ticket: Ticket, move: str, data: dict[str, Any]) -> Ticket | None:
    if move == "set_solution":
        ladder.ticket_set_solution(
            ticket=ticket, actor=user, solution=data["solution"], reason=data["reason"]
        )
        return None
    if move == "add_watcher":
        services.ticket_watch(ticket=ticket, user=data["person"], actor=user)
        return None
    if move in {"link_duplicate", "merge"}:
        other = (
            selectors.tickets_visible_to(user)
            .filter(Q(number=data["other"].strip().upper()) | Q(pk=form_id(data["other"])))
            .first()
        )
        if other is None:
            raise ValidationError(_("No such ticket."))
        if move == "merge":
            return ladder.ticket_merge(source=ticket, target=other, actor=user)
        ladder.ticket_link_duplicate(
            ticket=ticket, original=other, actor=user, reason=data["reason"]
        )
        return None
    if move == "assign":
        ladder.ticket_assign(
            ticket=ticket, actor=user, reason=data["reason"], team=data["team"], agent=data["agent"]
        )
        return None
    if move in STATUS_MOVES:
        services.ticket_set_status(
            ticket=ticket, actor=user, status=STATUS_MOVES[move], reason=data["reason"]
        )
        return None
    functions: dict[str, Any] = {
        "triage": ladder.ticket_triage,
        "redirect": ladder.ticket_redirect,
        "escalate": ladder.ticket_escalate,
        "de_escalate": ladder.ticket_de_escalate,
        "hand_back": ladder.ticket_hand_back,
        "hand_over": ladder.ticket_hand_over,
        "resolve": services.ticket_resolve,
        "reopen": services.ticket_reopen,
        "close": services.ticket_close,
        "vendor_case": ladder.vendor_case_open,
        "partner_case": ladder.partner_case_open,
    }
    functions[move](ticket=ticket, actor=user, **data)
    return None


class TicketEditView(RoleRequiredMixin, View):
    """Edit with the version read; a stale edit shows both versions and lets the editor
    apply theirs on top of the current one."""

    allowed_roles = ANY_USER

    def _ticket(self, request: HttpRequest, pk: int) -> Ticket:
        user = request_user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        # Only to show the form: ticket_update itself refuses whoever may not edit.
        if not selectors.can_edit(user, ticket):
            raise PermissionDenied
        return ticket

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = self._ticket(request, pk)
        form = forms.EditForm(
            initial={
                "version": ticket.version,
                "subject": ticket.subject,
                "description": ticket.description,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
            }
        )
        return render(request, "desk/ticket_edit.html", {"ticket": ticket, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = self._ticket(request, pk)
        form = forms.EditForm(request.POST)
        if not form.is_valid():
            return render(
                request, "desk/ticket_edit.html", {"ticket": ticket, "form": form}, status=400
            )
        changes = dict(form.cleaned_data)
        expected = changes.pop("version")
        try:
            services.ticket_update(
                ticket=ticket,
                actor=request_user(request),
                expected_version=expected,
                changes=changes,
            )
        except VersionConflict as conflict:
            current = conflict.current
            merge = forms.EditForm(initial={**changes, "version": current.version})
            rows = [
                {
                    "label": form.fields[name].label,
                    "current": getattr(current, name),
                    "yours": value,
                    "differs": getattr(current, name) != value,
                }
                for name, value in changes.items()
            ]
            return render(
                request,
                "desk/ticket_conflict.html",
                {"ticket": current, "rows": rows, "form": merge},
                status=409,
            )
        messages.success(request, _("Saved."))
        return redirect("desk:ticket-detail", pk=ticket.pk)


class AttachmentDownloadView(RoleRequiredMixin, View):
    """The only way to fetch an attachment: after the visibility check."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        attachment = selectors.attachment_get_for_user(request_user(request), pk, attachment_pk)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
