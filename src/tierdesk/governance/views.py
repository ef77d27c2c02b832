"""Governance pages. Who sees which rows is decided by `selectors`; every change goes
through `services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.ids import posted_id
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import (
    ANY_USER,
    GOVERNANCE_ACTORS,
    GOVERNANCE_READERS,
    HANDOVER_RECEIVERS,
    PLATFORM_STAFF,
    STAFF_WIDE,
)
from tierdesk.governance import selectors, services
from tierdesk.governance.choices import (
    FindingStatus,
    GraduationStatus,
    GuardrailCode,
    SignalCode,
    SignalStatus,
)
from tierdesk.governance.forms import GraduationForm, OnboardingForm, QuestionnaireForm
from tierdesk.governance.models import (
    ChecklistItem,
    Finding,
    GraduationRequest,
    OnboardingAcknowledgement,
    OnboardingContent,
    Signal,
)
from tierdesk.inventory.models import SolutionEvent

OPEN_SIGNALS = [
    SignalStatus.OPEN,
    SignalStatus.ACKNOWLEDGED,
    SignalStatus.SNOOZED,
    SignalStatus.GRADUATING,
]


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class OverviewView(RoleRequiredMixin, View):
    """The platform team's governance queue: signals, findings and graduations."""

    allowed_roles = STAFF_WIDE

    def get(self, request: HttpRequest) -> HttpResponse:
        signals = Signal.objects.filter(status__in=OPEN_SIGNALS, solution__is_deleted=False)
        by_code = dict(signals.order_by().values_list("code").annotate(n=Count("id")))
        findings = Finding.objects.filter(status=FindingStatus.OPEN, solution__is_deleted=False)
        finding_counts = dict(findings.order_by().values_list("code").annotate(n=Count("id")))
        code = request.GET.get("code", "")
        status = request.GET.get("status", SignalStatus.OPEN)
        listed = Signal.objects.filter(solution__is_deleted=False).select_related(
            "solution", "solution__maker"
        )
        if code in SignalCode.values:
            listed = listed.filter(code=code)
        if status in SignalStatus.values:
            listed = listed.filter(status=status)
        page = Paginator(listed.order_by("-first_seen", "id"), 50).get_page(request.GET.get("page"))
        graduations = (
            selectors.graduations_visible_to(request_user(request))
            .exclude(status__in=[GraduationStatus.COMPLETED, GraduationStatus.WITHDRAWN])
            .select_related("solution", "requested_by")
            .order_by("created_at")
        )
        return render(
            request,
            "governance/overview.html",
            {
                "signal_rows": [(c.label, by_code.get(c.value, 0)) for c in SignalCode],
                "finding_rows": [(c.label, finding_counts.get(c.value, 0)) for c in GuardrailCode],
                "signal_total": sum(by_code.values()),
                "finding_total": sum(finding_counts.values()),
                "codes": SignalCode.choices,
                "statuses": SignalStatus.choices,
                "code": code,
                "status": status,
                "page": page,
                "graduations": graduations,
            },
        )


class MineView(RoleRequiredMixin, View):
    """A maker's solutions that need attention."""

    allowed_roles = GOVERNANCE_READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        own = selectors.governed_solutions_visible_to(user)
        if roles_of(user) & STAFF_WIDE:
            own = own.filter(maker=user) | own.filter(owners__user=user)
        own = own.filter(is_deleted=False)
        signals = (
            Signal.objects.filter(solution__in=own, status__in=OPEN_SIGNALS)
            .select_related("solution")
            .order_by("solution__name", "code")
        )
        findings = (
            Finding.objects.filter(solution__in=own, status=FindingStatus.OPEN)
            .select_related("solution")
            .order_by("solution__name", "code")
        )
        graduations = selectors.graduations_visible_to(user).filter(solution__in=own)
        return render(
            request,
            "governance/mine.html",
            {
                "signals": list(signals[:200]),
                "findings": list(findings[:200]),
                "graduations": graduations.select_related("solution"),
                "acknowledged": OnboardingAcknowledgement.objects.filter(user=user).exists(),
            },
        )


