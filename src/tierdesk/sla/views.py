"""Pages: service levels (calendars, policies, settings) and who is on call."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from tierdesk.accounts.models import User
from tierdesk.common import durations
from tierdesk.common.ids import posted_id
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, ON_CALL_READERS
from tierdesk.inventory.choices import Tier
from tierdesk.sla import oncall, selectors
from tierdesk.sla.choices import EscalationTarget, Priority
from tierdesk.sla.models import TICKET, SlaSettings

READERS = ANY_USER


COUNTRIES = {
    "KR": gettext_lazy("South Korea"),
    "US": gettext_lazy("United States"),
    "JP": gettext_lazy("Japan"),
    "CN": gettext_lazy("China"),
    "DE": gettext_lazy("Germany"),
    "GB": gettext_lazy("United Kingdom"),
    "VN": gettext_lazy("Vietnam"),
    "IN": gettext_lazy("India"),
}


def _labels(choices: dict[str, Any], codes: list[str]) -> list[str]:
    return [str(choices.get(code, code)) for code in codes or []]


def _ticket_statuses() -> dict[str, Any]:
    """The desk's ticket statuses in words; read from the model at run time (the SLA
    engine sits below the desk and does not import it)."""
    field = apps.get_model(TICKET)._meta.get_field("status")
    return dict(field.flatchoices)


class OverviewView(RoleRequiredMixin, TemplateView):
    allowed_roles = READERS
    template_name = "sla/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        days = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        rows = list(selectors.calendars_visible_to(user))
        for c in rows:
            c.week = [  # type: ignore[attr-defined]
                (days[i], [f"{a}–{b}" for a, b in windows])
                for i, windows in enumerate(c.weekly_hours or [])
                if windows
            ]
            c.country_name = COUNTRIES.get(c.country, c.country)  # type: ignore[attr-defined]
        row = SlaSettings.load()
        targets = dict(EscalationTarget.choices)
        context.update(
            calendar_rows=rows,
            policies=selectors.policies_visible_to(user),
            pause_statuses=_labels(_ticket_statuses(), row.pause_statuses),
            escalate_priorities=_labels(dict(Priority.choices), row.escalate_priorities),
            escalate_tiers=_labels(dict(Tier.choices), row.escalate_tiers),
            escalation_steps=[
                {
                    "after": durations.minutes_words(step.get("after_minutes")),
                    "target": str(targets.get(step.get("target", ""), step.get("target", ""))),
                }
                for step in row.escalation_steps or []
            ],
            can_edit=selectors.can_edit_service_levels(user),
        )
        return context


class OnCallView(RoleRequiredMixin, TemplateView):
    allowed_roles = ON_CALL_READERS
    template_name = "sla/oncall.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_edit = selectors.can_edit_on_call(user)
        context.update(
            board=selectors.on_call_board(user),
            can_edit=can_edit,
            uncovered=list(oncall.critical_solutions_without_on_call()[:20]) if can_edit else [],
            people=User.objects.filter(is_active=True).order_by("username")[:500]
            if can_edit
            else [],
        )
        return context


class OverrideCreateView(RoleRequiredMixin, View):
    """POST only: GET answers 405 (a TemplateView without a template answered 500)."""

    allowed_roles = ON_CALL_READERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rotation = get_object_or_404(selectors.rotations_visible_to(request.user), pk=pk)
        user = User.objects.filter(
            pk=posted_id(request.POST.get("user"), field="user", optional=True), is_active=True
        ).first()
        replaces = User.objects.filter(
            pk=posted_id(request.POST.get("replaces"), field="replaces", optional=True)
        ).first()
        starts = parse_datetime(request.POST.get("starts_at", ""))
        ends = parse_datetime(request.POST.get("ends_at", ""))
        if user is None or starts is None or ends is None:
            messages.error(request, _("Choose a person, a start and an end."))
            return HttpResponseRedirect(reverse("sla:oncall"))
        tz = timezone.get_current_timezone()
        starts = timezone.make_aware(starts, tz) if timezone.is_naive(starts) else starts
        ends = timezone.make_aware(ends, tz) if timezone.is_naive(ends) else ends
        assert isinstance(request.user, User)
        try:
            oncall.override_create(
                rotation=rotation,
                user=user,
                replaces=replaces,
                kind="swap" if replaces else "override",
                starts_at=starts,
                ends_at=ends,
                actor=request.user,
                reason=request.POST.get("reason", "")[:200],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(user)s is on call then.") % {"user": user})
        return HttpResponseRedirect(reverse("sla:oncall"))
