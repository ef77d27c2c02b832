"""The decisions page (issue 13, item 3): formalise team support, staff the dedicated
platform team, relieve overloaded makers. Reads only: every figure and rule comes from
`insights.decisions`; this module parses the address, renders and exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.exports import FORMATS, Column, export_response
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.insights import coe, decisions, prepared
from tierdesk.insights.coe_views import PARAMETER_LABELS, _evaluated, _tier_label
from tierdesk.inventory.choices import SupportModel

TABLES = ("formalise", "staffing", "makers")


def _support_label(value: str) -> str:
    return str(SupportModel(value).label) if value in SupportModel.values else str(_("Not set"))


FORMALISE_COLUMNS = [
    Column(_("Business unit"), lambda d: d.business_unit, 20),
    Column(_("Recommendation"), lambda d: d.verdict_label, 14),
    Column(_("Solutions on self or team support"), lambda d: d.solutions, 12),
    Column(_("Critical"), lambda d: d.critical, 8),
    Column(_("Tickets in the period"), lambda d: d.tickets, 10),
    Column(_("Tickets per 30 days"), lambda d: d.tickets_30d, 10),
    Column(_("Replies and notes"), lambda d: d.touches, 10),
    Column(_("Busiest maker, hours a week"), lambda d: d.maker_hours_week, 10),
    Column(_("Overloaded makers"), lambda d: d.overloaded_makers, 10),
    Column(_("Reasons"), lambda d: " ".join(d.reasons), 80),
]

STAFFING_COLUMNS = [
    Column(_("Quarter"), lambda q: q["label"], 10),
    Column(_("Critical solutions"), lambda q: q["critical"], 10),
    Column(_("Tickets"), lambda q: q["tickets"], 10),
    Column(_("Platform team hours"), lambda q: q["hours"], 12),
    Column(_("FTE"), lambda q: q["fte"], 8),
    Column(_("FTE without the what-if"), lambda q: q["fte_without_what_if"], 10),
]

MAKER_COLUMNS = [
    Column(_("Maker"), lambda r: r[0].name, 20),
    Column(_("User name"), lambda r: r[0].username, 16),
    Column(_("Hours a week answering (estimate)"), lambda r: r[0].hours_week, 12),
    Column(_("Over the limit"), lambda r: str(_("Yes") if r[0].flagged else _("No")), 8),
    Column(_("Solution"), lambda r: r[1].name, 30),
    Column(_("Tier"), lambda r: _tier_label(r[1].tier), 10),
    Column(_("Support model"), lambda r: _support_label(r[1].support_model), 16),
    Column(_("Tickets in the period"), lambda r: r[1].opened, 10),
    Column(_("Replies and notes"), lambda r: r[1].touches, 10),
    Column(_("Suggestion"), lambda r: r[1].suggestion_text, 36),
]

EXPORTS: dict[str, tuple[Any, Any, str]] = {
    "formalise": (FORMALISE_COLUMNS, _("Formalise team support"), "formalise-team-support"),
    "staffing": (STAFFING_COLUMNS, _("Dedicated-team staffing"), "platform-team-staffing"),
    "makers": (MAKER_COLUMNS, _("Maker burden"), "maker-burden"),
}

LABELS: dict[str, Any] = {
    **PARAMETER_LABELS,
    **{p.name: p.label for p in decisions.PARAMETERS},
    "graduate": _("Solutions that graduate"),
    "table": _("Table"),
}


class DecisionView(RoleRequiredMixin, View):
    """A decisions page: allowed to `decisions.can_read_decisions`, bad parameters
    answer 400 naming the parameter."""

    allowed_roles = decisions.READERS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not decisions.can_read_decisions(request.user):
            raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except coe.BadParameter as error:
            name = str(error)
            return render(
                request,
                "insights/coe_bad_request.html",
                {"parameter": LABELS.get(name, name), "retry": request.path},
                status=400,
            )

    def scope(self, request: HttpRequest) -> coe.Scope:
        return coe.scope_of(request_user(request))


class DecisionsView(DecisionView):
    """/insights/decisions/: the three decisions with their reasons, the thresholds and
    assumptions in a form kept in the address, CSV/XLSX per table."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        scope = self.scope(request)
        a = decisions.parse_assumptions(scope, request.GET)
        unit = coe._unit(scope, request.GET.get("business_unit"))
        kind = request.GET.get("export", "")
        if kind:
            if kind not in FORMATS:
                raise coe.BadParameter("export")
            table = request.GET.get("table", "")
            if table not in TABLES:
                raise coe.BadParameter("table")
            return self.export(request, scope, a, unit, kind, table)
        found = decisions.overview(scope, a, business_unit=unit)
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("table", None)
        return render(
            request,
            "insights/decisions.html",
            {
                "a": a,
                "units": found.units,
                "staffing": found.staffing,
                "chart": _chart(found.staffing),
                "flagged": found.flagged,
                "estimated": found.estimated,
                "fields": _fields(a),
                "business_units": list(coe.business_units_for(scope)),
                "business_unit": unit,
                "limited": scope.unit_ids is not None,
                "query": query.urlencode(),
            },
        )

    def export(
        self,
        request: HttpRequest,
        scope: coe.Scope,
        a: decisions.Assumptions,
        unit: int | None,
        kind: str,
        table: str,
    ) -> HttpResponseBase:
        columns, title, filename = EXPORTS[table]
        rows = _rows(scope, a, unit, table)
        if len(rows) > prepared.PREPARE_ABOVE:
            download = prepared.prepare(
                actor=request_user(request),
                export=f"decisions-{table}",
                kind=kind,
                query=request.GET,
                title=str(title),
                page=request.path,
            )
            return redirect("insights:download", pk=download.pk)
        fixed, cells = _evaluated(columns, rows)
        return export_response(kind, fixed, cells, filename, sheet=str(title))


