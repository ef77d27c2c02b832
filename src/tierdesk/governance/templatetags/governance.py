from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tierdesk.common import markdown
from tierdesk.governance.digest import signal_text
from tierdesk.governance.policy import reason_text

register = template.Library()


@register.filter
def md(text: str) -> SafeString:
    return mark_safe(markdown.render(text or ""))  # noqa: S308 - nh3 output


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
