"""The maker's walk in a Korean Chromium: find their solution with the maker picker (by
keyboard), open it, copy the help-form snippet, reach its governance page and ask to
graduate. Every page passes axe-core (no serious or critical violation); at 390 px the
pages do not scroll sideways; screenshots at 1400 and 390 px go to
`$TIERDESK_SCREENSHOTS` (default var/screenshots/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.persona import NARROW, WIDE, Persona
from tierdesk.accounts.models import User
from tierdesk.demo.builder import build
from tierdesk.governance.models import GraduationRequest
from tierdesk.inventory.choices import SolutionKind, Tier
from tierdesk.inventory.models import Solution

pytestmark = pytest.mark.browser

HANGUL = re.compile(r"[가-힣]")


@dataclass
class _Server:
    url: str


def _maker_solution() -> Solution:
    busy = set(GraduationRequest.objects.values_list("solution_id", flat=True))
    solution = (
        Solution.objects.filter(
            maker__username="maker",
            is_deleted=False,
            kind=SolutionKind.CANVAS_APP,
            tier__in=["", Tier.PRODUCTIVITY],
        )
        .exclude(id__in=busy)
        .order_by("id")
        .first()
    )
    assert solution is not None
    return solution


def test_maker_reaches_governance_and_asks_to_graduate(browser: Browser, live_server: Any) -> None:
    build(size="small")
    maker_user = User.objects.get(username="maker")
    solution = _maker_solution()
    server = _Server(url=live_server.url)

    maker = Persona(browser, server, "maker", WIDE)  # type: ignore[arg-type]
    maker.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = maker.page
    maker.sign_in()
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    # The solution list: the maker filter is a combobox used by keyboard alone.
    page.goto("/inventory/solutions/")
    maker.check("solutions")
    combo = page.locator("#filter-maker")
    expect(combo).to_have_attribute("role", "combobox")
    expect(combo).to_have_attribute("aria-expanded", "false")
    combo.focus()
    page.keyboard.type("김제")
    options = page.locator("#filter-maker-listbox [role=option]")
    expect(options.first).to_be_visible()
    expect(combo).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_contain_text(str(maker_user))
    page.keyboard.press("ArrowDown")
    expect(combo).to_have_attribute("aria-activedescendant", "filter-maker-listbox-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(combo).to_have_attribute("aria-expanded", "false")
    expect(combo).to_have_value(str(maker_user))
    expect(page.locator("#filter-maker_value")).to_have_value(str(maker_user.pk))
    expect(page).to_have_url(re.compile(rf"maker={maker_user.pk}"))
    makers = page.locator("#solution-table td[data-label='제작자']")
    expect(makers.first).to_have_text(str(maker_user))
    assert set(makers.all_inner_texts()) == {str(maker_user)}
    # Escape closes the list without choosing.
    combo.fill("")
    page.keyboard.type("김")
    expect(options.first).to_be_visible()
    page.keyboard.press("Escape")
    expect(combo).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#filter-maker-listbox")).to_be_hidden()
    page.keyboard.press("Escape")  # a second Escape clears the text
    expect(combo).to_have_value("")

    page.select_option("#filter-mine", "made")
    expect(page).to_have_url(re.compile(r"mine=made"))
    maker.check("solutions-made-by-me")

    # The solution's page: governance, tickets and the help-form snippets.
    page.goto(f"/inventory/solutions/{solution.pk}/")
    expect(page.locator("#governance")).to_be_visible()
    expect(page.locator("#help-form")).to_be_visible()
    launch = r'^Launch\("http[^"]+/desk/embed/[^"]+/", \{ lang: Left\(Language\(\), 2\) \}\)$'
    expect(page.locator("#snippet-launch")).to_have_value(re.compile(launch))
    copy = page.locator("button[data-copy=snippet-url]")
    copy.click()
    expect(copy).to_have_text("클립보드에 복사했습니다")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#snippet-url").input_value()
    maker.check("solution")

    page.click("#governance-link")
    expect(page).to_have_url(re.compile(rf"/governance/solutions/{solution.pk}/$"))
    expect(page.locator("h1")).to_contain_text(solution.name)
    assert HANGUL.search(page.locator("h1").inner_text())
    expect(page.locator("#back-to-solution")).to_be_visible()
    maker.check("governance")

    page.click("#back-to-solution")
    page.click("#ask-graduation")
    expect(page).to_have_url(re.compile(rf"/governance/solutions/{solution.pk}/graduate/$"))
    maker.check("graduation-form")
    page.select_option("#id_target_tier", Tier.IMPORTANT)
    page.fill("#id_justification", "영업본부 전체가 **매일** 씁니다.")
    page.locator("main form button.primary").click()
    status = page.locator("#graduation-status")
    expect(status).to_be_visible()
    status_text = status.inner_text()
    assert HANGUL.search(status_text), status_text
    assert GraduationRequest.objects.filter(solution=solution).count() == 1
    maker.check("graduation")
    page.goto(f"/inventory/solutions/{solution.pk}/")
    expect(page.locator("#ask-graduation")).to_have_count(0)  # one in flight
    expect(page.locator("#governance")).to_contain_text(status_text)
    problems = maker.problems()
    maker.close()

    phone = Persona(browser, server, "maker", NARROW)  # type: ignore[arg-type]
    phone.sign_in()
    for name, path in (
        ("solutions", "/inventory/solutions/?mine=made"),
        ("solution", f"/inventory/solutions/{solution.pk}/"),
        ("governance", f"/governance/solutions/{solution.pk}/"),
        ("mine", "/governance/mine/"),
    ):
        phone.page.goto(path)
        phone.check(name, no_sideways_scroll=True)
    problems += phone.problems()
    phone.close()
    assert not problems, "\n".join(problems)
