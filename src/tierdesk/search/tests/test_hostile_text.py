"""Whatever people type never breaks the query languages underneath (FTS5 MATCH on SQLite,
tsquery on PostgreSQL): quotes, operators, keywords, control characters, long input."""

from __future__ import annotations

import pytest

from tierdesk.search import services

HOSTILE = [
    '"',
    "'",
    '"\'"',
    'a"b',
    "it's",
    "*",
    "a*",
    "^a",
    ":",
    "col:value",
    "title:프린터",
    "&",
    "|",
    "!",
    "()",
    "(a",
    "a)",
    "NEAR(a b)",
    "a AND b",
    "a OR b",
    "NOT a",
    "a -b",
    "+a",
    "{a b}",
    "a\\b",
    "%_",
    "\t\n\r",
    "\x00",
    "<script>alert(1)</script>",
    "프린터가 '연결' \"안됨\"",
    "0x0000011b:*",
    "a:* & b",
    "ㅋㅋㅋ",
    "ㄱ",
    "🙂 이모지",
    "x" * 5000,
    "가" * 500,
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_searches_without_error(text: str) -> None:
    services.index("t", 1, title='프린터 연결 오류 it\'s "quoted"', body="a AND b NEAR 0x0000011b")
    for call in (services.search, services.suggest):
        hits = call("t", text)
        assert all("<script>" not in h.title_html + h.snippet_html for h in hits)
