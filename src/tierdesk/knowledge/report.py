"""The deflection report (/knowledge/report/): in a date range kept in the URL, how often
the articles suggested while a request was typed solved it, per article and per topic,
with each article's views and helpfulness votes; and the same per-article table as CSV.

What the figures mean (said on the page too):
- solved: "this solved it" was pressed (a `solved` deflection, no ticket);
- filed anyway: requests filed after articles had been suggested (distinct tickets with a
  `filed` deflection; per article, the requests it was shown with);
- suggestions shown = solved + filed anyway: the times suggestions met an outcome (the
  suggestions someone read and then left are not counted: nothing records them);
- deflection rate = solved / suggestions shown;
- views are counted for all time (an article's page counts its openings, not their dates);
  helpfulness votes by when they were last answered.

Who reads it: `selectors.can_read_knowledge_report` (it names internal articles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock, exports
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.desk.choices import Topic
from tierdesk.knowledge import selectors
from tierdesk.knowledge.choices import DeflectionOutcome
from tierdesk.knowledge.models import Article, ArticleVote, Deflection

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
ROWS_ON_PAGE = 200
SORTS = {
    "title": "title",
    "topic": "topic",
    "views": "views",
    "helpful": "helpful",
    "not_helpful": "not_helpful",
    "solved": "solved",
    "filed": "filed",
    "rate": "rate",
}
DEFAULT_SORT = "-solved"


class ReportForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("report date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("report date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or clock.today()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(n)d days.") % {"n": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def since(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def until(self) -> dt.datetime:
        """The first moment after the period."""
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    def query(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _rate(solved: int, shown: int) -> float | None:
    return solved / shown if shown else None


def percent(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


def _in(period: Period) -> Q:
    return Q(created_at__gte=period.since, created_at__lt=period.until)


def summary(period: Period) -> dict[str, Any]:
    rows = Deflection.objects.filter(_in(period))
    solved = rows.filter(outcome=DeflectionOutcome.SOLVED).count()
    filed = (
        rows.filter(outcome=DeflectionOutcome.FILED, ticket__isnull=False)
        .values("ticket_id")
        .distinct()
        .count()
    )
    votes = ArticleVote.objects.filter(_in(period)).aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    return {
        "solved": solved,
        "filed": filed,
        "shown": solved + filed,
        "rate": _rate(solved, solved + filed),
        "percent": percent(_rate(solved, solved + filed)),
        "helpful": votes["yes"],
        "not_helpful": votes["no"],
    }


def _count(model: Any, period: Period, **filters: Any) -> Coalesce:
    counted = (
        model.objects.filter(_in(period), article=OuterRef("pk"), **filters)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def articles(period: Period, sort: str = DEFAULT_SORT) -> QuerySet[Article]:
    """Every article with something recorded: views (all time), or votes or deflections
    in the period; each annotated with helpful, not_helpful, solved, filed and rate."""
    qs = Article.objects.annotate(
        helpful=_count(ArticleVote, period, helpful=True),
        not_helpful=_count(ArticleVote, period, helpful=False),
        solved=_count(Deflection, period, outcome=DeflectionOutcome.SOLVED),
        filed=_count(Deflection, period, outcome=DeflectionOutcome.FILED),
    ).annotate(
        rate=Cast(F("solved"), FloatField())
        / NullIf(Cast(F("solved") + F("filed"), FloatField()), 0.0)
    )
    qs = qs.filter(
        Q(views__gt=0) | Q(helpful__gt=0) | Q(not_helpful__gt=0) | Q(solved__gt=0) | Q(filed__gt=0)
    )
    key = sort.lstrip("-")
    field = F(SORTS.get(key, "solved"))
    descending = sort.startswith("-") if key in SORTS else True
    ordering = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return qs.order_by(ordering, "-id")


def topics(period: Period) -> list[dict[str, Any]]:
    """Per topic of the articles: solved, filed anyway (requests), rate, votes."""
    in_period = Deflection.objects.filter(_in(period))
    deflections: dict[str, dict[str, Any]] = {
        row["article__topic"]: dict(row)
        for row in in_period.values("article__topic").annotate(
            solved=Count("id", filter=Q(outcome=DeflectionOutcome.SOLVED)),
            filed=Count("ticket_id", filter=Q(outcome=DeflectionOutcome.FILED), distinct=True),
        )
    }
    votes: dict[str, dict[str, Any]] = {
        row["article__topic"]: dict(row)
        for row in ArticleVote.objects.filter(_in(period))
        .values("article__topic")
        .annotate(yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False)))
    }
    rows = []
    for code, label in Topic.choices:
        d: dict[str, Any] = deflections.get(code, {})
        v: dict[str, Any] = votes.get(code, {})
        solved, filed = int(d.get("solved", 0)), int(d.get("filed", 0))
        helpful, not_helpful = int(v.get("yes", 0)), int(v.get("no", 0))
        if solved or filed or helpful or not_helpful:
            rows.append(
                {
                    "code": code,
                    "label": label,
                    "solved": solved,
                    "filed": filed,
                    "shown": solved + filed,
                    "rate": _rate(solved, solved + filed),
                    "percent": percent(_rate(solved, solved + filed)),
                    "helpful": helpful,
                    "not_helpful": not_helpful,
                }
            )
    return rows


def _period(request: HttpRequest) -> tuple[ReportForm, Period | None]:
    form = ReportForm(request.GET or None)
    if not request.GET:
        form = ReportForm({})
    if form.is_valid():
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        # the fields show the range in use, also when it is the default one
        return ReportForm(initial=period.query()), period
    return form, None


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort.lstrip("-") in SORTS and len(sort) < 20 else DEFAULT_SORT


def _reader(request: HttpRequest) -> Any:
    user = request_user(request)
    if not selectors.can_read_knowledge_report(user):
        raise PermissionDenied(
            _("The knowledge report is for the help desk, the platform team and managers.")
        )
    return user


COLUMN_LABELS = [
    ("title", gettext_lazy("Article")),
    ("topic", gettext_lazy("Topic")),
    ("views", gettext_lazy("Views (all time)")),
    ("helpful", gettext_lazy("Helpful")),
    ("not_helpful", gettext_lazy("Not helpful")),
    ("solved", gettext_lazy("Solved")),
    ("filed", gettext_lazy("Filed anyway")),
    ("rate", gettext_lazy("Deflection rate")),
]


class ReportView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        _reader(request)
        form, period = _period(request)
        if period is None:
            return render(request, "knowledge/report.html", {"form": form}, status=400)
        sort = _sort(request)
        rows = list(articles(period, sort)[:ROWS_ON_PAGE])
        for row in rows:
            row.percent = percent(row.rate)  # type: ignore[attr-defined]
        totals = summary(period)
        base = period.query()
        columns = []
        for key, label in COLUMN_LABELS:
            current = sort.lstrip("-") == key
            descending = sort.startswith("-")
            # a click on the current column turns it round; a new column starts high first
            # (names and topics A to Z)
            if current:
                next_sort = key if descending else f"-{key}"
            else:
                next_sort = key if key in {"title", "topic"} else f"-{key}"
            columns.append(
                {
                    "key": key,
                    "label": label,
                    "url": "?" + urlencode({**base, "sort": next_sort}),
                    "current": current,
                    "aria_sort": ("descending" if descending else "ascending") if current else "",
                }
            )
        return render(
            request,
            "knowledge/report.html",
            {
                "form": form,
                "period": period,
                "totals": totals,
                "rows": rows,
                "topics": topics(period),
                "columns": columns,
                "more": len(rows) == ROWS_ON_PAGE,
                "limit": ROWS_ON_PAGE,
                "export_query": urlencode({**base, "sort": sort}),
                "wider_query": urlencode(
                    {
                        "start": (period.end - dt.timedelta(days=89)).isoformat(),
                        "end": period.end.isoformat(),
                    }
                ),
                "empty": not rows and not totals["shown"],
            },
        )


def _rate_cell(article: Any) -> Any:
    return round(article.rate, 4) if article.rate is not None else ""


CSV_COLUMNS = [
    exports.Column(gettext_lazy("Article number"), lambda a: a.pk),
    exports.Column(gettext_lazy("Article"), lambda a: a.title, width=40),
    exports.Column(gettext_lazy("Topic"), lambda a: a.get_topic_display()),
    exports.Column(gettext_lazy("Audience"), lambda a: a.get_audience_display()),
    exports.Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
    exports.Column(gettext_lazy("Views (all time)"), lambda a: a.views),
    exports.Column(gettext_lazy("Helpful"), lambda a: a.helpful),
    exports.Column(gettext_lazy("Not helpful"), lambda a: a.not_helpful),
    exports.Column(gettext_lazy("Solved"), lambda a: a.solved),
    exports.Column(gettext_lazy("Filed anyway"), lambda a: a.filed),
    exports.Column(gettext_lazy("Deflection rate"), _rate_cell),
]


class ReportExportView(RoleRequiredMixin, View):
    """The per-article table as CSV (formulas neutralised by `common.exports`)."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        _reader(request)
        form, period = _period(request)
        if period is None:
            message = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        rows = articles(period, _sort(request)).iterator(chunk_size=500)
        name = f"knowledge-report-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
        return exports.csv_response(CSV_COLUMNS, rows, name)
