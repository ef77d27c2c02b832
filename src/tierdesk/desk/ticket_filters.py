"""The ticket search's filters (`/desk/tickets/` and `GET /api/v1/tickets/`): dates filed
and resolved, business unit, tier, support level, topic, team, open only, SLA breached,
escalated. The insights dashboard links here with its range and filters (its drill-down),
so business unit and tier are classified exactly as the daily facts classify a ticket
(`insights.facts._classifications`):

- business unit: the business unit of the ticket's solution; a ticket without a solution
  counts under its requester's business unit;
- tier: the tier of the ticket's solution; "none" (`TIER_NONE`) is a ticket without a
  solution or whose solution has no tier.

Level, topic and team are the ticket's current ones (the facts count an event under the
level and team the ticket had then: a ticket moved since shows under its new level).
Dates are local days (TIERDESK_TIME_ZONE), both ends included.

Every filter only narrows the queryset it is given (the visibility selector's): it never
widens what a user sees. A bad value is a form error (a message on the page, 400 naming
the parameter in the API)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.desk.choices import TicketEventType, Topic
from tierdesk.desk.models import Ticket, TicketEvent
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.sla.choices import AgreementKind, Metric, Stage
from tierdesk.sla.models import SlaClock

TIER_NONE = "none"
"""The tier filter's value for tickets without a solution or a tier (as the dashboard's)."""

ESCALATING = (
    TicketEventType.ESCALATED,
    TicketEventType.HANDED_OVER,
    TicketEventType.VENDOR_CASE_OPENED,
    TicketEventType.PARTNER_CASE_OPENED,
)
"""Moves up the ladder: the same events the daily facts count as escalations."""

FIELDS = (
    "created_from",
    "created_to",
    "resolved_from",
    "resolved_to",
    "business_unit",
    "tier",
    "level",
    "topic",
    "team",
    "open",
    "breached",
    "escalated",
)
"""The address parameters of the filters (kept in the URL)."""

FIRST_YEAR, LAST_YEAR = 1970, 2999


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class TicketFilterForm(forms.Form):
    """The filters, from a GET query (unknown parameters are left alone)."""

    created_from = _date_field(_("Filed from"))
    created_to = _date_field(_("Filed until"))
    resolved_from = _date_field(_("Resolved from"))
    resolved_to = _date_field(_("Resolved until"))
    business_unit = forms.ModelChoiceField(
        label=_("Business unit"),
        queryset=BusinessUnit.objects.order_by("name", "id"),
        required=False,
        empty_label=_("Any business unit"),
        help_text=_("Of the ticket's solution; without a solution, of its requester."),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("Any tier")), *Tier.choices, (TIER_NONE, _("Not set"))],
    )
    level = forms.ChoiceField(
        label=_("Support level"),
        required=False,
        choices=[("", _("Any level")), *SupportType.choices],
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("Any topic")), *Topic.choices]
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=SupportTeam.objects.order_by("kind", "name", "id"),
        required=False,
        empty_label=_("Any team"),
    )
    open = forms.BooleanField(label=_("Open only"), required=False)
    breached = forms.BooleanField(
        label=pgettext_lazy("ticket filter", "SLA missed"),
        required=False,
        help_text=_("A first response or resolution target missed, or overdue now."),
    )
    escalated = forms.BooleanField(
        label=pgettext_lazy("ticket filter", "Escalated"),
        required=False,
        help_text=_("Escalated or handed over at least once."),
    )

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        for name in ("business_unit", "team"):
            field = self.fields[name]
            field.error_messages["invalid_choice"] = _("There is no such %(what)s.") % {
                "what": str(field.label).lower()
            }

    def _range(self, start: str, end: str) -> None:
        first, last = self.cleaned_data.get(start), self.cleaned_data.get(end)
        for name, day in ((start, first), (end, last)):
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Enter a date between %(first)s and %(last)s.")
                    % {"first": f"{FIRST_YEAR}-01-01", "last": f"{LAST_YEAR}-12-31"},
                )
                return
        if first is not None and last is not None and first > last:
            self.add_error(end, _("The end of the range comes before its start."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._range("created_from", "created_to")
        self._range("resolved_from", "resolved_to")
        return cleaned

    @property
    def active(self) -> bool:
        """Whether any filter narrows (a valid form only)."""
        return any(self.cleaned_data.get(name) not in (None, "", False) for name in FIELDS)

    def params(self) -> dict[str, str]:
        """The valid filters as address parameters (empty ones left out)."""
        out: dict[str, str] = {}
        for name in FIELDS:
            value = self.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if isinstance(value, dt.date):
                out[name] = value.isoformat()
            elif value is True:
                out[name] = "1"
            elif hasattr(value, "pk"):
                out[name] = str(value.pk)
            else:
                out[name] = str(value)
        return out


def parse(params: Mapping[str, Any]) -> TicketFilterForm:
    """The filter form bound to the address's parameters (bound even when none is given,
    so `is_valid` and `cleaned_data` always work)."""
    data = {name: params.get(name) for name in FIELDS if params.get(name) not in (None, "")}
    return TicketFilterForm(data, auto_id="filter-%s")


def _zone() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local day."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_zone())


def breached_q(at: dt.datetime) -> Exists:
    """A first-response or resolution SLA clock that missed its target: marked breached,
    stopped after it was due (what the daily facts count as missed), or running past its
    due time now. Probed per ticket through the (ticket, stage) index."""
    return Exists(
        SlaClock.objects.filter(
            ticket_id=OuterRef("pk"),
            kind=AgreementKind.SLA,
            metric__in=[Metric.FIRST_RESPONSE, Metric.RESOLUTION],
        )
        .exclude(stage=Stage.CANCELLED)
        .filter(
            Q(breached=True)
            | Q(stage=Stage.COMPLETED, stopped_at__gt=F("due_at"))
            | Q(stage=Stage.IN_PROGRESS, due_at__lte=at)
        )
    )


def escalated_q() -> Exists:
    """Escalated (or handed over, or a vendor or partner case opened) at least once."""
    return Exists(TicketEvent.objects.filter(ticket_id=OuterRef("pk"), type__in=ESCALATING))


def business_unit_q(unit_id: int, *, probe: bool = False) -> Q:
    """The daily facts' business unit: the solution's, else the requester's. `probe`: a
    test per ticket row (for walking the newest-first index when many tickets match);
    otherwise index lookups through the unit's solutions and people (few tickets)."""
    if probe:
        return Q(
            Exists(Solution.objects.filter(pk=OuterRef("solution_id"), business_unit_id=unit_id))
        ) | Q(
            Exists(User.objects.filter(pk=OuterRef("requester_id"), business_unit_id=unit_id)),
            solution_id__isnull=True,
        )
    return Q(solution_id__in=Solution.objects.filter(business_unit_id=unit_id).values("pk")) | Q(
        solution_id__isnull=True,
        requester_id__in=User.objects.filter(business_unit_id=unit_id).values("pk"),
    )


