"""Desk pages: the requester's portal, the agent console, the ticket page, the expert
bypass form and the form a solution embeds. Who sees which ticket is decided by
`selectors`, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.accounts.selectors import user_find_by_principal
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.roles import ANY_USER, Role
from tierdesk.desk import forms, ladder, selectors, services
from tierdesk.desk.api.views import csv_export
from tierdesk.desk.choices import Channel, MessageKind, Priority, TicketStatus
from tierdesk.desk.models import DeskSettings, RequestType, Ticket, TicketEvent
from tierdesk.inventory.models import Solution
from tierdesk.sla import selectors as sla_selectors

PAGE_SIZE = 50
MAX_PAGES = 20
CONSOLE_ROLES = frozenset(
    {
        Role.MAKER,
        Role.TEAM_MEMBER,
        Role.HELP_DESK_AGENT,
        Role.PLATFORM_ENGINEER,
        Role.PARTNER_AGENT,
        Role.MANAGER,
        Role.ADMIN,
    }
)
FILERS = frozenset({Role.PLATFORM_ENGINEER, Role.ADMIN})


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, qs: QuerySet[Ticket]) -> dict[str, Any]:
    """Bounded pages: read one row more than shown to know whether there is a next page;
    never count the table."""
    try:
        number = max(1, min(int(request.GET.get("page", 1)), MAX_PAGES))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "tickets": rows[:PAGE_SIZE],
        "page_number": number,
        "has_next": len(rows) > PAGE_SIZE and number < MAX_PAGES,
        "has_previous": number > 1,
        "query": query.urlencode(),
    }


def solution_lookup(text: str) -> Solution | None:
    text = (text or "").strip()
    if not text:
        return None
    return (
        Solution.objects.filter(is_deleted=False)
        .filter(Q(platform_id__iexact=text) | Q(name=text))
        .order_by("id")
        .first()
    )


class PortalView(RoleRequiredMixin, View):
    """My requests: what I asked and what I watch."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        qs = (
            selectors.tickets_visible_to(user)
            .filter(Q(requester=user) | Q(watcher_rows__user=user))
            .select_related("team", "agent", "solution")
            .distinct()
            .order_by("-created_at", "-id")
        )
        context = _page(request, qs)
        context["catalog"] = RequestType.objects.filter(is_active=True).order_by("name")
        return render(request, "desk/portal.html", context)


