"""The CoE admin views' pages (issue 13, item 5). Reads only: who sees what and every
figure come from `insights.coe`; this module parses the address, pages and exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.exports import FORMATS, Column, export_response
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.insights import coe, prepared
from tierdesk.inventory.choices import (
    ConnectorTier,
    EnvironmentType,
    SolutionKind,
    Tier,
)
from tierdesk.inventory.models import Connector, Solution

PAGE_SIZE = 50

PARAMETER_LABELS: dict[str, Any] = {
    "sort": _("Sort"),
    "business_unit": _("Business unit"),
    "departed": _("Departed"),
    "critical": _("Has critical solutions"),
    "tier": _("Tier"),
    "type": _("Type"),
    "kind": _("Kind"),
    "days": _("Days without use"),
    "export": _("Download"),
}


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _tier_label(value: str) -> str:
    return _label(Tier, value) if value else gettext("Not set")


def _yes_no(value: Any) -> str:
    return gettext("Yes") if value else gettext("No")


def maker_name(row: dict[str, Any]) -> str:
    return str(row.get("display_name") or row.get("username") or "")


@dataclass(frozen=True)
class Header:
    label: Any
    sort: str = ""  # the sort key, empty when the column does not sort
    numeric: bool = False


class CoeView(RoleRequiredMixin, View):
    """A CoE page: allowed to `coe.can_read_coe_views`, bad parameters answer 400."""

    allowed_roles = coe.READERS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not coe.can_read_coe_views(request.user):
            raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except coe.BadParameter as error:
            name = str(error)
            label = PARAMETER_LABELS.get(name, name)
            return render(
                request,
                "insights/coe_bad_request.html",
                {"parameter": label, "retry": request.path},
                status=400,
            )

    def scope(self, request: HttpRequest) -> coe.Scope:
        return coe.scope_of(request_user(request))


class CoeTableView(CoeView):
    """A sortable, filterable, paginated table with CSV and XLSX downloads."""

    template_name = ""
    title: Any = ""
    filename = ""
    headers: Sequence[Header] = ()
    export_columns: Sequence[Column] = ()
    nav_name = ""
    rollups = False  # whether the page reads the rollups (and shows "as of")

    def table(self, request: HttpRequest, scope: coe.Scope) -> tuple[Any, str, dict[str, Any]]:
        """The rows (a query, a list or a `coe.PageFirst`), the sort in use and the
        page's own context."""
        raise NotImplementedError

    def export_rows(self, rows: Any, limit: int = coe.EXPORT_LIMIT) -> Iterable[Any]:
        if isinstance(rows, QuerySet):
            return rows[:limit].iterator(chunk_size=500)
        first: list[Any] = rows[:limit]  # a list or a page-first source
        return first

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        scope = self.scope(request)
        rows, sort, context = self.table(request, scope)
        kind = request.GET.get("export", "")
        if kind:
            if kind not in FORMATS:
                raise coe.BadParameter("export")
            # Up to PREPARE_ABOVE rows are written now; a larger table in the background.
            head = list(self.export_rows(rows, prepared.PREPARE_ABOVE + 1))
            if len(head) > prepared.PREPARE_ABOVE:
                download = prepared.prepare(
                    actor=request_user(request),
                    export=self.filename,
                    kind=kind,
                    query=request.GET,
                    arguments=dict(kwargs),
                    title=str(self.title),
                    page=request.path,
                )
                return redirect("insights:download", pk=download.pk)
            columns, cells = _evaluated(self.export_columns, head)
            return export_response(kind, columns, cells, self.filename, sheet=str(self.title))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            {
                "title": self.title,
                "page": page,
                "rows": list(page.object_list),
                "query": query.urlencode(),
                "headers": _sort_headers(self.headers, query, sort),
                "export_csv": _with(query, export="csv"),
                "export_xlsx": _with(query, export="xlsx"),
                "business_units": list(coe.business_units_for(scope)),
                "params": request.GET,
                "limited": scope.unit_ids is not None,
                "export_limit": coe.EXPORT_LIMIT,
                "coe_nav": coe_nav(self.nav_name),
                "as_of": coe.as_of(scope) if self.rollups else None,
            }
        )
        return render(request, self.template_name, context)


