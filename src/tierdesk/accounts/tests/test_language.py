"""Language follows the browser until the person chooses; the choice sticks."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Org
from tierdesk.accounts.models import User


def _unchosen(org: Org, name: str = "maker") -> User:
    user = org.users[name]
    user.preferred_language = ""
    user.save(update_fields=["preferred_language"])
    return user


def test_a_new_person_has_not_chosen() -> None:
    assert User(username="new").preferred_language == ""


@pytest.mark.parametrize(
    ("accept", "lang", "word"),
    [
        ("ko", "ko", "솔루션"),
        ("ko-KR,ko;q=0.9,en;q=0.8", "ko", "솔루션"),
        ("en-US,en", "en", "Solutions"),
    ],
)
def test_who_has_not_chosen_sees_the_browsers_language(
    org: Org, accept: str, lang: str, word: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=accept)
    client.force_login(_unchosen(org))
    page = client.get("/inventory/solutions/")
    assert page.status_code == 200
    assert page["Content-Language"] == lang
    assert f'<html lang="{lang}">' in page.content.decode()
    assert word in page.content.decode()


def test_without_accept_language_the_site_speaks_korean(org: Org) -> None:
    client = Client()
    client.force_login(_unchosen(org))
    assert client.get("/accounts/profile/")["Content-Language"] == "ko"
    assert Client().get("/accounts/login/")["Content-Language"] == "ko"


def test_the_choice_sticks_whatever_the_browser_asks(org: Org) -> None:
    user = _unchosen(org)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    other = Client(HTTP_ACCEPT_LANGUAGE="ko")  # another browser, no cookie
    other.force_login(user)
    assert other.get("/accounts/profile/")["Content-Language"] == "en"


def test_follow_my_browser_forgets_the_choice(org: Org) -> None:
    user = org.users["maker"]
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    profile = client.get("/accounts/profile/").content.decode()
    assert 'id="profile-language"' in profile and '<option value="">' in profile
    response = client.post("/accounts/language/", {"language": "", "next": "/accounts/profile/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == ""
    page = client.get("/accounts/profile/")
    assert page["Content-Language"] == "ko"
    assert "Follow my browser" not in page.content.decode()  # Korean now


def test_an_unknown_language_changes_nothing(org: Org) -> None:
    user = org.users["maker"]
    client = Client()
    client.force_login(user)
    client.post("/accounts/language/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_the_api_answers_scripts_in_english_unless_asked(org: Org) -> None:
    assert "credentials" in Client().get("/api/v1/tickets/").json()["detail"]
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko").get("/api/v1/tickets/").json()["detail"]
    assert "credentials" not in korean