class SearchView(RoleRequiredMixin, View):
    """Every ticket the user may see, searchable, with a capped count."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        q = request.GET.get("q", "")
        qs = selectors.ticket_search(selectors.tickets_visible_to(user), q)
        status = request.GET.get("status", "")
        if status in TicketStatus.values:
            qs = qs.filter(status=status)
        count, more = selectors.capped_count(qs)
        context = _page(request, qs.select_related("team", "agent").order_by("-created_at", "-id"))
        context.update({"q": q, "count": count, "more": more, "statuses": TicketStatus.choices})
        return render(request, "desk/search.html", context)


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

    allowed_roles = CONSOLE_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
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
                "can_take": bool(roles_of(user) - {Role.REQUESTER, Role.MANAGER}),
            }
        )
        partial = bool(getattr(request, "htmx", False))
        return render(request, "desk/_queue_table.html" if partial else "desk/queue.html", context)


class QueueExportView(RoleRequiredMixin, View):
    allowed_roles = CONSOLE_ROLES

    def get(self, request: HttpRequest) -> HttpResponseBase:
        user = _user(request)
        filters, _teams = _filters(request, user)
        return csv_export(selectors.ticket_queue(user, filters), "queue.csv")


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
        user = _user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        return render(request, "desk/ticket_detail.html", _detail_context(user, ticket))


def _detail_context(user: User, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    notes = selectors.can_see_notes(user, ticket)
    moves = selectors.allowed_moves(user, ticket)
    if not ticket.is_open and selectors.can_reopen(user, ticket) and "reopen" not in moves:
        moves = ["reopen"]
    attachments = ticket.attachments.all()
    if not notes:
        attachments = attachments.filter(is_internal=False)
    solution = ticket.solution
    return {
        "ticket": ticket,
        "timeline": _timeline(user, ticket),
        "can_note": notes,
        "can_work": selectors.can_work(user, ticket),
        "moves": [
            {"name": m, "label": forms.MOVE_LABELS[m], "form": forms.MOVE_FORMS[m](prefix=m)}
            for m in moves
        ],
        "attachments": attachments,
        "vendor_cases": ticket.vendor_cases.select_related("filed_by"),
        "co_owners": list(solution.co_owners.all()) if solution else [],
        "sla_clocks": sla_selectors.ticket_clocks(ticket.pk),
        "sla_history": sla_selectors.ticket_clock_history(ticket.pk),
        **extra,
    }


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
        user = _user(request)
        form, request_type = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            solution = solution_lookup(data["solution"])
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

    allowed_roles = FILERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "desk/bypass.html", {"form": forms.BypassForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        form = forms.BypassForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            requester = User.objects.filter(username=data["requester"]).first() or (
                user_find_by_principal(data["requester"])
            )
            solution = solution_lookup(data["solution"])
            if requester is None:
                form.add_error("requester", _("Nobody with that name."))
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


class TicketPostView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int, what: str) -> HttpResponse:
        user = _user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        body = request.POST.get("body", "")
        try:
            if what == "reply":
                may_reply = ticket.requester_id == user.pk or selectors.can_work(user, ticket)
                if not may_reply and not ticket.watcher_rows.filter(user=user).exists():
                    raise PermissionDenied
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
                    internal=request.POST.get("internal") == "1"
                    and selectors.can_see_notes(user, ticket),
                )
            elif what == "take":
                if not selectors.can_work(user, ticket):
                    raise PermissionDenied
                ticket = ladder.ticket_assign(
                    ticket=ticket, actor=user, agent=user, reason=_("Taken from the queue")
                )
                if getattr(request, "htmx", False):
                    return render(request, "desk/_queue_row.html", {"t": ticket, "can_take": False})
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("desk:ticket-detail", pk=ticket.pk)


class TicketMoveView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int, move: str) -> HttpResponse:
        user = _user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        allowed = selectors.allowed_moves(user, ticket)
        if move == "reopen" and selectors.can_reopen(user, ticket):
            allowed = [*allowed, "reopen"]
        if move not in forms.MOVE_FORMS:
            raise Http404
        if move not in allowed:
            raise PermissionDenied
        form = forms.MOVE_FORMS[move](request.POST, prefix=move)
        if not form.is_valid():
            messages.error(request, _("Check the form: %s") % form.errors.as_text())
            return redirect("desk:ticket-detail", pk=ticket.pk)
        data = dict(form.cleaned_data)
        try:
            _run_move(user, ticket, move, data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done: %s.") % forms.MOVE_LABELS[move])
        return redirect("desk:ticket-detail", pk=ticket.pk)


def _run_move(user: User, ticket: Ticket, move: str, data: dict[str, Any]) -> None:
    if move in {"link_duplicate", "merge"}:
        other = (
            selectors.tickets_visible_to(user)
            .filter(Q(number=data["other"].strip().upper()) | Q(pk=_int(data["other"])))
            .first()
        )
        if other is None:
            raise ValidationError(_("No such ticket."))
        if move == "merge":
            ladder.ticket_merge(source=ticket, target=other, actor=user)
        else:
            ladder.ticket_link_duplicate(
                ticket=ticket, original=other, actor=user, reason=data["reason"]
            )
        return
    if move == "assign":
        agent = None
        if data["agent"]:
            agent = User.objects.filter(username=data["agent"], is_active=True).first()
            if agent is None:
                raise ValidationError(_("Nobody with that user name."))
        ladder.ticket_assign(
            ticket=ticket, actor=user, reason=data["reason"], team=data["team"], agent=agent
        )
        return
    functions: dict[str, Any] = {
        "triage": ladder.ticket_triage,
        "redirect": ladder.ticket_redirect,
        "escalate": ladder.ticket_escalate,
        "de_escalate": ladder.ticket_de_escalate,
        "hand_back": ladder.ticket_hand_back,
        "hand_over": ladder.ticket_hand_over,
        "resolve": services.ticket_resolve,
        "reopen": services.ticket_reopen,
        "vendor_case": ladder.vendor_case_open,
        "partner_case": ladder.partner_case_open,
    }
    functions[move](ticket=ticket, actor=user, **data)


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else -1


class TicketEditView(RoleRequiredMixin, View):
    """Edit with the version read; a stale edit shows both versions and lets the editor
    apply theirs on top of the current one."""

    allowed_roles = ANY_USER

    def _ticket(self, request: HttpRequest, pk: int) -> Ticket:
        user = _user(request)
        ticket = selectors.ticket_get_for_user(user, pk)
        if not (selectors.can_work(user, ticket) or ticket.requester_id == user.pk):
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
                ticket=ticket, actor=_user(request), expected_version=expected, changes=changes
            )
        except services.TicketConflict as conflict:
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
        attachment = selectors.attachment_get_for_user(_user(request), pk, attachment_pk)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _rate_limited(request: HttpRequest, limit: int) -> bool:
    """At most `limit` submissions per address per hour (Django's cache)."""
    key = f"desk:embed:{_client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


# csrf_exempt: the form is framed by other sites, where the browser withholds the CSRF
# cookie; session cookies are SameSite=Lax, so a cross-site POST is anonymous anyway and
# the honeypot, the signed fill time and the rate limit guard the anonymous path.
@method_decorator([xframe_options_exempt, csrf_exempt], name="dispatch")
class EmbedView(View):
    """The form a solution embeds: /desk/embed/<platform id>/?lang=ko."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        lang = request.GET.get("lang", "")
        if lang not in {"en", "ko"}:
            lang = translation.get_language() or "en"
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            f"frame-ancestors {DeskSettings.load().embed_frame_ancestors}"
        )
        response["Content-Language"] = lang
        return response

    def _context(self, request: HttpRequest, solution: Solution, form: Any) -> dict[str, Any]:
        settings_row = DeskSettings.load()
        return {
            "solution": solution,
            "form": form,
            "anonymous_ok": settings_row.allow_anonymous_embed,
            "signed_in": request.user.is_authenticated,
            "lang": request.LANGUAGE_CODE,
        }

    def _solution(self, platform_id: str) -> Solution:
        solution = (
            Solution.objects.filter(platform_id__iexact=platform_id, is_deleted=False)
            .order_by("id")
            .first()
        )
        if solution is None:
            raise Http404("No such solution.")
        return solution

    def get(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        form = forms.EmbedForm(initial={"started": forms.EmbedForm.stamp()})
        return render(request, "desk/embed.html", self._context(request, solution, form))

    def post(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        settings_row = DeskSettings.load()
        form = forms.EmbedForm(request.POST)
        signed_in = request.user.is_authenticated
        if not signed_in and not settings_row.allow_anonymous_embed:
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=403
            )
        if _rate_limited(request, settings_row.embed_rate_limit):
            return HttpResponse(_("Too many requests. Try again later."), status=429)
        if not form.is_valid():
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=400
            )
        data = form.cleaned_data
        age = forms.EmbedForm.age_s(data["started"])
        if data["website"] or age < settings_row.embed_min_fill_seconds:
            # Looks automated: answer as if accepted, keep nothing.
            return render(request, "desk/embed_done.html", {"ticket": None}, status=200)
        if not signed_in and not data["email"]:
            form.add_error("email", _("Give an e-mail address so we can answer."))
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=400
            )
        user = _user(request) if signed_in else None
        ticket = services.ticket_create(
            requester=user,
            actor=user,
            requester_name=data["name"],
            requester_email=data["email"],
            subject=data["subject"],
            description=data["description"],
            solution=solution,
            topic=data["topic"],
            urgency=data["urgency"],
            channel=Channel.EMBED,
            language=request.LANGUAGE_CODE,
        )
        return render(
            request, "desk/embed_done.html", {"ticket": ticket, "lang": request.LANGUAGE_CODE}
        )