def _evaluated(
    columns: Sequence[Column], rows: Iterable[Any]
) -> tuple[list[Column], list[tuple[Any, ...]]]:
    """Headers and cells translated now, in the request's language (a streamed response
    is written after the request's language is gone); at most `coe.EXPORT_LIMIT` rows."""
    cells = [tuple(c.value(row) for c in columns) for row in rows]
    fixed = [Column(str(c.header), itemgetter(i), c.width) for i, c in enumerate(columns)]
    return fixed, cells


def _with(query: QueryDict, **values: str) -> str:
    copy = query.copy()
    for key, value in values.items():
        copy[key] = value
    return copy.urlencode()


def _sort_headers(headers: Sequence[Header], query: QueryDict, sort: str) -> list[dict[str, Any]]:
    """Each header with the link that sorts by it (again: the other way) and aria-sort."""
    found = []
    current = sort.lstrip("-")
    for header in headers:
        entry: dict[str, Any] = {"label": header.label, "numeric": header.numeric, "url": ""}
        if header.sort:
            on = header.sort == current
            descending = sort.startswith("-")
            if on:
                entry["aria_sort"] = "descending" if descending else "ascending"
                target = header.sort if descending else "-" + header.sort
            else:
                target = "-" + header.sort if header.numeric else header.sort
            entry["url"] = "?" + _with(query, sort=target)
        found.append(entry)
    return found


# --- makers -------------------------------------------------------------------------

MAKER_COLUMNS = [
    Column(_("Maker"), maker_name, 24),
    Column(_("User name"), lambda r: r["username"], 24),
    Column(_("Solutions"), lambda r: r["solutions"], 10),
    Column(_("Apps"), lambda r: r["apps"], 8),
    Column(_("Flows"), lambda r: r["flows"], 8),
    Column(_("Chatbots"), lambda r: r["chatbots"], 8),
    Column(Tier.CRITICAL.label, lambda r: r["critical"], 8),
    Column(Tier.IMPORTANT.label, lambda r: r["important"], 8),
    Column(Tier.PRODUCTIVITY.label, lambda r: r["productivity"], 8),
    Column(_("Tier not set"), lambda r: r["untiered"], 8),
    Column(_("Environments"), lambda r: r["environments"], 10),
    Column(_("Last activity"), lambda r: r["last_activity"], 17),
    Column(_("Departed"), lambda r: _yes_no(r["departed"]), 8),
]


class MakersView(CoeTableView):
    rollups = True
    nav_name = "insights:coe-makers"
    template_name = "insights/coe_makers.html"
    title = _("Makers")
    filename = "makers"
    export_columns = MAKER_COLUMNS
    headers = (
        Header(_("Maker"), "name"),
        Header(_("Solutions"), "solutions", True),
        Header(_("By kind")),
        Header(_("By tier"), "critical", True),
        Header(_("Environments"), "environments", True),
        Header(_("Last activity"), "last_activity", True),
        Header(_("Departed")),
    )

    def table(self, request: HttpRequest, scope: coe.Scope) -> tuple[Any, str, dict[str, Any]]:
        query = coe.maker_query(scope, request.GET)
        return coe.makers(scope, query), query.sort, {"filters": query}


# --- connectors ---------------------------------------------------------------------

CONNECTOR_COLUMNS = [
    Column(_("Connector"), lambda c: c.name, 28),
    Column(_("Platform id"), lambda c: c.platform_id, 32),
    Column(_("Class"), lambda c: _label(ConnectorTier, c.tier), 10),
    Column(_("Publisher"), lambda c: c.publisher, 20),
    Column(_("Solutions"), lambda c: c.used_by, 10),
    Column(_("Apps"), lambda c: c.apps, 8),
    Column(_("Flows"), lambda c: c.flows, 8),
    Column(_("Chatbots"), lambda c: c.chatbots, 8),
]


class ConnectorsView(CoeTableView):
    rollups = True
    nav_name = "insights:coe-connectors"
    template_name = "insights/coe_connectors.html"
    title = _("Connectors")
    filename = "connectors"
    export_columns = CONNECTOR_COLUMNS
    headers = (
        Header(_("Connector"), "name"),
        Header(_("Class"), "tier"),
        Header(_("Publisher")),
        Header(_("Solutions using it"), "solutions", True),
        Header(_("By kind")),
    )

    def table(self, request: HttpRequest, scope: coe.Scope) -> tuple[Any, str, dict[str, Any]]:
        query = coe.connector_query(scope, request.GET)
        return (
            coe.connectors(scope, query),
            query.sort,
            {"filters": query, "tiers": ConnectorTier.choices},
        )


