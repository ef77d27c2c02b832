"""Template helpers of insights: the weekly volume as small SVG bars and its trend."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

BAR_W, GAP, HEIGHT = 6, 2, 24


def trend_of(weekly: Sequence[int]) -> str:
    """ "rising", "falling" or "steady": the last third of the weeks against the first."""
    if len(weekly) < 3:
        return "steady"
    third = max(len(weekly) // 3, 1)
    earlier, recent = sum(weekly[:third]), sum(weekly[-third:])
    if recent > earlier * 1.25 and recent - earlier >= 2:
        return "rising"
    if recent < earlier * 0.8 and earlier - recent >= 2:
        return "falling"
    return "steady"


@register.simple_tag
def trend_label(weekly: Sequence[int]) -> str:
    words = {"rising": _("Rising"), "falling": _("Falling"), "steady": _("Steady")}
    return words[trend_of(weekly or [])]


@register.simple_tag
def weekly_bars(weekly: Sequence[int]) -> SafeString:
    """Bars of requests per week, oldest first; the numbers are in its title for screen
    readers and on hover."""
    weeks = list(weekly or [])
    if not weeks:
        return SafeString("")
    top = max(max(weeks), 1)
    width = len(weeks) * (BAR_W + GAP)
    bars = []
    for index, n in enumerate(weeks):
        h = round(HEIGHT * n / top) if n else 0
        bars.append((index * (BAR_W + GAP), HEIGHT - h, BAR_W, max(h, 0)))
    title = _("Requests per week, oldest first: %(counts)s") % {
        "counts": ", ".join(str(n) for n in weeks)
    }
    return format_html(
        '<svg class="ins-bars" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'aria-label="{t}"><title>{t}</title>{bars}</svg>',
        w=width,
        h=HEIGHT,
        t=title,
        bars=format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}"></rect>', bars),
    )
