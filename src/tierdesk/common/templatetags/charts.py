"""Server-rendered SVG charts: no JavaScript library, no network, readable without
scripts and testable as markup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28


@register.simple_tag
def line_chart(
    points: Sequence[dict[str, Any]], series: str, labels: str, title: str = ""
) -> SafeString:
    """An SVG line chart of `points` (dicts with a `date`) for the comma-separated keys
    in `series`, named by the comma-separated `labels`."""
    keys = [key.strip() for key in series.split(",") if key.strip()]
    names = [name.strip() for name in labels.split(",")]
    dates: list[dt.date] = [p["date"] for p in points]
    values: list[float] = [p[key] for p in points for key in keys if p.get(key) is not None]
    if not dates or not values:
        return format_html('<p class="empty">{}</p>', title)
    top = max(max(values), 1)
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: dt.date) -> float:
        return PAD_LEFT + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return PAD_TOP + plot_h * (1 - value / top)

    lines = []
    for index, key in enumerate(keys):
        coords = " ".join(
            f"{x(p['date']):.1f},{y(p[key]):.1f}" for p in points if p.get(key) is not None
        )
        if coords:
            lines.append((index, coords, names[index] if index < len(names) else key))
    grid = [(PAD_LEFT, y(v), WIDTH - PAD_RIGHT, y(v), v) for v in (0, top // 2, top)]
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" aria-label="{title}">'
        "<title>{title}</title>{grid}{lines}"
        '<text class="axis" x="{x0}" y="{yb}">{d0}</text>'
        '<text class="axis" x="{x1}" y="{yb}" text-anchor="end">{d1}</text>'
        "</svg>"
        '<ul class="legend">{legend}</ul>',
        w=WIDTH,
        h=HEIGHT,
        title=title,
        grid=format_html_join(
            "",
            '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="axis" x="4" y="{}">{}</text>',
            ((x1, f"{y1:.1f}", x2, f"{y2:.1f}", f"{y1 + 4:.1f}", v) for x1, y1, x2, y2, v in grid),
        ),
        lines=format_html_join(
            "",
            '<polyline class="series series-{}" fill="none" points="{}"><title>{}</title>'
            "</polyline>",
            lines,
        ),
        x0=PAD_LEFT,
        x1=WIDTH - PAD_RIGHT,
        yb=HEIGHT - 8,
        d0=date_format(first, "SHORT_DATE_FORMAT"),
        d1=date_format(last, "SHORT_DATE_FORMAT"),
        legend=format_html_join(
            "",
            '<li><span class="swatch series-{}"></span>{}</li>',
            ((index, name) for index, _coords, name in lines),
        ),
    )