SOLUTION_COLUMNS = [
    Column(_("Solution"), lambda s: s.name, 36),
    Column(_("Kind"), lambda s: _label(SolutionKind, s.kind), 14),
    Column(_("Tier"), lambda s: _tier_label(s.tier), 12),
    Column(_("Environment"), lambda s: s.environment.name, 24),
    Column(_("Business unit"), lambda s: s.business_unit.name if s.business_unit else "", 18),
    Column(_("Maker"), lambda s: str(s.maker) if s.maker else "", 20),
    Column(_("Modified"), lambda s: s.platform_modified_at, 17),
    Column(_("Last used"), lambda s: s.last_used_at, 17),
]

SOLUTION_HEADERS = (
    Header(_("Solution"), "name"),
    Header(_("Kind")),
    Header(_("Tier"), "tier"),
    Header(_("Environment")),
    Header(_("Maker")),
    Header(_("Modified"), "modified", True),
    Header(_("Last used"), "last_used", True),
)


class ConnectorDetailView(CoeTableView):
    """The solutions that use one connector (the drill-down)."""

    nav_name = "insights:coe-connectors"
    template_name = "insights/coe_connector.html"
    title = _("Solutions using a connector")
    filename = "connector-solutions"
    export_columns = SOLUTION_COLUMNS
    headers = (
        Header(_("Solution"), "name"),
        Header(_("Kind")),
        Header(_("Tier")),
        Header(_("Environment")),
        Header(_("Maker")),
        Header(_("Modified")),
        Header(_("Last used")),
    )

    def table(
        self, request: HttpRequest, scope: coe.Scope
    ) -> tuple[QuerySet[Any], str, dict[str, Any]]:
        connector: Connector = coe.connector_get(scope, int(self.kwargs["pk"]))
        return (
            coe.connector_solutions(scope, connector),
            "name",
            {"connector": connector},
        )


# --- environments -------------------------------------------------------------------

ENVIRONMENT_COLUMNS = [
    Column(_("Environment"), lambda r: r["name"], 28),
    Column(_("Type"), lambda r: _label(EnvironmentType, r["type"]), 12),
    Column(_("Solutions"), lambda r: r["solutions"], 10),
    Column(_("Apps"), lambda r: r["apps"], 8),
    Column(_("Flows"), lambda r: r["flows"], 8),
    Column(_("Chatbots"), lambda r: r["chatbots"], 8),
    Column(_("Makers"), lambda r: r["makers"], 8),
    Column(_("Users (most in a day, 30 days)"), lambda r: r["users_30d"], 14),
    Column(_("Sessions and runs (30 days)"), lambda r: r["activity_30d"], 14),
]


class EnvironmentsView(CoeTableView):
    rollups = True
    nav_name = "insights:coe-environments"
    template_name = "insights/coe_environments.html"
    title = _("Environment usage")
    filename = "environment-usage"
    export_columns = ENVIRONMENT_COLUMNS
    headers = (
        Header(_("Environment"), "name"),
        Header(_("Type")),
        Header(_("Solutions"), "solutions", True),
        Header(_("By kind")),
        Header(_("Makers"), "makers", True),
        Header(_("Users (most in a day, 30 days)"), "users", True),
        Header(_("Sessions and runs (30 days)"), "activity", True),
    )

    def table(self, request: HttpRequest, scope: coe.Scope) -> tuple[Any, str, dict[str, Any]]:
        query = coe.environment_query(scope, request.GET)
        return (
            coe.environments(scope, query),
            query.sort,
            {"filters": query, "types": EnvironmentType.choices},
        )


# --- the usage trend ----------------------------------------------------------------

TREND_COLUMNS = [
    Column(_("Week starting"), lambda w: w["date"], 14),
    Column(_("Sessions"), lambda w: w["sessions"], 12),
    Column(_("Flow runs"), lambda w: w["runs"], 12),
    Column(_("Most users in a day"), lambda w: w["users"], 14),
]


