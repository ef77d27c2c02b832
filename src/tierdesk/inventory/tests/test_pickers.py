"""The solution and person pickers: the form fields and their JSON endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.accounts.pickers import PersonPickerField, people_pickable_by
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.inventory.models import Solution
from tierdesk.inventory.pickers import SolutionPickerField
from tierdesk.inventory.tests.factories import EnvironmentFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def _solution_form(user: User, data: dict[str, Any], **kwargs: Any) -> forms.Form:
    class PickForm(forms.Form):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self.fields["solution"] = SolutionPickerField(user=user, **kwargs)

    return PickForm(data)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- SolutionPickerField -------------------------------------------------------------


def test_picked_id_is_accepted(org: Any) -> None:
    form = _solution_form(org.users["maker"], {"solution": str(org.own.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["solution"] == org.own


def test_picked_id_with_its_name_as_text(org: Any) -> None:
    data = {"solution": str(org.own.pk), "solution_text": org.own.name}
    form = _solution_form(org.users["maker"], data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["solution"] == org.own


def test_exact_platform_id_without_javascript(org: Any) -> None:
    data = {"solution": "", "solution_text": f"  {org.own.platform_id.upper()} "}
    form = _solution_form(org.users["maker"], data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["solution"] == org.own


def test_unique_exact_name_without_javascript(org: Any) -> None:
    form = _solution_form(org.users["maker"], {"solution_text": "영업 일지"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["solution"] == org.own


def test_ambiguous_name_lists_the_candidates(org: Any) -> None:
    twin = SolutionFactory.create(
        environment=EnvironmentFactory.create(business_unit=org.sales, name="SALES DEV"),
        maker=org.users["maker"],
        name="영업 일지",
    )
    form = _solution_form(org.users["maker"], {"solution_text": "영업 일지"})
    assert not form.is_valid()
    message = " ".join(str(e) for e in form.errors["solution"])
    assert "SALES PROD" in message and "SALES DEV" in message
    assert org.own.platform_id in message and twin.platform_id in message


def test_a_part_of_a_name_is_not_silently_matched(org: Any) -> None:
    form = _solution_form(org.users["maker"], {"solution_text": "영업"})
    assert not form.is_valid()
    assert "영업" in form.errors["solution"][0]


def test_hidden_solution_reads_as_missing(org: Any) -> None:
    maker = org.users["maker"]
    hidden = _solution_form(maker, {"solution_text": "Line check"})
    missing = _solution_form(maker, {"solution_text": "No such thing"})
    assert not hidden.is_valid() and not missing.is_valid()
    hidden_says = str(hidden.errors["solution"][0]).replace("Line check", "X")
    assert hidden_says == str(missing.errors["solution"][0]).replace("No such thing", "X")
    by_id = _solution_form(maker, {"solution": str(org.other.pk)})
    assert not by_id.is_valid()
    by_platform_id = _solution_form(maker, {"solution_text": org.other.platform_id})
    assert not by_platform_id.is_valid()


def test_changed_text_wins_over_a_stale_id(org: Any) -> None:
    data = {"solution": str(org.own.pk), "solution_text": "Critical MES bridge"}
    form = _solution_form(org.users["admin"], data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["solution"] == org.partner_solution


def test_required_and_optional(org: Any) -> None:
    assert not _solution_form(org.users["maker"], {"solution": ""}).is_valid()
    optional = _solution_form(org.users["maker"], {"solution": ""}, required=False)
    assert optional.is_valid() and optional.cleaned_data["solution"] is None


def test_widget_renders_a_picker_input_and_the_hidden_id(org: Any) -> None:
    class EditForm(forms.Form):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self.fields["solution"] = SolutionPickerField(user=org.users["maker"])

    html = str(EditForm(initial={"solution": org.own.pk})["solution"])
    assert 'data-picker="solution"' in html
    assert 'data-picker-url="/inventory/solutions/pick/"' in html
    assert f'type="hidden" name="solution" id="id_solution_value" value="{org.own.pk}"' in html
    assert 'value="영업 일지"' in html and 'name="solution_text"' in html


def test_deleted_solutions_are_not_picked(org: Any) -> None:
    Solution.objects.filter(pk=org.own.pk).update(is_deleted=True)
    assert not _solution_form(org.users["maker"], {"solution": str(org.own.pk)}).is_valid()


# --- The solution endpoint -------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in() -> None:
    assert Client().get("/inventory/solutions/pick/?q=a").status_code == 302
    assert Client().get("/accounts/people/pick/?q=a").status_code == 302


def test_solution_endpoint_shape_and_visibility(org: Any) -> None:
    body = _client(org.users["maker"]).get("/inventory/solutions/pick/?q=영업").json()
    assert body == {
        "results": [
            {
                "id": org.own.pk,
                "platform_id": org.own.platform_id,
                "name": "영업 일지",
                "environment": "SALES PROD",
                "maker": str(org.users["maker"]),
            }
        ]
    }
    for text in ("line", "Critical", "PROD PROD", "other_maker", org.other.platform_id):
        found = _client(org.users["maker"]).get("/inventory/solutions/pick/", {"q": text})
        assert org.other.pk not in [r["id"] for r in found.json()["results"]], text
    admin = _client(org.users["admin"]).get("/inventory/solutions/pick/?q=line").json()
    assert [r["id"] for r in admin["results"]] == [org.other.pk]
    partner = _client(org.users["partner"]).get("/inventory/solutions/pick/?q=mes").json()
    assert [r["id"] for r in partner["results"]] == [org.partner_solution.pk]
    requester = _client(org.users["requester"]).get("/inventory/solutions/pick/?q=영업")
    assert requester.json() == {"results": []}


def test_solution_endpoint_ranks_exact_prefix_word_then_contains(org: Any) -> None:
    env = EnvironmentFactory.create(business_unit=org.sales, name="Approval Lab")
    maker = org.users["maker"]
    names = ["결재 승인", "승인", "승인 대장", "출장 승인 흐름", "자동승인"]
    made = {n: SolutionFactory.create(environment=env, maker=maker, name=n) for n in names}
    found = _client(maker).get("/inventory/solutions/pick/?q=승인").json()["results"]
    assert [r["name"] for r in found] == [
        "승인",
        "승인 대장",
        "결재 승인",
        "출장 승인 흐름",
        "자동승인",
    ]
    by_env = _client(maker).get("/inventory/solutions/pick/?q=approval").json()["results"]
    assert {r["id"] for r in by_env} == {s.pk for s in made.values()}
    assert _client(maker).get("/inventory/solutions/pick/?q=APPROVAL+lab").json()["results"]


def test_solution_endpoint_matches_english_words_and_the_maker(org: Any) -> None:
    dana = UserFactory.create(username="dana", display_name="Dana Kim")
    env = EnvironmentFactory.create(business_unit=org.sales)
    flow = SolutionFactory.create(environment=env, maker=dana, name="Expense Approval Flow")
    admin = _client(org.users["admin"])
    for text in ("expense", "approval", "APPROVAL FLOW", "kim", "dana"):
        ids = [
            r["id"] for r in admin.get("/inventory/solutions/pick/", {"q": text}).json()["results"]
        ]
        assert flow.pk in ids, text


@pytest.mark.parametrize(
    "query",
    ["", "q=", "q=%00", "limit=abc&q=a", "limit=99999999999999999999&q=a", "q=" + "가" * 500],
)
def test_solution_endpoint_bad_input_never_fails(org: Any, query: str) -> None:
    response = _client(org.users["admin"]).get("/inventory/solutions/pick/?" + query)
    if "%00" in query:  # the site refuses NUL in any parameter (400), never a 500
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 25


def test_limit(org: Any) -> None:
    env = EnvironmentFactory.create(business_unit=org.sales)
    for i in range(15):
        SolutionFactory.create(environment=env, maker=org.users["maker"], name=f"점검 {i}")
    client = _client(org.users["maker"])
    assert len(client.get("/inventory/solutions/pick/?q=점검").json()["results"]) == 10
    assert len(client.get("/inventory/solutions/pick/?q=점검&limit=3").json()["results"]) == 3


# --- People ---------------------------------------------------------------------------


def test_people_endpoint_shape_and_active_people_only(org: Any) -> None:
    UserFactory.create(username="gone", display_name="지민 퇴사", is_active=False)
    UserFactory.create(username="svc-bot", display_name="지민 봇", kind=AccountKind.SERVICE_ACCOUNT)
    jimin = UserFactory.create(username="jimin", display_name="지민 박", email="jimin@example.com")
    body = _client(org.users["agent"]).get("/accounts/people/pick/?q=지민").json()
    assert body == {
        "results": [
            {"id": jimin.pk, "username": "jimin", "name": "지민 박", "email": "jimin@example.com"}
        ]
    }


def test_who_may_look_up_whom(org: Any) -> None:
    everyone = set(people_pickable_by(org.users["agent"]))
    assert org.users["requester"] in everyone and org.users["other_maker"] in everyone
    assert set(people_pickable_by(org.users["admin"])) == everyone
    assert set(people_pickable_by(org.users["requester"])) == {org.users["requester"]}
    maker_sees = set(people_pickable_by(org.users["maker"]))
    assert maker_sees == {org.users["maker"]}
    teammate = UserFactory.create(username="teammate")
    team = org.users["member"].memberships.get().team
    team.memberships.create(user=teammate)
    assert set(people_pickable_by(org.users["member"])) == {org.users["member"], teammate}
    response = _client(org.users["requester"]).get("/accounts/people/pick/?q=admin")
    assert response.json() == {"results": []}


def test_person_picker_field(org: Any) -> None:
    UserFactory.create(username="kim1", display_name="김 민수")
    UserFactory.create(username="kim2", display_name="김 민수")

    class AssignForm(forms.Form):
        person = PersonPickerField(queryset=User.objects.filter(is_active=True))

    assert AssignForm({"person": str(org.users["agent"].pk)}).is_valid()
    by_name = AssignForm({"person_text": "AGENT"})
    assert by_name.is_valid() and by_name.cleaned_data["person"] == org.users["agent"]
    several = AssignForm({"person_text": "김 민수"})
    assert not several.is_valid()
    assert "kim1" in several.errors["person"][0] and "kim2" in several.errors["person"][0]
    assert not AssignForm({"person_text": "nobody"}).is_valid()

    class AgentsOnly(forms.Form):
        person = PersonPickerField(queryset=User.objects.filter(username="agent"))

    outside = AgentsOnly({"person": str(org.users["requester"].pk)})
    assert not outside.is_valid()
    html = str(AgentsOnly()["person"])
    assert 'data-picker="person"' in html and 'data-picker-url="/accounts/people/pick/"' in html
