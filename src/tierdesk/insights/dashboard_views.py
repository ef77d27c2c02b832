"""The dashboard page (대시보드, issue 13 item 2): every figure comes from
`insights.dashboards` (the daily facts, role-scoped); this module parses the address,
draws the charts, builds the drill-down links and exports each table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.selectors import request_user
from tierdesk.common.exports import FORMATS, Column, export_response
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.desk.choices import Topic
from tierdesk.insights import dashboards as d
from tierdesk.insights.coe import BadParameter
from tierdesk.inventory.choices import Tier

PARAMETER_LABELS: dict[str, Any] = {
    "start": _("From"),
    "end": pgettext_lazy("date range", "To"),
    "by": _("Per"),
    "business_unit": _("Business unit"),
    "tier": _("Tier"),
    "level": _("Support level"),
    "topic": _("Topic"),
    "team": _("Team"),
    "export": _("Download"),
    "table": _("Table"),
}


def percent(value: float | None) -> str:
    """ "82.5%" (in the request's number format), or "—" when there is nothing to divide."""
    if value is None:
        return "—"
    return number_format(round(value * 100, 1), 1) + "%"


# --- drill-down links -------------------------------------------------------------------
#
# Every ticket figure links to the ticket search (`/desk/tickets/`, `desk.ticket_filters`)
# with the dashboard's range and filters: filed from `start` to `end` (local days), business
# unit and tier classified as the daily facts classify a ticket (the solution's, else the
# requester's business unit), support level, topic and team. The list then holds the
# tickets the figure counts, as long as they have not moved since: the facts count an
# event under the level, team and topic the ticket had then, the list filters by the
# current ones. The search answers only what the reader may see.


def _url(name: str, params: dict[str, Any] | None = None) -> str:
    query = urlencode({k: v for k, v in (params or {}).items() if v not in ("", None)})
    return reverse(name) + (f"?{query}" if query else "")


def ticket_filters(q: d.Query, *, topic: bool = True) -> dict[str, Any]:
    """The dashboard's range and filters as the ticket search's parameters."""
    return {
        "created_from": q.start.isoformat(),
        "created_to": q.end.isoformat(),
        "business_unit": q.business_unit or "",
        "tier": q.tier,
        "level": q.level,
        "topic": q.topic if topic else "",
        "team": q.team or "",
    }


def drill_query(user: Any, q: d.Query) -> d.Query:
    """The query the links carry: a manager reading one business unit without naming it
    gets it named, so the list (where managers may read every ticket) holds the tickets
    the figure counts. A manager of several units who picks none gets links unfiltered by
    unit (the ticket search takes one unit); picking a unit in the filters narrows them."""
    if q.business_unit is not None or d.reader_kind(user) != "manager":
        return q
    units = list(d.business_units_for(user).values_list("pk", flat=True)[:2])
    return replace(q, business_unit=units[0]) if len(units) == 1 else q


def tickets_url(q: d.Query, *, open_only: bool = False, breached: bool = False) -> str:
    """The tickets behind a figure: filed in the range under the dashboard's filters;
    `open_only`: those still open (the backlog); `breached`: those that missed a
    first-response or resolution target (the SLA facts carry no topic, so neither does
    that link)."""
    params = ticket_filters(q, topic=not breached)
    params["open"] = "1" if open_only else ""
    params["breached"] = "1" if breached else ""
    return _url("desk:search", params)


def row_tickets_url(q: d.Query, *, breached: bool = False, **narrower: Any) -> str:
    """The tickets behind one row of a table: the dashboard's query narrowed to the row's
    business unit, tier, level or team (`row_tickets_url(q, tier="critical")`)."""
    return tickets_url(replace(q, **narrower), breached=breached)


def escalated_tickets_url(q: d.Query, **narrower: Any) -> str:
    """Tickets filed in the range that were escalated (or handed over) at least once."""
    params = ticket_filters(replace(q, **narrower))
    params["escalated"] = "1"
    return _url("desk:search", params)


def solution_tickets_url(solution_id: int, q: d.Query | None = None) -> str:
    """A solution's tickets (with `q`: filed in the dashboard's range)."""
    params: dict[str, Any] = {"solution": solution_id}
    if q is not None:
        params.update(created_from=q.start.isoformat(), created_to=q.end.isoformat())
    return _url("desk:search", params)


def unit_solutions_url(unit_id: int | None, q: d.Query) -> str:
    """A business unit's solutions (the inventory's list filters by unit and tier)."""
    return _url(
        "inventory:solution-list",
        {"business_unit": unit_id or "", "tier": q.tier},
    )


def tier_solutions_url(tier: str, q: d.Query) -> str:
    return _url("inventory:solution-list", {"tier": tier, "business_unit": q.business_unit or ""})


def governance_url(kind: str) -> str:
    return reverse("governance:mine" if kind == "maker" else "governance:overview")


# --- charts -----------------------------------------------------------------------------


def bars(rows: Iterable[dict[str, Any]], *, title: str, value: str, shown: str,
         url: str = "url", top: float | None = None) -> SafeString:  # fmt: skip
    """A bar list: each bar a link to what is behind it, with its figure written out
    (no inline style: the bar is an SVG rect whose width is an attribute)."""
    items = list(rows)
    peak = top if top is not None else max([float(r[value] or 0) for r in items] or [0]) or 1
    return format_html(
        '<ul class="dash-bars" aria-label="{}">{}</ul>',
        title,
        format_html_join(
            "",
            '<li><a href="{}"><span class="dash-bar-label">{}</span>'
            '<svg class="dash-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false"><rect class="dash-bar-bg" width="100" '
            'height="10"/><rect class="dash-bar-fill" width="{}" height="10"/></svg>'
            '<span class="dash-bar-value">{}</span></a></li>',
            (
                (
                    r[url],
                    r["label"],
                    f"{min(100.0, 100 * float(r[value] or 0) / peak):.1f}",
                    r[shown],
                )
                for r in items
            ),
        ),
    )


# --- exports ----------------------------------------------------------------------------


def _sla_columns(first: Any) -> list[Column]:
    return [
        Column(first, itemgetter("label"), 24),
        Column(_("First response met"), itemgetter("first_response_met"), 12),
        Column(_("First response missed"), itemgetter("first_response_breached"), 12),
        Column(_("First response attainment (%)"), lambda r: _pct(r["first_response_share"]), 12),
        Column(_("Resolution met"), itemgetter("resolution_met"), 12),
        Column(_("Resolution missed"), itemgetter("resolution_breached"), 12),
        Column(_("Resolution attainment (%)"), lambda r: _pct(r["resolution_share"]), 12),
        Column(_("Attainment (%)"), lambda r: _pct(r["share"]), 12),
    ]


def _pct(value: float | None) -> float | None:
    """A share as a percentage number for a spreadsheet (82.5), empty when undefined."""
    return None if value is None else round(value * 100, 1)


def _hours_at(value: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: r["hours"][value]


def _hours_columns() -> list[Column]:
    return [
        Column(gettext("Hours at %(level)s") % {"level": label}, _hours_at(value), 12)
        for value, label in SupportType.choices
    ]


def export_tables(kind: str) -> dict[str, tuple[Any, Callable[[], list[Column]], str]]:
    """Each table's title, columns and the context key of its rows."""
    return {
        "volume": (
            _("Volume"),
            lambda: [
                Column(_("Week starting") if kind == "week" else _("Day"), itemgetter("date"), 14),
                Column(_("Opened"), itemgetter("opened"), 10),
                Column(_("Resolved"), itemgetter("resolved"), 10),
                Column(_("Reopened"), itemgetter("reopened"), 10),
                Column(_("Backlog change"), itemgetter("backlog_change"), 12),
                Column(_("Open at the end"), itemgetter("backlog"), 12),
            ],
            "volume",
        ),
        "sla_policy": (
            _("SLA attainment per policy"),
            lambda: _sla_columns(_("Policy")),
            "sla_policy",
        ),
        "sla_tier": (_("SLA attainment per tier"), lambda: _sla_columns(_("Tier")), "sla_tier"),
        "sla_level": (
            _("SLA attainment per level"),
            lambda: _sla_columns(_("Support level")),
            "sla_level",
        ),
        "units": (
            _("Business units"),
            lambda: [
                Column(_("Business unit"), itemgetter("name"), 24),
                Column(_("Opened"), itemgetter("opened"), 10),
                Column(_("Resolved"), itemgetter("resolved"), 10),
                Column(_("Escalations"), itemgetter("escalations"), 10),
                Column(_("Escalation rate (%)"), lambda r: _pct(r["escalation_rate"]), 10),
                Column(_("Bounce-backs"), itemgetter("bounce_backs"), 10),
                Column(_("Redirects"), itemgetter("redirects"), 10),
                Column(_("Redirect rate (%)"), lambda r: _pct(r["redirect_rate"]), 10),
                Column(_("Bypass logs"), itemgetter("bypass_logs"), 10),
                Column(_("Bypass rate (%)"), lambda r: _pct(r["bypass_rate"]), 10),
                Column(_("Solved by an article"), itemgetter("deflections"), 10),
                *_hours_columns(),
            ],
            "units",
        ),
        "levels": (
            _("Time at each level"),
            lambda: [
                Column(_("Support level"), itemgetter("label"), 16),
                Column(_("Opened at the level"), itemgetter("opened"), 12),
                Column(_("Escalations"), itemgetter("escalations"), 12),
                Column(_("Bounce-backs"), itemgetter("bounce_backs"), 12),
                Column(_("Hours"), itemgetter("hours"), 12),
            ],
            "levels",
        ),
        "solutions": (
            _("Top solutions by support load"),
            lambda: [
                Column(_("Solution"), itemgetter("name"), 30),
                Column(_("Tier"), itemgetter("tier_label"), 12),
                Column(_("Business unit"), itemgetter("business_unit"), 18),
                Column(_("Opened"), itemgetter("opened"), 10),
                Column(_("Resolved"), itemgetter("resolved"), 10),
                Column(_("Escalations"), itemgetter("escalations"), 10),
                Column(_("Escalation rate (%)"), lambda r: _pct(r["escalation_rate"]), 10),
                Column(_("Agent touches"), itemgetter("agent_touches"), 10),
                Column(_("Hours handled"), itemgetter("handling_hours"), 10),
            ],
            "solutions",
        ),
        "governance": (
            _("Governance state"),
            lambda: [
                Column(_("What"), itemgetter("group"), 20),
                Column(_("Which"), itemgetter("label"), 28),
                Column(_("Count"), itemgetter("count"), 10),
            ],
            "governance_rows",
        ),
    }


def _evaluated(columns: Sequence[Column], rows: Iterable[Any]) -> tuple[list[Column], list[Any]]:
    """Headers and cells translated now (a streamed response outlives the language)."""
    cells = [tuple(c.value(row) for c in columns) for row in rows]
    return [Column(str(c.header), itemgetter(i), c.width) for i, c in enumerate(columns)], cells


# --- the page ---------------------------------------------------------------------------


def _label(choices: Any, value: str, empty: str) -> str:
    return str(choices(value).label) if value in choices.values else empty


SECTIONS = ("volume", "sla", "units", "levels", "solutions", "governance")
TABLE_SECTIONS = {"sla_policy": "sla", "sla_tier": "sla", "sla_level": "sla"}


def dashboard_data(user: Any, q: d.Query, sections: Iterable[str] = SECTIONS) -> dict[str, Any]:
    """The sections' rows (those asked for; the others empty), with links and display
    strings."""
    wanted = set(sections)
    kind = d.reader_kind(user)
    shown_q, q = q, drill_query(user, q)  # the figures read shown_q; the links carry q
    volume = d.volume(user, shown_q) if "volume" in wanted else []
    sla = d.sla(user, shown_q) if "sla" in wanted else d.SlaTables()
    for row in sla.by_policy:
        row["url"] = tickets_url(q, breached=True)
    for row in sla.by_tier:
        row["url"] = row_tickets_url(q, tier=row["key"] or d.TIER_NONE, breached=True)
    for row in sla.by_level:
        row["url"] = row_tickets_url(q, level=row["key"] or q.level, breached=True)
    for row in (*sla.by_policy, *sla.by_tier, *sla.by_level):
        row["share_text"] = percent(row["share"])
        row["first_text"] = percent(row["first_response_share"])
        row["resolution_text"] = percent(row["resolution_share"])
        row["share_value"] = row["share"] or 0
    units = d.units(user, shown_q) if "units" in wanted else []
    for u in units:
        u["url"] = (
            escalated_tickets_url(q, business_unit=u["business_unit_id"])
            if u["business_unit_id"] is not None
            else unit_solutions_url(None, q)
        )
        u["label"] = u["name"]
        for rate in ("escalation_rate", "bounce_rate", "redirect_rate", "bypass_rate"):
            u[f"{rate}_text"] = percent(u[rate])
        u["escalation_value"] = u["escalation_rate"] or 0
        u["hours_cells"] = [
            (label, number_format(u["hours"][value], 1)) for value, label in SupportType.choices
        ]
    levels = d.levels(user, shown_q) if "levels" in wanted else []
    for lv in levels:
        lv["url"] = row_tickets_url(q, level=lv["level"])
        lv["hours_text"] = number_format(lv["hours"], 1)
    solutions = d.top_solutions(user, shown_q) if "solutions" in wanted else []
    for s in solutions:
        s["url"] = solution_tickets_url(s["solution_id"], q)
        s["label"] = s["name"]
        s["tier_label"] = _label(Tier, s["tier"], gettext("Not set"))
        s["escalation_text"] = percent(s["escalation_rate"])
        s["hours_text"] = number_format(s["handling_hours"], 1)
    governance = (
        d.governance(user, shown_q)
        if "governance" in wanted
        else {"tiers": [], "findings": [], "graduations": []}
    )
    for row in governance["tiers"]:
        row["url"] = tier_solutions_url(row["key"], q)
    for name in ("findings", "graduations"):
        for row in governance[name]:
            row["url"] = governance_url(kind)
    groups = {
        "tiers": gettext("Live solutions per tier"),
        "findings": gettext("Open findings per severity"),
        "graduations": gettext("Graduations in flight"),
    }
    governance_rows = [
        {"group": groups[name], **row} for name in ("tiers", "findings", "graduations")
        for row in governance[name]
    ]  # fmt: skip
    totals = {
        "opened": sum(p["opened"] for p in volume),
        "resolved": sum(p["resolved"] for p in volume),
        "reopened": sum(p["reopened"] for p in volume),
        "backlog_change": volume[-1]["backlog_change"] if volume else 0,
        "backlog": volume[-1].get("backlog", 0) if volume else 0,
    }
    return {
        "kind": kind,
        "volume": volume,
        "totals": totals,
        "sla_policy": sla.by_policy,
        "sla_tier": sla.by_tier,
        "sla_level": sla.by_level,
        "units": units,
        "levels": levels,
        "solutions": solutions,
        "governance": governance,
        "governance_rows": governance_rows,
    }


class DashboardView(RoleRequiredMixin, View):
    allowed_roles = d.READERS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not d.can_read_dashboard(request.user):
            raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadParameter as error:
            name = str(error)
            return render(
                request,
                "insights/coe_bad_request.html",
                {"parameter": PARAMETER_LABELS.get(name, name), "retry": request.path},
                status=400,
            )

    def get(self, request: HttpRequest) -> HttpResponseBase:
        user = request_user(request)
        q = d.parse_query(user, request.GET)
        export = request.GET.get("export", "")
        if export:
            if export not in FORMATS:
                raise BadParameter("export")
            tables = export_tables(q.by)
            name = request.GET.get("table", "")
            if name not in tables:
                raise BadParameter("table")
            data = dashboard_data(user, q, [TABLE_SECTIONS.get(name, name)])
            title, columns, key = tables[name]
            fixed, cells = _evaluated(columns(), data[key])
            filename = f"dashboard-{name}-{q.start.isoformat()}-{q.end.isoformat()}"
            return export_response(export, fixed, cells, filename, sheet=str(title))
        data = dashboard_data(user, q)
        params = q.params()
        context = {
            **data,
            "q": q,
            "query": urlencode(params),
            "business_units": list(d.business_units_for(user)),
            "teams": list(d.teams()),
            "tiers": Tier.choices,
            "levels_choices": SupportType.choices,
            "topics": Topic.choices,
            "level_labels": [label for _v, label in SupportType.choices],
            "limited": data["kind"] != "wide",
            "volume_url": tickets_url(drill_query(user, q)),
            "backlog_url": tickets_url(drill_query(user, q), open_only=True),
            "sla_chart": bars(
                data["sla_policy"], title=gettext("SLA attainment per policy"),
                value="share_value", shown="share_text", top=1.0,
            ),
            "sla_tier_chart": bars(
                data["sla_tier"], title=gettext("SLA attainment per tier"),
                value="share_value", shown="share_text", top=1.0,
            ),
            "sla_level_chart": bars(
                data["sla_level"], title=gettext("SLA attainment per level"),
                value="share_value", shown="share_text", top=1.0,
            ),
            "units_chart": bars(
                data["units"], title=gettext("Escalation rate per business unit"),
                value="escalation_value", shown="escalation_rate_text",
            ),
            "solutions_chart": bars(
                data["solutions"], title=gettext("Hours handled per solution"),
                value="handling_hours", shown="hours_text",
            ),
            "tiers_chart": bars(
                data["governance"]["tiers"], title=gettext("Live solutions per tier"),
                value="count", shown="count",
            ),
            "has_volume": any(
                p["opened"] or p["resolved"] or p["reopened"] for p in data["volume"]
            ),
        }  # fmt: skip
        return render(request, "insights/dashboard.html", context)
