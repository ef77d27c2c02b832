"""The request form names a solution honestly: one match is picked, several are offered,
none says so and lets the request go without one — never a silent pick of another app."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tierdesk.accounts.models import User
from tierdesk.desk import intake
from tierdesk.desk.models import Ticket
from tierdesk.inventory.models import Solution
from tierdesk.inventory.tests.factories import SolutionFactory


def _client(user: User) -> Client:
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client(headers={"accept-language": "ko"})
    client.force_login(user)
    return client


def _form(solution: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": "출근 기록이 안 돼요",
        "description": "",
        "solution": solution,
        "topic": "bug",
        "type": "incident",
        "impact": "low",
        "urgency": "medium",
        **extra,
    }


@pytest.fixture
def twins(org: Org) -> tuple[Solution, Solution]:
    """Two apps the maker sees with the same name, in two environments."""
    return (
        SolutionFactory.create(environment=org.env_sales, maker=org.users["maker"], name="근태 앱"),
        SolutionFactory.create(environment=org.env_prod, maker=org.users["maker"], name="근태 앱"),
    )


def test_one_exact_name_or_platform_id_is_picked(org: Org) -> None:
    client = _client(org.users["maker"])
    assert client.post("/desk/new/", _form(org.own.name)).status_code == 302
    assert client.post("/desk/new/", _form(org.own.platform_id.upper())).status_code == 302
    assert list(Ticket.objects.values_list("solution", flat=True)) == [org.own.pk, org.own.pk]


def test_several_matches_are_offered_not_guessed(
    org: Org, twins: tuple[Solution, Solution]
) -> None:
    client = _client(org.users["maker"])
    response = client.post("/desk/new/", _form("근태 앱"))
    page = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    for twin in twins:
        assert f'value="{twin.pk}"' in page
        assert twin.environment.name in page
    assert 'value="none"' in page
    assert "출근 기록이 안 돼요" in page  # what was typed stays
    # picking the second one files with that one
    response = client.post("/desk/new/", _form("근태 앱", solution_choice=str(twins[1].pk)))
    assert response.status_code == 302
    assert Ticket.objects.get().solution == twins[1]


def test_a_partial_name_is_offered_even_when_only_one_contains_it(org: Org) -> None:
    client = _client(org.users["maker"])
    response = client.post("/desk/new/", _form(org.own.name[:2]))
    assert response.status_code == 400
    assert f'value="{org.own.pk}"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_no_match_says_so_and_can_go_without_a_solution(org: Org) -> None:
    client = _client(org.users["maker"])
    response = client.post("/desk/new/", _form("없는 앱"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "없는 앱" in page and 'value="none"' in page
    assert "모르겠어요" in page
    response = client.post("/desk/new/", _form("없는 앱", solution_choice="none"))
    assert response.status_code == 302
    assert Ticket.objects.get().solution is None


def test_a_hidden_solution_reads_as_missing(org: Org) -> None:
    """The maker may not see `other`: its name matches nothing, and its id posted as a
    choice is not accepted either."""
    client = _client(org.users["maker"])
    page = client.post("/desk/new/", _form(org.other.name)).content.decode()
    assert f'value="{org.other.pk}"' not in page
    response = client.post("/desk/new/", _form(org.other.name, solution_choice=str(org.other.pk)))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_empty_solution_is_fine(org: Org) -> None:
    assert _client(org.users["requester"]).post("/desk/new/", _form("")).status_code == 302
    assert Ticket.objects.get().solution is None


def test_form_page_is_korean(org: Org) -> None:
    page = _client(org.users["requester"]).get("/desk/new/").content.decode()
    assert "새 요청" in page and 'class="form-actions"' in page
    assert "style=" not in page


def test_solution_match_ranks_exact_before_contains(
    org: Org, twins: tuple[Solution, Solution]
) -> None:
    maker = org.users["maker"]
    assert intake.solution_match(maker, "").solution is None
    exact = intake.solution_match(maker, "근태 앱")
    assert exact.solution is None and set(exact.choices) == set(twins)
    assert intake.solution_match(maker, org.own.name).solution == org.own
    assert intake.solution_match(maker, "근태").choices == twins


def test_bypass_uses_the_same_rules(org: Org, twins: tuple[Solution, Solution]) -> None:
    client = _client(org.users["platform"])
    data = {"requester": "requester", "subject": "복도", "topic": "how_to", "urgency": "low"}
    response = client.post("/desk/bypass/", {**data, "solution": "근태 앱"})
    assert response.status_code == 400
    assert f'value="{twins[0].pk}"' in response.content.decode()
    response = client.post(
        "/desk/bypass/", {**data, "solution": "근태 앱", "solution_choice": str(twins[0].pk)}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().solution == twins[0]


def test_what_the_picker_posts(org: Org, twins: tuple[Solution, Solution]) -> None:
    """With JavaScript the picker posts the picked id and the text it filled in."""
    client = _client(org.users["maker"])
    picked = {"solution": str(twins[1].pk), "solution_text": "근태 앱"}
    response = client.post("/desk/new/", {**_form(""), **picked})
    assert response.status_code == 302
    assert Ticket.objects.get().solution == twins[1]
    # text changed after the pick: the text decides (here: two apps, so a choice)
    changed = {"solution": str(twins[1].pk), "solution_text": "근태"}
    response = client.post("/desk/new/", {**_form(""), **changed})
    assert response.status_code == 400
    # a picked id the person may not see reads as missing
    hidden = {"solution": str(org.other.pk), "solution_text": org.other.name}
    response = client.post("/desk/new/", {**_form(""), **hidden})
    assert response.status_code == 400
    assert f'name="solution_choice" value="{org.other.pk}"' not in response.content.decode()
    assert org.other.environment.name not in response.content.decode()
    assert Ticket.objects.count() == 1