def _rows(scope: coe.Scope, a: decisions.Assumptions, unit: int | None, table: str) -> list[Any]:
    if table == "formalise":
        return list(decisions.formalise(scope, a, business_unit=unit))
    if table == "staffing":
        return list(decisions.staffing(scope, a).quarters)
    return [(m, s) for m in decisions.maker_burden(scope, a) for s in m.solutions]


def _decisions_builder(table: str) -> prepared.Builder:
    """A decision's table as `user` would download it from the page with `query`."""

    def build(user: User, query: QueryDict, arguments: dict[str, Any]) -> prepared.Table:
        if not decisions.can_read_decisions(user):
            raise PermissionDenied
        scope = coe.scope_of(user)
        a = decisions.parse_assumptions(scope, query)
        unit = coe._unit(scope, query.get("business_unit"))
        columns, title, filename = EXPORTS[table]
        fixed, cells = _evaluated(columns, _rows(scope, a, unit, table))
        return prepared.Table(fixed, cells, filename, str(title))

    return build


def _chart(staffing: decisions.Staffing) -> list[dict[str, Any]]:
    """Critical solutions counted (the last four quarters and today) and projected."""
    points: list[dict[str, Any]] = [
        {"date": t["date"], "critical": t["critical"], "projected": None} for t in staffing.trend
    ]
    points[-1]["projected"] = points[-1]["critical"]
    points += [
        {"date": q["date"], "critical": None, "projected": q["critical"]} for q in staffing.quarters
    ]
    return points


def _fields(a: decisions.Assumptions) -> dict[str, list[dict[str, Any]]]:
    """The form's fields per section, each with its value in use."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for p in decisions.PARAMETERS:
        value = getattr(a, p.name)
        sections.setdefault(p.section, []).append(
            {
                "name": p.name,
                "label": p.label,
                "unit": p.unit,
                "value": "" if value is None else value,
                "min": p.low,
                "max": p.high,
                "step": "1" if p.integer else "0.1",
            }
        )
    return sections


for _table in TABLES:
    prepared.register(f"decisions-{_table}", _decisions_builder(_table))
