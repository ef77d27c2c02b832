"""The API's contract: replace, remove, among, highlighting, frequencies kept in step."""

from __future__ import annotations

import pytest

from tierdesk.accounts.models import User
from tierdesk.search import services
from tierdesk.search.models import SearchTerm

pytestmark = pytest.mark.django_db


def _ids(hits):
    return [h.object_id for h in hits]


def test_index_replaces_and_remove_forgets_keeping_frequencies_in_step():
    services.index("t", 1, title="프린터 연결 오류", body="프린터가 안 돼요")
    services.index("t", 1, title="메일 서명 설정", body="서명을 바꾸는 방법")
    assert services.search("t", "프린터 ") == []
    assert _ids(services.search("t", "서명 ")) == [1]
    assert SearchTerm.objects.get(kind="t", term="").df == 1
    assert SearchTerm.objects.get(kind="t", term="서명").df == 1
    assert SearchTerm.objects.get(kind="t", term="프린").df == 0
    services.remove("t", 1)
    services.remove("t", 99)
    assert services.search("t", "서명 ") == []
    assert SearchTerm.objects.get(kind="t", term="").df == 0


def test_kinds_are_separate_and_wordless_text_finds_nothing():
    services.index("a", 1, title="권한 요청", body="")
    services.index("b", 1, title="권한 요청", body="")
    assert _ids(services.search("a", "권한")) == [1]
    assert services.search("c", "권한") == []
    assert services.search("a", "  ?! ") == []
    assert services.search("a", "권한", limit=0) == []


def test_among_restricts_before_the_limit_by_ids_or_queryset(django_user_model):
    rows = [(n, f"권한 요청 {n}", "권한 " * (10 - n), "ko") for n in range(1, 10)]
    assert services.index_many("a", rows) == 9
    assert _ids(services.search("a", "권한", limit=2))[:1] == [1]
    assert _ids(services.search("a", "권한", limit=2, among=[7, 8])) == [7, 8]
    assert services.search("a", "권한", among=[]) == []
    users = [User.objects.create(username=f"u{n}") for n in range(3)]
    allowed = User.objects.filter(pk=users[-1].pk)
    expected = [users[-1].pk] if users[-1].pk < 10 else []
    assert _ids(services.search("a", "권한", among=allowed)) == expected
    assert _ids(services.search("a", "권한", among=allowed.values_list("id"))) == expected


def test_matches_are_marked_in_the_original_text_which_is_escaped():
    services.index(
        "a",
        1,
        title="<b>SharePoint</b> 커넥터 인증 실패 (401)",
        body="앞 " * 200
        + "SharePoint 커넥터의 인증이 401 오류로 실패하면 다시 연결하세요."
        + " 뒤" * 200,
    )
    (hit,) = services.search("a", "sharepiont 인증 401")
    assert hit.title_html.startswith("&lt;b&gt;<mark>SharePoint</mark>&lt;/b&gt;")
    assert "<mark>인증</mark>" in hit.title_html and "<mark>401</mark>" in hit.title_html
    assert (
        "<mark>SharePoint</mark> 커넥터의 <mark>인증</mark>이 <mark>401</mark>" in hit.snippet_html
    )
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert len(hit.snippet_html.replace("<mark>", "").replace("</mark>", "")) <= 165


def test_a_prefix_being_typed_and_a_hangul_typo_match():
    services.index("a", 1, title="갤러리 위임 경고 해결", body="")
    services.index("a", 2, title="첨부파일 전송 실패", body="")
    assert _ids(services.search("a", "갤러리 위임 경")) == [1]
    assert _ids(services.search("a", "위임 겨")) == [1]  # 경 being typed
    assert _ids(services.search("a", "전송 실퍠 ")) == [2]


def test_a_larger_limit_gets_every_match_up_to_it():
    """Ticket search asks for 200: a common word must not stop at the 60 candidates a
    knowledge search re-ranks."""
    services.index_many(
        "many", ((n, f"환경 요청 {n}", "개발 환경을 만들어 주세요", "") for n in range(1, 131))
    )
    assert len(services.search("many", "환경을", limit=200)) == 130
    assert len(services.search("many", "환경을", limit=20)) == 20