def tier_q(tier: str, *, probe: bool = False) -> Q:
    """The daily facts' tier: the solution's ("none": no solution, or no tier)."""
    value = "" if tier == TIER_NONE else tier
    if probe:
        found = Q(Exists(Solution.objects.filter(pk=OuterRef("solution_id"), tier=value)))
    else:
        found = Q(solution_id__in=Solution.objects.filter(tier=value).values("pk"))
    return found | Q(solution_id__isnull=True) if tier == TIER_NONE else found


def narrowed(
    qs: QuerySet[Ticket], filters: Mapping[str, Any], *, at: dt.datetime, cap: int = 1000
) -> QuerySet[Ticket]:
    """`apply`, choosing how business unit and tier are tested: when more than `cap`
    tickets match (one bounded count through the indexes), the newest-first list walks
    the (created_at, id) index and tests each row; when few do, it reads them through
    the solutions' and requesters' indexes and sorts those few."""
    found = apply(qs, filters, at=at)
    if filters.get("business_unit") is None and not filters.get("tier"):
        return found
    if found.order_by()[: cap + 1].count() <= cap:
        return found
    return apply(qs, filters, at=at, probe=True)


def apply(
    qs: QuerySet[Ticket], filters: Mapping[str, Any], *, at: dt.datetime, probe: bool = False
) -> QuerySet[Ticket]:
    """`qs` narrowed by the cleaned filters (a valid `TicketFilterForm`'s cleaned_data)."""
    one_day = dt.timedelta(days=1)
    if filters.get("created_from"):
        qs = qs.filter(created_at__gte=day_start(filters["created_from"]))
    if filters.get("created_to"):
        qs = qs.filter(created_at__lt=day_start(filters["created_to"] + one_day))
    if filters.get("resolved_from"):
        qs = qs.filter(resolved_at__gte=day_start(filters["resolved_from"]))
    if filters.get("resolved_to"):
        qs = qs.filter(resolved_at__lt=day_start(filters["resolved_to"] + one_day))
    if filters.get("business_unit") is not None:
        qs = qs.filter(business_unit_q(filters["business_unit"].pk, probe=probe))
    if filters.get("tier"):
        qs = qs.filter(tier_q(filters["tier"], probe=probe))
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("topic"):
        qs = qs.filter(topic=filters["topic"])
    if filters.get("team") is not None:
        qs = qs.filter(team_id=filters["team"].pk)
    if filters.get("open"):
        qs = qs.filter(is_open__in=[True])  # an equality SQLite's planner uses (desk.queue)
    if filters.get("breached"):
        qs = qs.filter(breached_q(at))
    if filters.get("escalated"):
        qs = qs.filter(escalated_q())
    return qs