class SolutionGovernanceView(RoleRequiredMixin, View):
    allowed_roles = GOVERNANCE_READERS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        solution = selectors.governed_solution_get_for_user(user, pk)
        assessment = selectors.latest_assessment(solution)
        initial = assessment.answers if assessment else {}
        return render(
            request,
            "governance/solution.html",
            {
                "solution": solution,
                "assessment": assessment,
                "questionnaire": QuestionnaireForm(initial=initial),
                "signals": Signal.objects.filter(solution=solution)
                .exclude(status=SignalStatus.RESOLVED)
                .order_by("code"),
                "findings": Finding.objects.filter(solution=solution)
                .exclude(status=FindingStatus.RESOLVED)
                .order_by("code"),
                "graduations": GraduationRequest.objects.filter(solution=solution).order_by(
                    "-created_at"
                ),
                "in_flight": selectors.graduation_in_flight(solution),
                "events": SolutionEvent.objects.filter(solution=solution)
                .select_related("actor")
                .order_by("-created_at", "-id")[:30],
                "may_act": selectors.can_govern(user, solution),
                "is_platform": selectors.can_confirm_tier(user),
                "tiers": [
                    ("productivity", _("Productivity")),
                    ("important", _("Important")),
                    ("critical", _("Critical")),
                ],
                "tomorrow": (clock.today() + dt.timedelta(days=14)).isoformat(),
            },
        )


class AssessView(RoleRequiredMixin, View):
    allowed_roles = GOVERNANCE_ACTORS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        solution = selectors.governed_solution_get_for_user(user, pk)
        form = QuestionnaireForm(request.POST)
        form.is_valid()
        try:
            services.assessment_run(solution=solution, actor=user, answers=form.cleaned_data)
            messages.success(request, _("Assessment recorded."))
        except ValidationError as error:
            _fail(request, error)
        return HttpResponseRedirect(reverse("governance:solution", args=[pk]))


class ConfirmTierView(RoleRequiredMixin, View):
    allowed_roles = PLATFORM_STAFF

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        solution = selectors.governed_solution_get_for_user(user, pk)
        try:
            services.tier_confirm(
                solution=solution,
                actor=user,
                tier=request.POST.get("tier", ""),
                expected_version=posted_id(request.POST.get("version"), field="version"),
            )
            messages.success(request, _("Tier confirmed."))
        except ValidationError as error:
            _fail(request, error)
        except VersionConflict:
            messages.error(request, _("Someone else changed this solution; look again."))
        return HttpResponseRedirect(reverse("governance:solution", args=[pk]))


class SignalActionView(RoleRequiredMixin, View):
    allowed_roles = GOVERNANCE_ACTORS

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        user = request_user(request)
        signal = selectors.signal_get_for_user(user, pk)
        if action not in {"acknowledge", "snooze"}:
            raise Http404("No such action.")
        try:
            if action == "acknowledge":
                services.signal_acknowledge(signal=signal, actor=user)
            elif action == "snooze":
                until = dt.date.fromisoformat(request.POST.get("until", ""))
                services.signal_snooze(signal=signal, actor=user, until=until)
        except ValueError:
            messages.error(request, _("Give a date."))
        except ValidationError as error:
            _fail(request, error)
        return HttpResponseRedirect(reverse("governance:solution", args=[signal.solution_id]))


class FindingWaiveView(RoleRequiredMixin, View):
    allowed_roles = PLATFORM_STAFF

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        finding = selectors.finding_get_for_user(user, pk)
        raw = request.POST.get("expires", "")
        try:
            services.finding_waive(
                finding=finding,
                actor=user,
                reason=request.POST.get("reason", ""),
                expires=dt.date.fromisoformat(raw) if raw else None,
            )
        except ValueError:
            messages.error(request, _("Give a date."))
        except ValidationError as error:
            _fail(request, error)
        return HttpResponseRedirect(reverse("governance:solution", args=[finding.solution_id]))


