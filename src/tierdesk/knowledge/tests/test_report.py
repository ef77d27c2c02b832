"""The deflection report: who reads it, the figures in a date range kept in the URL, per
article (sortable) and per topic, the empty state, bad dates (400) and a CSV a spreadsheet
opens without running formulas."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk.tests.factories import ticket
from tierdesk.knowledge import report, services
from tierdesk.knowledge.models import Article, Deflection
from tierdesk.knowledge.tests.factories import article

READERS = {"admin", "platform", "agent", "manager"}


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


def _world(org: Org) -> dict[str, Article]:
    agent = org.users["agent"]
    printer = article(
        owner=agent, title="=HYPERLINK(\"x\") 프린터", audience="public", status="published",
        topic="how_to",
    )  # fmt: skip
    vpn = article(owner=agent, title="VPN 접속", audience="internal", status="published",
                  topic="access")  # fmt: skip
    quiet = article(owner=agent, title="아무도 안 본 문서", audience="public", status="published")
    Article.objects.filter(pk=printer.pk).update(views=7)
    first = ticket(requester=org.users["requester"], solution=org.own, subject="프린터")
    second = ticket(requester=org.users["requester"], solution=org.own, subject="VPN")
    now = clock.now()
    for a, outcome, t in (
        (printer, "solved", None),
        (printer, "solved", None),
        (printer, "filed", first),
        (vpn, "filed", first),  # one request, two articles shown: one filed request
        (vpn, "filed", second),
    ):
        Deflection.objects.create(article=a, outcome=outcome, ticket=t, created_at=now)
    Deflection.objects.create(
        article=vpn, outcome="solved", created_at=now - dt.timedelta(days=60)
    )  # outside the default 30 days
    services.article_vote(article=printer, actor=org.users["requester"], helpful=True)
    services.article_vote(article=printer, actor=org.users["maker"], helpful=False)
    return {"printer": printer, "vpn": vpn, "quiet": quiet}


@pytest.mark.parametrize(
    "role", ["admin", "platform", "agent", "manager", "maker", "partner", "requester"]
)
def test_who_reads_the_report(org: Org, role: str) -> None:
    client = _client(org, role)
    expected = 200 if role in READERS else 403
    assert client.get("/knowledge/report/").status_code == expected
    assert client.get("/knowledge/report/export.csv").status_code == expected
    listing = client.get("/knowledge/").content.decode()
    assert ('href="/knowledge/report/"' in listing) == (role in READERS)


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get("/knowledge/report/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_figures(org: Org) -> None:
    found = _world(org)
    totals = report.summary(report.Period(clock.today() - dt.timedelta(days=29), clock.today()))
    assert (totals["solved"], totals["filed"], totals["shown"]) == (2, 2, 4)
    assert totals["percent"] == 50 and (totals["helpful"], totals["not_helpful"]) == (1, 1)
    period = report.Period(clock.today() - dt.timedelta(days=29), clock.today())
    rows: dict[int, Any] = {a.pk: a for a in report.articles(period)}
    printer, vpn = rows[found["printer"].pk], rows[found["vpn"].pk]
    assert (printer.views, printer.helpful, printer.not_helpful, printer.solved, printer.filed) == (
        7,
        1,
        1,
        2,
        1,
    )
    assert round(printer.rate, 3) == 0.667 and (vpn.solved, vpn.filed, vpn.rate) == (0, 2, 0.0)
    assert found["quiet"].pk not in rows  # nothing recorded
    by_topic = {t["code"]: t for t in report.topics(period)}
    assert (by_topic["how_to"]["solved"], by_topic["how_to"]["filed"]) == (2, 1)
    assert (by_topic["access"]["solved"], by_topic["access"]["filed"]) == (0, 2)
    wider = report.Period(clock.today() - dt.timedelta(days=89), clock.today())
    assert report.summary(wider)["solved"] == 3


def test_the_page_keeps_the_range_and_sorts(org: Org) -> None:
    found = _world(org)
    client = _client(org, "agent")
    start = (clock.today() - dt.timedelta(days=6)).isoformat()
    end = clock.today().isoformat()
    page = client.get("/knowledge/report/", {"start": start, "end": end, "sort": "title"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{start}"' in html and f'value="{end}"' in html
    assert f"start={start}" in html and f"end={end}" in html  # sort links and CSV keep it
    assert 'aria-sort="ascending"' in html
    row_link = r'<td data-label="[^"]+"><a href="/knowledge/(\d+)/"'
    order = [int(pk) for pk in re.findall(row_link, html)]
    assert order.index(found["printer"].pk) < order.index(found["vpn"].pk)  # "=" before "V"
    by_solved = client.get("/knowledge/report/", {"sort": "-solved"}).content.decode()
    first = re.search(r'<td data-label="[^"]+"><a href="/knowledge/(\d+)/"', by_solved)
    assert first and int(first.group(1)) == found["printer"].pk
    assert "50%" in by_solved and "해결" in by_solved
    # an unknown sort is the default, never an error
    assert client.get("/knowledge/report/", {"sort": "password"}).status_code == 200


def test_bad_dates_are_400_with_a_reason(org: Org) -> None:
    client = _client(org, "agent")
    for query in (
        {"start": "2026-02-30"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "2000-01-01", "end": "2026-01-01"},
        {"end": "어제"},
    ):
        page = client.get("/knowledge/report/", query)
        assert page.status_code == 400, query
        assert 'class="error"' in page.content.decode()
        assert client.get("/knowledge/report/export.csv", query).status_code == 400


def test_the_empty_state(org: Org) -> None:
    html = _client(org, "manager").get("/knowledge/report/").content.decode()
    assert 'id="kb-report-empty"' in html and "최근 90일" in html


def test_csv_is_safe_for_spreadsheets(org: Org) -> None:
    found = _world(org)
    response = _client(org, "manager").get("/knowledge/report/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = body.splitlines()
    assert len(lines) == 3  # header, printer, vpn
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
    assert str(found["printer"].pk) in lines[1]


def test_the_date_fields_show_the_range_in_use(org: Org) -> None:
    """With no dates asked for, the report covers the last 30 days — and its fields say so."""
    from tierdesk.common import clock

    page = _client(org, "agent").get("/knowledge/report/").content.decode()
    today = clock.today()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today - dt.timedelta(days=29)).isoformat()}"' in page
