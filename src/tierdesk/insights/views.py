"""The automation candidates' pages. Reads ask `selectors` (who may open them, which
example requests a reader may see); every write calls one service or the finder, which
decide by their named rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin, require
from tierdesk.insights import jobs, selectors, services
from tierdesk.insights.choices import CandidateStatus, ClusterBasis, RunTrigger
from tierdesk.insights.finder import DEFAULT_DAYS, DEFAULT_MIN_SIZE, RunInProgress
from tierdesk.insights.finder import automation_candidates_find as find
from tierdesk.insights.forms import LinkForm, RejectForm
from tierdesk.insights.models import AutomationCandidate
from tierdesk.insights.rules import rule_text

PAGE_SIZE = 100
ACTIVE = [CandidateStatus.OPEN, CandidateStatus.ACCEPTED, CandidateStatus.IN_PROGRESS]
TABS = ["active", *CandidateStatus.values, "all"]


def _tab_label(tab: str) -> str:
    if tab == "active":
        return _("To decide or under way")
    if tab == "all":
        return _("All")
    return str(CandidateStatus(tab).label)


def basis_value(candidate: AutomationCandidate) -> str:
    """What the candidate's requests share, in the reader's language."""
    if candidate.basis == ClusterBasis.REQUEST_TYPE and candidate.request_type is not None:
        rt = candidate.request_type
        korean = (get_language() or "").startswith("ko")
        return (rt.name_ko or rt.name) if korean else rt.name
    if candidate.basis == ClusterBasis.TICKET_TYPE and candidate.ticket_type:
        return str(candidate.get_ticket_type_display())
    if candidate.basis == ClusterBasis.SOLUTION and candidate.solution is not None:
        return candidate.solution.name
    if candidate.topic:
        return str(candidate.get_topic_display())
    return "—"


def _row(candidate: AutomationCandidate) -> dict[str, Any]:
    return {
        "c": candidate,
        "basis": candidate.get_basis_display(),
        "value": basis_value(candidate),
        "suggestion": rule_text(candidate.rule),
        "agent_time": dt.timedelta(seconds=candidate.agent_seconds),
    }


class CandidateListView(RoleRequiredMixin, View):
    allowed_roles = selectors.READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        tab = request.GET.get("status", "active")
        if tab not in TABS:
            tab = "active"
        qs = selectors.candidates_for(user)
        counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
        if tab == "active":
            qs = qs.filter(status__in=ACTIVE)
        elif tab != "all":
            qs = qs.filter(status=tab)
        candidates = list(qs.order_by("-volume", "id")[:PAGE_SIZE])
        examples = selectors.examples_by_candidate(user, candidates)
        rows = [{**_row(c), "examples": examples.get(c.pk, [])} for c in candidates]
        tabs = []
        for name in TABS:
            if name == "active":
                n = sum(counts.get(s, 0) for s in ACTIVE)
            elif name == "all":
                n = sum(counts.values())
            else:
                n = counts.get(name, 0)
            tabs.append({"name": name, "label": _tab_label(name), "count": n, "on": name == tab})
        return render(
            request,
            "insights/automation_list.html",
            {
                "rows": rows,
                "tabs": tabs,
                "tab": tab,
                "any": bool(counts),
                "can_run": selectors.can_run_finder(user),
                "next_run": jobs.next_run(),
                "runs": selectors.last_runs(),
                "days": DEFAULT_DAYS,
                "min_size": DEFAULT_MIN_SIZE,
            },
        )


class RunNowView(RoleRequiredMixin, View):
    """ "지금 찾기": look for candidates now (`can_run_finder`)."""

    allowed_roles = selectors.READERS

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        try:
            run = find(actor=user, trigger=RunTrigger.PAGE)
        except RunInProgress:
            messages.warning(request, _("Another look is under way; try again in a minute."))
            return redirect("insights:automation")
        messages.success(
            request,
            _(
                "Looked at %(tickets)s resolved requests: %(clusters)s clusters "
                "(%(created)s new candidates)."
            )
            % {"tickets": run.tickets, "clusters": run.clusters, "created": run.created},
        )
        return redirect("insights:automation")


def _detail(
    user: User,
    candidate: AutomationCandidate,
    reject: RejectForm | None = None,
    link: LinkForm | None = None,
) -> dict[str, Any]:
    return {
        **_row(candidate),
        "examples": selectors.examples_for(user, candidate),
        "moves": selectors.candidate_moves(user, candidate),
        "events": candidate.events.select_related("actor")[:50],
        "reject_form": reject or RejectForm(auto_id="reject_%s"),
        "link_form": link
        or LinkForm(initial={"work_link": candidate.work_link}, auto_id="link_%s"),
    }


class CandidateDetailView(RoleRequiredMixin, View):
    """One candidate; POST action=accept|reject|start|done|link."""

    allowed_roles = selectors.READERS
    ACTIONS = frozenset({"accept", "reject", "start", "done", "link"})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        candidate = selectors.candidate_get_for_user(user, pk)
        return render(request, "insights/candidate_detail.html", _detail(user, candidate))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        candidate = selectors.candidate_get_for_user(user, pk)
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            messages.error(request, _("Choose what to do with the candidate."))
            return render(
                request, "insights/candidate_detail.html", _detail(user, candidate), status=400
            )
        reject = RejectForm(request.POST, auto_id="reject_%s") if action == "reject" else None
        link = LinkForm(request.POST, auto_id="link_%s") if action == "link" else None
        form = reject or link
        if form is not None and not form.is_valid():
            # the rule first: someone who may not decide is refused (403), not corrected
            require(selectors.MOVE_RULES[action](user, candidate))
            messages.error(request, _("The candidate was not changed: see the form below."))
            context = _detail(user, candidate, reject, link)
            return render(request, "insights/candidate_detail.html", context, status=400)
        try:
            if reject is not None:
                services.candidate_reject(
                    candidate=candidate, actor=user, reason=reject.cleaned_data["reason"]
                )
            elif link is not None:
                services.candidate_link_work(
                    candidate=candidate, actor=user, link=link.cleaned_data["work_link"]
                )
            else:
                services.MOVES[action](candidate=candidate, actor=user)
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            messages.error(request, _("The candidate was not changed: see the form below."))
            context = _detail(user, candidate, reject, link)
            return render(request, "insights/candidate_detail.html", context, status=400)
        done = {
            "accept": _("Accepted: it is now on the platform team's list."),
            "reject": _("Rejected. It comes back if its volume doubles."),
            "start": _("Marked as being automated."),
            "done": _("Marked as automated."),
            "link": _("Link to the work saved."),
        }
        messages.success(request, done[action])
        return redirect("insights:candidate", pk=candidate.pk)
