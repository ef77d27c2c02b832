from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import nh3
from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tierdesk.governance.digest import signal_text
from tierdesk.governance.policy import reason_text

register = template.Library()

_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    text = escape(text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def markdown_render(source: str) -> str:
    """A small Markdown subset (headings, lists, bold, emphasis, links). User text is
    escaped first and nh3 is the final gate, so nothing user-written reaches a page raw."""
    html: list[str] = []
    in_list = False
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{' '.join(paragraph)}</p>")
            paragraph.clear()

    for raw in source.splitlines():
        line = raw.rstrip()
        item = re.match(r"^\s*[-*] (.*)", line)
        heading = re.match(r"^(#{1,4}) (.*)", line)
        if item:
            flush()
            if not in_list:
                html.append("<ul>")
                in_list = True
            html.append(f"<li>{_inline(item.group(1))}</li>")
            continue
        if in_list and line.startswith("  ") and line.strip():
            html[-1] = html[-1][:-5] + " " + _inline(line.strip()) + "</li>"
            continue
        if in_list:
            html.append("</ul>")
            in_list = False
        if heading:
            flush()
            level = len(heading.group(1)) + 1
            html.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif not line.strip():
            flush()
        else:
            paragraph.append(_inline(line))
    flush()
    if in_list:
        html.append("</ul>")
    return nh3.clean("".join(html))


@register.filter
def md(text: str) -> SafeString:
    return mark_safe(markdown_render(text or ""))  # noqa: S308 - nh3 output


@register.filter
def signal_words(signal: Any) -> str:
    return signal_text(signal.code, signal.detail or {})


@register.filter
def reason_words(reason: dict[str, Any]) -> str:
    return reason_text(reason)


@register.simple_tag
def bar_chart(rows: Sequence[tuple[str, int]], title: str = "") -> SafeString:
    """Horizontal SVG bars: one row per (label, count)."""
    if not rows:
        return format_html('<p class="empty">{}</p>', title)
    top = max(count for _label, count in rows) or 1
    height = 26 * len(rows) + 8
    bars = format_html_join(
        "",
        '<text class="axis" x="0" y="{}">{}</text>'
        '<rect x="260" y="{}" width="{}" height="16" class="bar"></rect>'
        '<text class="axis" x="{}" y="{}">{}</text>',
        (
            (
                26 * i + 18,
                label,
                26 * i + 5,
                round(300 * count / top, 1),
                round(266 + 300 * count / top, 1),
                26 * i + 18,
                count,
            )
            for i, (label, count) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 640 {h}" aria-label="{t}">'
        "<title>{t}</title><style>.bar{{fill:#4a6fa5}}</style>{b}</svg>",
        h=height,
        t=title,
        b=bars,
    )
