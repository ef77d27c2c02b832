from __future__ import annotations

import time

import pytest

from tierdesk.accounts.choices import SupportType
from tierdesk.common import clock
from tierdesk.demo.builder import build
from tierdesk.desk.demo import demo_build
from tierdesk.desk.models import Ticket, VendorCase


@pytest.mark.django_db
def test_demo_tickets_cover_the_ladder_in_both_languages() -> None:
    build(size="small")
    started = time.perf_counter()
    made = demo_build(size="small")
    assert time.perf_counter() - started < 30
    assert made["tickets"] >= 2000
    levels = set(Ticket.objects.values_list("level", flat=True))
    assert {
        SupportType.SELF,
        SupportType.TEAM,
        SupportType.HELP_DESK,
        SupportType.PLATFORM,
        SupportType.PARTNER,
        SupportType.VENDOR,
    } <= levels
    assert set(Ticket.objects.values_list("language", flat=True)) == {"ko", "en"}
    oldest = Ticket.objects.order_by("created_at").first()
    assert oldest is not None and (clock.now() - oldest.created_at).days <= 90
    assert VendorCase.objects.filter(is_partner=False, health_checked_at__isnull=False).exists()
    assert not Ticket.objects.filter(number__isnull=True).exists()
    assert Ticket.objects.filter(requester__username="requester").exists()
    assert Ticket.objects.filter(agent__username="maker", level=SupportType.SELF).exists()
    assert demo_build(size="small") == {"tickets": 0, "events": 0, "messages": 0, "vendor_cases": 0}
