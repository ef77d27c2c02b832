"""The help-desk readiness page (issue 13, item 4): a readiness level per topic, the gaps
to train and the training plan as CSV or XLSX. Reads only: every figure and rule comes
from `insights.readiness`; this module parses the address, renders and exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.exports import FORMATS, Column, export_response
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.insights import coe, readiness
from tierdesk.insights.coe_views import PARAMETER_LABELS, _evaluated

TABLES = ("topics", "plan")


def _examples(r: readiness.TopicReadiness) -> str:
    return ", ".join(f"{e.number} {e.subject}".strip() for e in r.examples)


TOPIC_COLUMNS = [
    Column(_("Topic"), lambda r: r.label, 22),
    Column(_("Readiness"), lambda r: r.level_label, 14),
    Column(_("Resolved at the help desk"), lambda r: r.desk_resolved, 12),
    Column(_("Escalated past the help desk"), lambda r: r.escalated, 12),
    Column(_("Resolved at the help desk (%)"), lambda r: r.desk_share, 12),
    Column(_("Reopened (%)"), lambda r: r.reopen_rate, 10),
    Column(_("Hours at the help desk (average)"), lambda r: r.desk_hours, 12),
    Column(_("Hours to resolve (average)"), lambda r: r.hours_to_resolve, 12),
    Column(_("Solved by an article"), lambda r: r.deflections, 10),
    Column(_("Published articles"), lambda r: r.articles, 10),
    Column(_("Escalations resolved"), lambda r: r.escalations_resolved, 10),
    Column(_("With an article"), lambda r: r.covered, 10),
    Column(_("Without an article"), lambda r: r.uncovered, 10),
    Column(_("Coverage (%)"), lambda r: r.coverage, 10),
    Column(_("Reasons"), lambda r: " ".join(r.reasons), 80),
]

PLAN_COLUMNS = [
    Column(_("Topic"), lambda r: r.label, 22),
    Column(_("Readiness"), lambda r: r.level_label, 14),
    Column(_("What to train"), lambda r: " ".join(r.reasons), 80),
    Column(_("Resolved at the help desk (%)"), lambda r: r.desk_share, 12),
    Column(_("Escalated past the help desk"), lambda r: r.escalated, 12),
    Column(_("Reopened (%)"), lambda r: r.reopen_rate, 10),
    Column(_("Published articles"), lambda r: r.articles, 10),
    Column(_("Escalations without an article"), lambda r: r.uncovered, 12),
    Column(_("Article proposals waiting"), lambda r: r.open_proposals, 12),
    Column(_("Articles to write"), lambda r: r.articles_to_write, 10),
    Column(_("Example escalations without an article"), _examples, 60),
]

EXPORTS: dict[str, tuple[Any, Any, str]] = {
    "topics": (TOPIC_COLUMNS, _("Readiness by topic"), "help-desk-readiness"),
    "plan": (PLAN_COLUMNS, _("Training plan"), "help-desk-training-plan"),
}

LABELS: dict[str, Any] = {
    **PARAMETER_LABELS,
    **{p.name: p.label for p in readiness.PARAMETERS},
    "team": _("Team"),
    "table": _("Table"),
}


class ReadinessView(RoleRequiredMixin, View):
    """/insights/readiness/: readiness per topic with its reasons, the thresholds in a
    form kept in the address, the gaps to train, CSV/XLSX of both tables."""

    allowed_roles = readiness.READERS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not readiness.can_read_readiness(request.user):
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

    def get(self, request: HttpRequest) -> HttpResponseBase:
        user = request_user(request)
        scope = readiness.scope_of(user)
        t = readiness.parse_thresholds(request.GET)
        f = readiness.parse_filters(scope, request.GET)
        kind = request.GET.get("export", "")
        table = request.GET.get("table", "")
        if kind or table:
            if kind not in FORMATS:
                raise coe.BadParameter("export")
            if table not in TABLES:
                raise coe.BadParameter("table")
        rows = readiness.readiness(user, scope, t, f)
        if kind:
            columns, title, filename = EXPORTS[table]
            chosen = rows if table == "topics" else readiness.gaps(rows)
            fixed, cells = _evaluated(columns, chosen)
            return export_response(kind, fixed, cells, filename, sheet=str(title))
        start, end = readiness.window(t)
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("table", None)
        return render(
            request,
            "insights/readiness.html",
            {
                "t": t,
                "start": start,
                "end": end,
                "rows": rows,
                "gaps": readiness.gaps(rows),
                "fields": _fields(t),
                "business_units": list(readiness.business_units_for(scope)),
                "business_unit": f.business_unit,
                "teams": list(readiness.teams_for(scope)),
                "team": f.team,
                "limited_units": scope.unit_ids is not None,
                "limited_teams": scope.team_ids is not None,
                "query": query.urlencode(),
            },
        )


def _fields(t: readiness.Thresholds) -> list[dict[str, Any]]:
    """The form's fields, each with its value in use."""
    return [
        {
            "name": p.name,
            "label": p.label,
            "unit": p.unit,
            "value": getattr(t, p.name),
            "min": p.low,
            "max": p.high,
            "step": "1" if p.integer else "0.1",
        }
        for p in readiness.PARAMETERS
    ]
