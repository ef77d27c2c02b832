from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tierdesk.common.markdown import render


def test_the_subset_renders() -> None:
    html = render(
        "## 지원 안내\n\n**굵게** *기울임* `code`\n\n- 하나\n- 둘\n\n[문서](https://example.com/a)"
    )
    assert "<h3>지원 안내</h3>" in html
    assert "<strong>굵게</strong>" in html and "<em>기울임</em>" in html
    assert "<code>code</code>" in html
    assert "<ul><li>하나</li><li>둘</li></ul>" in html
    assert 'href="https://example.com/a"' in html and 'rel="noopener noreferrer nofollow"' in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '[x](https://a.example/"onmouseover="alert(1))',
        "[x](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_nothing_user_written_reaches_the_page_raw(attack: str) -> None:
    parser = _Tags()
    parser.feed(render(attack))
    for tag, attrs in parser.seen:
        assert tag in {"p", "a", "br"}, tag
        assert not [name for name in attrs if name.startswith("on")], attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript"), attrs


def test_plain_text_is_what_a_reader_sees_without_the_marks():
    from tierdesk.common.markdown import plain_text

    source = (
        "## 제목\n\n- **굵게** 항목\n1. [링크](https://example.org) 와 ![그림](attachment:3)\n"
        "> 인용 *기울임* snake_case_name\n```\ncode here\n```\n`Get-AdminPowerApp` 실행"
    )
    assert plain_text(source) == (
        "제목\n\n굵게 항목\n링크 와 그림\n인용 기울임 snake_case_name\ncode here\n"
        "Get-AdminPowerApp 실행"
    )
    assert plain_text("") == ""
