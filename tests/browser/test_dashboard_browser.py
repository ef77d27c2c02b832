"""A manager's dashboard in a real browser, in Korean, at 1400 and 390 px: the manager of
the sales business unit opens 인사이트 → 대시보드, sees their unit's numbers (never the
production unit's), follows a chart's drill-down (the top solution's bar) to its tickets,
and the volume chart's to the ticket search filtered by the dashboard's range and their
unit, where the count equals the chart's; comes back and downloads the business units'
table as XLSX.

Every page passes axe-core with no serious or critical violation and, at 390 px, does not
scroll sideways; screenshots go to var/screenshots (`manager-dashboard-…`)."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from conftest import Org
from tests.browser.persona import NARROW, WIDE, Persona
from tierdesk.desk import ladder
from tierdesk.desk import services as desk
from tierdesk.insights import facts

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_a_manager_drills_down_and_downloads_the_xlsx(
    browser: Browser, live_server: Any, org: Org, width: int
) -> None:
    manager = org.users["manager"]
    manager.business_unit = org.sales
    manager.preferred_language = ""  # never chose: the Korean browser decides
    manager.save()
    requester, agent = org.users["requester"], org.users["agent"]
    for n in range(3):
        t = desk.ticket_create(requester=requester, subject=f"영업 일지 오류 {n}", solution=org.own)
        if n == 0:
            ladder.ticket_escalate(ticket=t, actor=agent, reason="플랫폼 확인 필요")
    desk.ticket_create(requester=requester, subject="라인 점검 요청", solution=org.other)
    facts.facts_catch_up(lag=0)

    persona = Persona(browser, SimpleNamespace(url=live_server.url), "manager", width)  # type: ignore[arg-type]
    try:
        page = persona.page
        page.goto("/accounts/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "pw")
        page.locator("main button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

        page.goto("/insights/")
        page.locator("#ins-card-dashboard").click()
        expect(page.locator("main h1")).to_have_text("대시보드")
        expect(page.locator("#dash-scope")).to_contain_text("내 사업부의 수치만")
        units = page.locator("#dash-units-table")
        expect(units).to_contain_text("영업본부")
        expect(units).not_to_contain_text("생산본부")
        expect(page.locator("#dash-solutions")).not_to_contain_text("Line check")
        expect(page.locator("#dash-volume-table")).to_be_attached()
        persona.check("dashboard", no_sideways_scroll=True)

        # the top solution's bar leads to its tickets
        page.locator("#dash-solutions ul.dash-bars a", has_text="영업 일지").click()
        expect(page).to_have_url(
            re.compile(rf"/desk/tickets/\?solution={org.own.pk}&created_from=")
        )
        expect(page.locator("main")).to_contain_text("영업 일지 오류 0")
        expect(page.locator("main")).not_to_contain_text("라인 점검 요청")
        persona.check("dashboard-drill", no_sideways_scroll=True)
        page.go_back()

        # the volume chart's link: the tickets filed in the range in the manager's unit —
        # as many as the chart counts (3), not the other unit's (managers read every ticket)
        page.locator("#dash-volume-drill").click()
        expect(page).to_have_url(re.compile(rf"business_unit={org.sales.pk}"))
        expect(page.locator("main")).to_contain_text("티켓 3건")
        expect(page.locator("main")).not_to_contain_text("라인 점검 요청")
        persona.check("dashboard-drill-volume", no_sideways_scroll=True)
        page.go_back()

        # the business units' table as XLSX
        with page.expect_download() as info:
            page.locator("#dash-units-xlsx").click()
        download = info.value
        assert download.suggested_filename.startswith("dashboard-units-")
        assert download.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("사업부", "접수", "해결됨")
        assert [r[0] for r in rows[1:]] == ["영업본부"]
        assert rows[1][1] == 3
    finally:
        persona.close()
    assert persona.problems() == []
