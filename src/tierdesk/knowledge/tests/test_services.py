"""The article services: revisions on every save, a readable and safe diff, the version
check, translations, owners, publishing and the staleness queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from conftest import Org
from tierdesk.common import clock
from tierdesk.common.records import VersionConflict
from tierdesk.knowledge import selectors, services
from tierdesk.knowledge.diff import diff_html
from tierdesk.knowledge.tests.factories import article


def test_every_save_keeps_a_revision(org: Org) -> None:
    agent = org.users["agent"]
    made = services.article_create(actor=agent, data={"title": "VPN 접속", "body": "첫 줄"})
    services.article_update(
        article=made,
        actor=agent,
        expected_version=made.version,
        data={"body": "첫 줄\n둘째 줄"},
        note="둘째 줄 추가",
    )
    # a change of topic alone keeps no new revision: the text is the same
    services.article_update(
        article=made, actor=agent, expected_version=made.version, data={"topic": "access"}
    )
    revisions = list(selectors.revisions_of(made))
    assert [(r.number, r.body, r.note, r.author) for r in revisions] == [
        (2, "첫 줄\n둘째 줄", "둘째 줄 추가", agent),
        (1, "첫 줄", "", agent),  # the pages name it "First draft" in the reader's language
    ]
    assert made.version == 3


def test_the_diff_is_escaped_and_marks_words() -> None:
    html = diff_html("프린터를 <b>켭니다</b>.", "프린터를 <i>끕니다</i>.\n다시 켭니다")
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;" in html
    assert "<del>b</del><ins>i</ins>" in html
    assert "<del>켭니다</del><ins>끕니다</ins>" in html
    assert html.endswith("<ins>\n다시 켭니다</ins>")
    assert diff_html("같음", "같음") == "같음"


def test_a_stale_version_is_a_conflict(org: Org) -> None:
    found = article(owner=org.users["agent"])
    services.article_update(
        article=found, actor=None, expected_version=1, data={"title": "먼저 고친 제목"}
    )
    with pytest.raises(VersionConflict) as conflict:
        services.article_update(
            article=found, actor=None, expected_version=1, data={"title": "늦게 고친 제목"}
        )
    assert conflict.value.current.title == "먼저 고친 제목"
    assert conflict.value.yours == {"title": "늦게 고친 제목"}


def test_translations_link_two_languages_as_one_article(org: Org) -> None:
    owner = org.users["agent"]
    korean = article(owner=owner, language="ko", status="published", audience="public")
    english = article(
        owner=owner, language="en", translation_of=korean, status="published", audience="public"
    )
    visible = selectors.articles_visible_to(org.users["requester"])
    assert selectors.other_language(korean, visible) == english
    assert selectors.other_language(english, visible) == korean
    with pytest.raises(ValidationError) as same:
        article(owner=owner, language="ko", translation_of=korean)
    assert "translation_of" in same.value.message_dict
    with pytest.raises(ValidationError):
        article(owner=owner, language="en", translation_of=korean)  # it has one already
    with pytest.raises(ValidationError):
        article(owner=owner, language="ko", translation_of=english)  # a translation's


def test_an_article_needs_an_owner(org: Org) -> None:
    with pytest.raises(ValidationError) as error:
        article()  # no actor and no owner named
    assert "owner" in error.value.message_dict
    teamed = article(owner_team=org.partner_team)
    with pytest.raises(ValidationError):
        services.article_update(
            article=teamed, actor=None, expected_version=1, data={"owner_team": None}
        )


def test_publish_sets_the_dates_and_moves_are_checked(org: Org) -> None:
    found = article(owner=org.users["agent"])
    services.article_submit(article=found, actor=None)
    assert found.status == "in_review"
    with pytest.raises(ValidationError):
        services.article_submit(article=found, actor=None)
    services.article_publish(article=found, actor=None)
    assert found.published_at is not None
    assert found.review_by == clock.today() + timedelta(days=services.REVIEW_AFTER_DAYS)
    with pytest.raises(ValidationError):
        services.article_publish(article=found, actor=None)
    services.article_retire(article=found, actor=None)
    assert found.status == "retired"
    assert found.version == 4


def test_the_review_queue(org: Org) -> None:
    member, platform = org.users["member"], org.users["platform"]
    today = clock.today()
    late = article(owner=member, status="published")  # publishing sets a date 180 days out
    late = services.article_update(
        article=late,
        actor=None,
        expected_version=late.version,
        data={"review_by": today - timedelta(days=1)},
    )
    soon = article(owner=member, review_by=today + timedelta(days=14))
    article(owner=member, review_by=today + timedelta(days=15))  # not yet
    article(owner=member, review_by=today, status="retired")  # retired: never due
    waiting = article(owner=member, status="in_review")
    someone_elses = article(owner=org.users["agent"], status="in_review")
    queue = selectors.review_queue(member)
    assert queue["due"] == [late, soon]
    assert queue["in_review"] == [waiting]
    assert selectors.review_queue(platform)["in_review"] == [waiting, someone_elses]
