"""The managers' weekly digest on a constructed organisation: two business units (sales,
prod), two managers (one each). Each gets only their units' numbers; a changed
recommendation is told once; a week is never sent twice; preferences, language and
absolute links hold; the Teams card is an Adaptive Card; the job runs on its weekday
only; the preview page and the API answer per role."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from conftest import Org
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.common import clock, daily
from tierdesk.insights import decisions, digest, facts, jobs
from tierdesk.insights.models import (
    DailyFact,
    DigestSent,
    DigestTeamsChannel,
    SlaDailyFact,
    SolutionDailyFact,
)
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.tests.factories import SolutionFactory
from tierdesk.notify import senders, services
from tierdesk.notify.models import InboxItem, Notification, NotificationPreference

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 2, 23)  # a Monday: ISO week 2026-W09
BEFORE = WEEK - dt.timedelta(days=7)
SEOUL = dt.timezone(dt.timedelta(hours=9))
NEXT_MONDAY_3AM = dt.datetime(2026, 3, 2, 3, 0, tzinfo=SEOUL)
LINK = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture
def two(org: Org) -> Org:
    """Sales: 10 opened, 6 resolved this week (4 and 4 the week before), 2 escalations,
    SLA 3 met 1 missed; its solution `영업 일지` carries 5 hours. Prod: 7 opened, 1
    resolved, its solution `Line check`. `manager` (Korean) manages sales;
    `prod_manager` (English) manages prod."""
    sales_manager = org.users["manager"]
    sales_manager.business_unit = org.sales
    sales_manager.preferred_language = "ko"
    sales_manager.save()
    prod_manager = UserFactory.create(
        username="prod_manager", is_manager=True, business_unit=org.prod, preferred_language="en"
    )
    org.users["prod_manager"] = prod_manager
    day = WEEK + dt.timedelta(days=2)
    DailyFact.objects.create(day=day, business_unit=org.sales, opened=10, resolved=6,
                             escalations=2, open_change=4)  # fmt: skip
    DailyFact.objects.create(day=BEFORE, business_unit=org.sales, opened=4, resolved=4)
    DailyFact.objects.create(day=day, business_unit=org.prod, opened=7, resolved=1,
                             open_change=6)  # fmt: skip
    # a ticket opened in sales the week before and moved to prod: the true backlog counts
    # it under prod, where opened + reopened − resolved kept it in sales
    DailyFact.objects.create(day=BEFORE, business_unit=org.sales, tier="critical", opened=1,
                             open_change=0)  # fmt: skip
    DailyFact.objects.create(day=BEFORE, business_unit=org.prod, tier="critical",
                             open_change=1)  # fmt: skip
    SlaDailyFact.objects.create(day=day, business_unit=org.sales, metric="resolution", met=3,
                                breached=1)  # fmt: skip
    SolutionDailyFact.objects.create(day=day, solution=org.own, opened=10, handling_minutes=300)
    SolutionDailyFact.objects.create(day=day, solution=org.other, opened=7, handling_minutes=900)
    facts.refill_months()
    return org


def _send(monday: dt.date = WEEK) -> list[digest.Outcome]:
    return digest.digests_send(monday)


def _mail_to(user) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_each_manager_gets_only_their_units_numbers(two: Org) -> None:
    sales = digest.build(two.users["manager"], WEEK)
    figures = {f.key: (f.value, f.previous) for f in sales.figures}
    assert figures["opened"] == (10, 5)
    assert figures["resolved"] == (6, 4)
    assert figures["backlog"] == (4, 0)  # the true open count (1 opened moved to prod)
    assert figures["sla"] == (0.75, None)
    assert figures["escalation_rate"] == (0.2, 0.0)
    assert [s["name"] for s in sales.top_solutions] == ["영업 일지"]
    assert [u["name"] for u in sales.business_units] == ["영업본부"]
    prod = digest.build(two.users["prod_manager"], WEEK)
    assert {f.key: f.value for f in prod.figures}["opened"] == 7
    assert [s["name"] for s in prod.top_solutions] == ["Line check"]

    outcomes = _send()
    assert sorted(o.manager.username for o in outcomes if o.sent) == ["manager", "prod_manager"]
    assert services.outbox_deliver().sent == 2
    (to_sales,) = _mail_to(two.users["manager"])
    (to_prod,) = _mail_to(two.users["prod_manager"])
    assert "영업 일지" in to_sales.body and "Line check" not in to_sales.body
    assert "생산본부" not in to_sales.body
    assert "Line check" in to_prod.body and "영업 일지" not in to_prod.body
    assert "영업본부" not in to_prod.body


def test_an_admin_manager_still_gets_only_their_units(two: Org) -> None:
    """Admin rights widen the dashboards, never the digest."""
    manager = two.users["manager"]
    manager.is_superuser = manager.is_staff = True
    manager.save()
    d = digest.build(manager, WEEK)
    assert {f.key: f.value for f in d.figures}["opened"] == 10
    assert [s["name"] for s in d.top_solutions] == ["영업 일지"]


def test_korean_manager_gets_korean_english_manager_english_links_absolute(two: Org) -> None:
    _send()
    services.outbox_deliver()
    (ko,) = _mail_to(two.users["manager"])
    (en,) = _mail_to(two.users["prod_manager"])
    assert "주간" in ko.subject and "Weekly" not in ko.subject
    assert "티켓" in ko.body and "Tickets opened" not in ko.body
    assert en.subject.startswith("Weekly support digest, 2026-W09")
    assert "Tickets opened: 7" in en.body
    for message in (ko, en):
        links = LINK.findall(message.body)
        assert links
        assert all(link.startswith(django_settings.TIERDESK_BASE_URL + "/") for link in links)
    assert "start=2026-02-23" in en.body and "end=2026-03-01" in en.body


def test_a_week_is_never_sent_twice(two: Org) -> None:
    assert sum(o.sent for o in _send()) == 2
    count = Notification.objects.count()
    again = _send()
    assert not any(o.sent for o in again)
    assert {o.reason for o in again} == {"already sent for 2026-W09"}
    assert Notification.objects.count() == count
    assert DigestSent.objects.count() == 2
    # even with the record gone, the outbox keys refuse a second message
    DigestSent.objects.all().delete()
    third = _send()
    assert not any(o.sent for o in third)
    assert Notification.objects.count() == count


def test_dry_run_writes_nothing_and_says_why_not(two: Org) -> None:
    lonely = UserFactory.create(username="lonely", is_manager=True)  # no business unit
    quiet = UserFactory.create(username="quiet", is_manager=True, business_unit=two.prod)
    DailyFact.objects.filter(business_unit=two.prod).delete()
    SolutionDailyFact.objects.filter(solution=two.other).delete()
    facts.refill_months()
    out = StringIO()
    call_command("insights-digest", "--week", "2026-W09", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Week 2026-W09 (dry run)" in text
    assert f"lonely (#{lonely.pk}): nothing sent: no business units" in text
    assert f"quiet (#{quiet.pk}): nothing sent: no numbers" in text
    assert "manager (#" in text and "email" in text
    assert not Notification.objects.exists() and not DigestSent.objects.exists()
    call_command("insights-digest", "--week", "2026-W09", stdout=StringIO())
    assert set(DigestSent.objects.values_list("manager__username", flat=True)) == {"manager"}


def test_bad_week_in_the_command() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("insights-digest", "--week", "2026-09", stdout=StringIO())


def test_preferences_are_respected(two: Org) -> None:
    manager = two.users["manager"]
    NotificationPreference.objects.create(user=manager, email=False, teams=True)
    DigestTeamsChannel.objects.create(
        manager=manager, teams_webhook_url="https://example.invalid/x"
    )
    _send()
    email = Notification.objects.get(key__endswith=f"{manager.pk}:2026-W09:email")
    teams = Notification.objects.get(key__endswith=f"{manager.pk}:2026-W09:teams")
    assert email.status == "suppressed"
    assert teams.status == "pending"
    Notification.objects.filter(channel="teams").delete()  # no webhook to post to here
    services.outbox_deliver()
    assert _mail_to(manager) == []
    assert len(_mail_to(two.users["prod_manager"])) == 1


def test_the_teams_card_is_an_adaptive_card(two: Org) -> None:
    manager = two.users["prod_manager"]
    DigestTeamsChannel.objects.create(
        manager=manager, teams_webhook_url="https://example.invalid/x"
    )
    _send()
    row = Notification.objects.get(channel="teams")
    assert row.recipient_id == manager.pk
    assert row.card is not None
    envelope = json.loads(senders.teams_message(row.card))
    card = envelope["attachments"][0]["content"]
    assert envelope["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["type"] == "TextBlock"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Tickets opened"] == "7 (+7)"
    actions = card["actions"]
    assert actions[0]["type"] == "Action.OpenUrl"
    assert all(a["url"].startswith(django_settings.TIERDESK_BASE_URL + "/") for a in actions)
    assert "/insights/dashboard/" in actions[0]["url"]
    assert len(senders.teams_message(row.card)) < senders.TEAMS_MAX_BYTES
    # one item in the notification centre for the e-mail and the card together
    item = InboxItem.objects.get(recipient=manager)
    assert item.url.startswith("/insights/digest/")


def _heavy_sales(org: Org) -> None:
    """Six critical self-supported sales apps with 20 tickets each in the last 90 days:
    the decision says "formalise now" for sales."""
    for n in range(6):
        s = SolutionFactory.create(
            environment=org.env_sales, maker=org.users["maker"], name=f"핵심 앱 {n}",
            tier=Tier.CRITICAL, support_model=SupportModel.SELF,
        )  # fmt: skip
        SolutionDailyFact.objects.create(day=WEEK - dt.timedelta(days=10), solution=s, opened=20,
                                         agent_touches=2)  # fmt: skip


def test_changed_recommendations_appear_once(two: Org) -> None:
    _heavy_sales(two)
    manager = two.users["manager"]
    first = digest.build(manager, WEEK)
    assert [(c.what, c.key) for c in first.changes] == [("new", f"formalise:{two.sales.pk}")]
    _send(WEEK)
    next_week = WEEK + dt.timedelta(days=7)
    DailyFact.objects.create(day=next_week, business_unit=two.sales, opened=1)
    second = digest.build(manager, next_week)
    assert second.previous_week == WEEK
    assert second.changes == []  # the same recommendation: not told again
    _send(next_week)
    services.outbox_deliver()
    bodies = [m.body for m in _mail_to(manager)]
    assert len(bodies) == 2
    with translation.override("ko"):
        line = first.changes[0].line
    assert line in bodies[0] and line not in bodies[1]
    assert digest.changes([], {"formalise:1": {"kind": "formalise", "subject": "A",
                                                "level": "now"}})[0].what == "gone"  # fmt: skip
    changed = digest.changes(
        [digest.Recommendation("formalise:1", "formalise", "A", "watch", "Watch")],
        {"formalise:1": {"kind": "formalise", "subject": "A", "level": "now"}},
    )
    assert [(c.what, c.previous_label) for c in changed] == [
        ("changed", str(decisions.VERDICTS["now"]))
    ]


def test_week_parsing() -> None:
    assert digest.parse_week("2026-W09") == WEEK
    assert digest.week_label(WEEK) == "2026-W09"
    assert digest.last_week(dt.date(2026, 3, 4)) == WEEK
    for wrong in ("2026-09", "2026-W54", "2026-W00", "x"):
        with pytest.raises(ValueError):
            digest.parse_week(wrong)


def test_the_job_runs_only_on_its_weekday(two: Org, settings) -> None:
    settings.TIERDESK_DIGEST_WEEKDAY = "tuesday"
    assert jobs.DIGEST_JOB in {j.name for j in daily.daily_jobs()}
    with clock.frozen(NEXT_MONDAY_3AM):
        assert jobs.digest_run(NEXT_MONDAY_3AM).startswith("not today (runs on tuesday)")
    assert not DigestSent.objects.exists()
    tuesday = NEXT_MONDAY_3AM + dt.timedelta(days=1)
    with clock.frozen(tuesday):
        assert jobs.digest_run(tuesday) == "2 of 2 managers' digests queued"
    assert set(DigestSent.objects.values_list("week", flat=True)) == {WEEK}


def test_bad_weekday_setting_is_a_check_error(settings) -> None:
    from tierdesk.insights.apps import _check_weekday

    settings.TIERDESK_DIGEST_WEEKDAY = "montag"
    errors = _check_weekday()
    assert [e.id for e in errors] == ["insights.E002"]
    assert "TIERDESK_DIGEST_WEEKDAY" in errors[0].msg


# --- the preview page and the API ------------------------------------------------------------


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def test_preview_page_per_role(two: Org) -> None:
    manager, prod = two.users["manager"], two.users["prod_manager"]
    page = _client(manager).get("/insights/digest/?week=2026-W09")
    assert page.status_code == 200
    html = page.content.decode()
    assert "영업 일지" in html and "Line check" not in html
    assert 'style="' not in html and "<script>" not in html
    assert _client(manager).get(f"/insights/digest/?manager={prod.pk}").status_code == 404
    assert _client(manager).get("/insights/digest/?manager=999999").status_code == 404
    assert _client(manager).get(f"/insights/digest/?manager={manager.pk}").status_code == 200
    assert _client(manager).get("/insights/digest/?week=2026-09").status_code == 400
    admin = _client(two.users["admin"])
    assert admin.get("/insights/digest/").status_code == 200  # the manager picker
    shown = admin.get(f"/insights/digest/?manager={prod.pk}&week=2026-W09")
    assert shown.status_code == 200 and "Line check" in shown.content.decode()
    assert admin.get("/insights/digest/?manager=999999").status_code == 404
    maker = two.users["maker"]
    assert admin.get(f"/insights/digest/?manager={maker.pk}").status_code == 404  # no manager
    assert _client(maker).get("/insights/digest/").status_code == 403
    assert _client(two.users["platform"]).get("/insights/digest/").status_code == 403


def test_preview_page_without_business_units(two: Org) -> None:
    lonely = UserFactory.create(username="lonely", is_manager=True)
    page = _client(lonely).get("/insights/digest/")
    assert page.status_code == 200
    assert 'class="empty"' in page.content.decode()


def test_api_per_role(two: Org) -> None:
    manager, prod = two.users["manager"], two.users["prod_manager"]
    got = _client(manager).get("/api/v1/insights/digest/?week=2026-W09")
    assert got.status_code == 200
    data = got.json()
    assert data["week"] == "2026-W09"
    assert [s["name"] for s in data["top_solutions"]] == ["영업 일지"]
    assert {f["key"]: f["value"] for f in data["figures"]}["opened"] == 10
    assert data["dashboard_url"].startswith(django_settings.TIERDESK_BASE_URL + "/")
    assert _client(manager).get(f"/api/v1/insights/digest/?manager={prod.pk}").status_code == 404
    assert _client(manager).get("/api/v1/insights/digest/?week=bad").status_code == 400
    admin = _client(two.users["admin"])
    assert admin.get("/api/v1/insights/digest/").status_code == 400  # name the manager
    assert admin.get(f"/api/v1/insights/digest/?manager={prod.pk}").status_code == 200
    assert admin.get("/api/v1/insights/digest/?manager=999999").status_code == 404
    assert _client(two.users["maker"]).get("/api/v1/insights/digest/").status_code == 403