class TrendView(CoeView):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        weeks = coe.usage_trend(self.scope(request))
        kind = request.GET.get("export", "")
        if kind:
            if kind not in FORMATS:
                raise coe.BadParameter("export")
            columns, cells = _evaluated(TREND_COLUMNS, weeks)
            title = str(_("Usage trend"))
            return export_response(kind, columns, cells, "usage-trend", sheet=title)
        return render(
            request,
            "insights/coe_trend.html",
            {
                "weeks": weeks,
                "any_use": any(w["sessions"] or w["runs"] or w["users"] for w in weeks),
                "limited": self.scope(request).unit_ids is not None,
                "export_csv": "export=csv",
                "export_xlsx": "export=xlsx",
                "coe_nav": coe_nav("insights:coe-trend"),
                "as_of": coe.as_of(),
            },
        )


# --- unused and orphaned solutions --------------------------------------------------


class SolutionListView(CoeTableView):
    """A list of the scope's solutions picked by one rule (`select`): unused, orphaned."""

    export_columns = SOLUTION_COLUMNS
    headers = SOLUTION_HEADERS
    default_sort = "name"
    select: Any = None  # (scope, SolutionQuery) -> QuerySet[Solution]

    def table(
        self, request: HttpRequest, scope: coe.Scope
    ) -> tuple[QuerySet[Solution], str, dict[str, Any]]:
        query = coe.solution_query(scope, request.GET, default_sort=self.default_sort)
        return (
            type(self).select(scope, query),
            query.sort,
            {"filters": query, "kinds": SolutionKind.choices, "tiers": Tier.choices},
        )


class UnusedView(SolutionListView):
    nav_name = "insights:coe-unused"
    template_name = "insights/coe_unused.html"
    title = _("Unused solutions")
    filename = "unused-solutions"
    default_sort = "last_used"
    select = staticmethod(coe.unused_solutions)


class OrphanedView(SolutionListView):
    nav_name = "insights:coe-orphaned"
    template_name = "insights/coe_orphaned.html"
    title = _("Orphaned solutions")
    filename = "orphaned-solutions"
    select = staticmethod(coe.orphaned_solutions)


COE_PAGES: list[tuple[str, Any, Any]] = [
    (
        "insights:coe-makers",
        _("Makers"),
        _("Solutions, environments and last activity per maker; who has left."),
    ),
    (
        "insights:coe-connectors",
        _("Connectors"),
        _("Standard, premium and custom connectors and the solutions that use them."),
    ),
    (
        "insights:coe-environments",
        _("Environment usage"),
        _("Solutions, makers and the last 30 days' use per environment."),
    ),
    (
        "insights:coe-trend",
        _("Usage trend"),
        _("Sessions, flow runs and users per week over the last year."),
    ),
    (
        "insights:coe-unused",
        _("Unused solutions"),
        _("Solutions nobody has used for 90 days or more."),
    ),
    (
        "insights:coe-orphaned",
        _("Orphaned solutions"),
        _("Solutions whose maker has left and that no active co-owner looks after."),
    ),
]
"""The CoE views, for the landing page and the views' own navigation."""


def coe_nav(current: str) -> list[dict[str, Any]]:
    return [
        {"url": reverse(name), "label": label, "current": name == current}
        for name, label, _text in COE_PAGES
    ]


# --- prepared downloads ---------------------------------------------------------------


def _table_builder(view_class: type[CoeTableView]) -> prepared.Builder:
    """The export of `view_class`'s table as `user` would download it from the page with
    `query` (its filters and sort) and `arguments` (the address's ids)."""

    def build(user: User, query: QueryDict, arguments: dict[str, Any]) -> prepared.Table:
        if not coe.can_read_coe_views(user):
            raise PermissionDenied
        request = HttpRequest()
        request.method = "GET"
        request.GET = query  # type: ignore[assignment]
        request.user = user
        view = view_class()
        view.setup(request, **arguments)
        rows, _sort, _context = view.table(request, view.scope(request))
        columns, cells = _evaluated(view.export_columns, view.export_rows(rows))
        return prepared.Table(columns, cells, view.filename, str(view.title))

    return build


for _view in (
    MakersView,
    ConnectorsView,
    ConnectorDetailView,
    EnvironmentsView,
    UnusedView,
    OrphanedView,
):
    prepared.register(_view.filename, _table_builder(_view))