class GraduationCreateView(RoleRequiredMixin, View):
    allowed_roles = GOVERNANCE_ACTORS

    def _context(self, request: HttpRequest, pk: int, form: GraduationForm) -> dict[str, Any]:
        solution = selectors.governed_solution_get_for_user(request_user(request), pk)
        return {"solution": solution, "form": form}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(
            request, "governance/graduation_form.html", self._context(request, pk, GraduationForm())
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        form = GraduationForm(request.POST)
        context = self._context(request, pk, form)
        signal = None
        if request.POST.get("signal"):
            signal = selectors.signal_get_for_user(
                user, posted_id(request.POST["signal"], field="signal")
            )
        if form.is_valid():
            try:
                graduation = services.graduation_request_create(
                    solution=context["solution"],
                    actor=user,
                    target_tier=form.cleaned_data["target_tier"],
                    justification=form.cleaned_data["justification"],
                    signal=signal,
                )
                return HttpResponseRedirect(reverse("governance:graduation", args=[graduation.pk]))
            except ValidationError as error:
                _fail(request, error)
        return render(request, "governance/graduation_form.html", context, status=400)


class GraduationDetailView(RoleRequiredMixin, View):
    allowed_roles = HANDOVER_RECEIVERS | STAFF_WIDE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        graduation = selectors.graduation_get_for_user(user, pk)
        return render(
            request,
            "governance/graduation_detail.html",
            {
                "graduation": graduation,
                "checklist": graduation.checklist.select_related("done_by"),
                "may_work": selectors.can_govern(user, graduation.solution),
                "is_platform": selectors.can_review_graduation(user),
                "may_handover": selectors.can_acknowledge_handover(user, graduation),
            },
        )


class GraduationActionView(RoleRequiredMixin, View):
    """One form per step; the service decides whether this user may take it."""

    allowed_roles = HANDOVER_RECEIVERS
    actions = frozenset({"tick", "submit", "approve", "send_back", "handover"})

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        user = request_user(request)
        graduation = selectors.graduation_get_for_user(user, pk)
        if action not in self.actions:
            raise Http404("No such step.")
        try:
            if action == "tick":
                item = ChecklistItem.objects.filter(
                    request=graduation, pk=posted_id(request.POST.get("item"), field="item")
                ).first()
                if item is None:
                    messages.error(request, _("No such checklist item."))
                else:
                    services.checklist_item_tick(
                        item=item, actor=user, evidence=request.POST.get("evidence", "")
                    )
            elif action == "submit":
                services.graduation_submit(request=graduation, actor=user)
                messages.success(request, _("Sent to the platform team for review."))
            elif action == "approve":
                services.graduation_approve(
                    request=graduation, actor=user, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Approved: tier, support model and team changed."))
            elif action == "send_back":
                services.graduation_send_back(
                    request=graduation, actor=user, comment=request.POST.get("comment", "")
                )
            else:
                services.handover_acknowledge(request=graduation, actor=user)
                messages.success(request, _("Handover acknowledged."))
        except ValidationError as error:
            _fail(request, error)
        except VersionConflict:
            messages.error(request, _("Someone else changed this solution; look again."))
        return HttpResponseRedirect(reverse("governance:graduation", args=[graduation.pk]))


class OnboardingView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def _content(self) -> OnboardingContent | None:
        language = translation.get_language() or "en"
        return (
            OnboardingContent.objects.filter(language=language[:2]).first()
            or OnboardingContent.objects.filter(language="en").first()
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        platform = selectors.can_edit_onboarding(user)
        pending = selectors.makers_without_onboarding() if platform else None
        return render(
            request,
            "governance/onboarding.html",
            {
                "content": self._content(),
                "ack": OnboardingAcknowledgement.objects.filter(user=user).first(),
                "is_platform": platform,
                "pending": pending[:200] if pending is not None else None,
                "pending_count": pending.count() if pending is not None else 0,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        content = self._content()
        if content is not None:
            services.onboarding_acknowledge(user=request_user(request), content=content)
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        return HttpResponseRedirect(reverse("governance:onboarding"))


class OnboardingEditView(RoleRequiredMixin, View):
    allowed_roles = PLATFORM_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        bodies = dict(OnboardingContent.objects.values_list("language", "body"))
        form = OnboardingForm(
            initial={"body_en": bodies.get("en", ""), "body_ko": bodies.get("ko", "")}
        )
        return render(request, "governance/onboarding_edit.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OnboardingForm(request.POST)
        if not form.is_valid():
            return render(request, "governance/onboarding_edit.html", {"form": form}, status=400)
        for language in ("en", "ko"):
            services.onboarding_content_save(
                language=language,
                body=form.cleaned_data[f"body_{language}"],
                actor=request_user(request),
            )
        messages.success(request, _("Onboarding page saved."))
        return HttpResponseRedirect(reverse("governance:onboarding"))
