"""SLA badges, clock history and the service-level page in words: stage classes with a
text label, natural durations, no codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tierdesk.common import clock
from tierdesk.sla.selectors import Badge, ticket_badges, ticket_clocks
from tierdesk.sla.tests.factories import MONDAY_10, set_tier, ticket

pytestmark = pytest.mark.django_db


def _badge(state: str, remaining: dt.timedelta) -> str:
    badge = Badge(state, MONDAY_10, remaining, "first_response")
    with translation.override("ko"):
        return render_to_string("sla/_badge.html", {"badge": badge})


def test_badge_carries_the_stage_class_and_a_label_in_words() -> None:
    breached = _badge("breached", -dt.timedelta(days=13, hours=5))
    assert 'class="badge sla-breached"' in breached
    assert "위반" in breached and "13일 5시간 지남" in breached
    assert "first_response" not in breached and "첫 응답" in breached
    ok = _badge("ok", dt.timedelta(hours=2, minutes=10))
    assert "sla-ok" in ok and "2시간 10분 남음" in ok
    assert "2025-06-16 10:00" in ok  # the due time in the one date format, local time


def test_warning_when_under_a_quarter_is_left(org) -> None:
    set_tier(org.own, "critical")
    t = ticket(requester=org.users["requester"], solution=org.own, impact="high", urgency="high")
    # P1 critical: first response within 15 minutes of 24×7 time.
    states = {}
    for minutes in (5, 12, 16):
        badges = ticket_badges([t.pk], at=MONDAY_10 + dt.timedelta(minutes=minutes))
        states[minutes] = badges[t.pk].state
    assert states == {5: "ok", 12: "warning", 16: "breached"}


def test_clock_history_names_metrics_in_words(org) -> None:
    set_tier(org.own, "important")
    t = ticket(requester=org.users["requester"], solution=org.own)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    user = org.users["agent"]
    user.preferred_language = ""
    user.save()
    client.force_login(user)
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=5)):
        clocks = ticket_clocks(t.pk)
    assert {getattr(c, "state") for c in clocks} <= {"ok", "warning"}  # noqa: B009
    with translation.override("ko"):
        html = render_to_string(
            "sla/_ticket_clocks.html", {"sla_clocks": clocks, "sla_history": t.sla_events.all()}
        )
    text = re.sub(r"<[^>]+>", " ", html)
    for code in ("first_response", "next_update", "resolution", "in_progress"):
        assert not re.search(rf"\b{code}\b", text), code
    assert "첫 응답" in text and "시작" in text


def test_service_levels_page_has_no_codes(org) -> None:
    user = org.users["platform"]
    user.preferred_language = ""
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    page = client.get("/sla/")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.content.decode())
    for code in ("waiting_on_requester", "waiting_on_vendor", "p1", "critical", "on_call"):
        assert not re.search(rf"\b{code}\b", text), code
    assert " 분" not in text and "5400" not in text
    assert "요청자 응답 대기" in text or "요청자" in text
