"""A maker's solution page (links, snippets) and the list's ownership and maker filters."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.models import User
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.governance.choices import FindingStatus, GuardrailCode, Severity
from tierdesk.governance.models import Finding
from tierdesk.inventory.choices import SolutionKind, Tier
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.inventory.tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: User, solution: Solution) -> str:
    response = _client(user).get(f"/inventory/solutions/{solution.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_owner_sees_governance_findings_tickets_and_ask_to_graduate(
    org: Any, settings: Any
) -> None:
    settings.TIERDESK_BASE_URL = "https://desk.example.com"
    Finding.objects.create(
        solution=org.own,
        code=GuardrailCode.values[0],
        severity=Severity.values[0],
        status=FindingStatus.OPEN,
        first_seen=dt.date(2026, 11, 1),
        last_seen=dt.date(2026, 11, 30),
    )
    page = _page(org.users["maker"], org.own)
    assert f'href="/governance/solutions/{org.own.pk}/"' in page
    assert f'href="/governance/solutions/{org.own.pk}/#findings"' in page
    assert f'href="/governance/solutions/{org.own.pk}/graduate/"' in page
    assert f"/desk/tickets/?solution={org.own.pk}" in page
    url = f"https://desk.example.com/desk/embed/{org.own.platform_id}/"
    assert html.escape(url) in page
    assert html.escape(f'Launch("{url}", {{ lang: Left(Language(), 2) }})') in page
    assert html.escape(f'<iframe src="{url}"') in page
    # the address, Launch(), the iframe, the connector's FileTicket and the flow example
    assert page.count("data-copy=") == 5
    assert "tierdesk.FileTicket(" in page
    assert "<iframe" not in page.replace("&lt;iframe", "")  # shown as text, never framed


def test_co_owner_sees_snippets_and_may_ask(org: Any) -> None:
    page = _page(org.users["co_owner"], org.own)
    assert 'id="help-form"' in page and 'id="ask-graduation"' in page


def test_others_see_what_they_may(org: Any) -> None:
    member_page = _page(org.users["member"], org.own)  # sees it through the sales team
    assert 'id="help-form"' not in member_page
    assert 'id="ask-graduation"' not in member_page
    assert "/governance/solutions/" not in member_page  # not a governance reader
    assert f"/desk/tickets/?solution={org.own.pk}" in member_page
    agent_page = _page(org.users["agent"], org.own)  # staff: snippets and governance
    assert 'id="help-form"' in agent_page
    assert f'href="/governance/solutions/{org.own.pk}/"' in agent_page
    assert 'id="ask-graduation"' not in agent_page  # the help desk does not govern
    platform_page = _page(org.users["platform"], org.own)
    assert 'id="ask-graduation"' in platform_page
    response = _client(org.users["maker"]).get(f"/inventory/solutions/{org.other.pk}/")
    assert response.status_code == 404


def test_no_ask_when_critical_or_deleted(org: Any) -> None:
    Solution.objects.filter(pk=org.own.pk).update(tier=Tier.CRITICAL)
    assert 'id="ask-graduation"' not in _page(org.users["maker"], org.own)
    Solution.objects.filter(pk=org.own.pk).update(tier="", is_deleted=True)
    page = _page(org.users["maker"], org.own)
    assert 'id="ask-graduation"' not in page and 'id="help-form"' not in page


def test_launch_formula_only_for_canvas_apps(org: Any) -> None:
    flow = SolutionFactory.create(
        environment=org.env_sales, maker=org.users["maker"], kind=SolutionKind.CLOUD_FLOW
    )
    page = _page(org.users["maker"], flow)
    assert 'id="snippet-url"' in page and 'id="snippet-launch"' not in page


def test_snippets_escape_the_name(org: Any) -> None:
    odd = SolutionFactory.create(
        environment=org.env_sales, maker=org.users["maker"], name='Q&A "beta" <b>'
    )
    page = _page(org.users["maker"], odd)
    assert "<b>" not in page
    # The iframe snippet is HTML source: the name escaped once inside it, and the whole
    # escaped again on the page.
    assert "title=&quot;Ask for help with Q&amp;amp;A &amp;quot;beta&amp;quot;" in page


# --- The list's filters ----------------------------------------------------------------


def _names(page: str) -> set[str]:
    return set(re.findall(r'/inventory/solutions/\d+/">([^<]+)</a>', page))


def test_made_by_me_and_co_owned_by_me(org: Any) -> None:
    mine_too = SolutionFactory.create(
        environment=org.env_sales, maker=org.users["co_owner"], name="공동 작업 앱"
    )
    SolutionOwner.objects.create(solution=mine_too, user=org.users["maker"])
    client = _client(org.users["maker"])
    everything = client.get("/inventory/solutions/").content.decode()
    assert {"영업 일지", "공동 작업 앱"} <= _names(everything)
    assert 'id="filter-mine"' in everything
    made = client.get("/inventory/solutions/?mine=made").content.decode()
    assert "영업 일지" in _names(made) and "공동 작업 앱" not in _names(made)
    co_owned = client.get("/inventory/solutions/?mine=co_owned").content.decode()
    assert _names(co_owned) == {"공동 작업 앱"}
    co_owner = _client(org.users["co_owner"]).get("/inventory/solutions/?mine=co_owned")
    assert _names(co_owner.content.decode()) == {"영업 일지"}


def test_ownership_filter_offered_to_makers_only(org: Any) -> None:
    page = _client(org.users["member"]).get("/inventory/solutions/").content.decode()
    assert 'id="filter-mine"' not in page


def test_maker_filter_shows_the_name_never_the_id(org: Any) -> None:
    dana = UserFactory.create(username="dana", display_name="다나 김")
    SolutionFactory.create(environment=org.env_sales, maker=dana, name="다나의 앱")
    client = _client(org.users["admin"])
    page = client.get(f"/inventory/solutions/?maker={dana.pk}").content.decode()
    assert _names(page) == {"다나의 앱"}
    assert re.search(r'<input [^>]*name="maker_text" [^>]*value="다나 김"', page)
    assert f'value="{dana.pk}"' in page  # only in the hidden input
    assert page.count(f'"{dana.pk}"') == 1
    typed = client.get("/inventory/solutions/", {"maker_text": "다나 김"}).content.decode()
    assert _names(typed) == {"다나의 앱"}
    by_username = client.get("/inventory/solutions/", {"maker_text": "DANA"}).content.decode()
    assert _names(by_username) == {"다나의 앱"}
    # The text changed after a pick: the text decides, not the stale id.
    changed = client.get(
        "/inventory/solutions/", {"maker": str(dana.pk), "maker_text": org.users["maker"].username}
    ).content.decode()
    assert "영업 일지" in _names(changed) and "다나의 앱" not in _names(changed)


def test_list_rows_are_cards_with_labels(org: Any) -> None:
    page = _client(org.users["maker"]).get("/inventory/solutions/").content.decode()
    assert '<table class="data cards' in page
    cells = re.findall(r"<td[^>]*>", page)
    assert cells and all("data-label=" in cell for cell in cells)


def test_maker_picker_endpoint_lists_only_makers_of_visible_solutions(org: Any) -> None:
    maker = _client(org.users["maker"])
    names = [
        r["username"] for r in maker.get("/inventory/solutions/makers/pick/?q=m").json()["results"]
    ]
    assert "maker" in names and "other_maker" not in names
    admin = _client(org.users["admin"])
    body = admin.get("/inventory/solutions/makers/pick/?q=other").json()
    assert [r["username"] for r in body["results"]] == ["other_maker"]
    assert set(body["results"][0]) == {"id", "username", "name", "email"}
