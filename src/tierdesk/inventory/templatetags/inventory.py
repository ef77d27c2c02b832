from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tierdesk.inventory.choices import EnvironmentPurpose, EnvironmentType, SolutionKind, Tier

register = template.Library()


@register.filter
def kind_label(value: str) -> str:
    try:
        return str(SolutionKind(value).label)
    except ValueError:
        return value


@register.filter
def tier_badge(value: str) -> SafeString:
    if not value:
        return format_html('<span class="badge tier-none">{}</span>', _("Not set"))
    return format_html('<span class="badge tier-{}">{}</span>', value, Tier(value).label)


@register.filter
def environment_type_label(value: str) -> str:
    return str(EnvironmentType(value).label) if value in EnvironmentType.values else value


@register.filter
def purpose_label(value: str) -> str:
    return str(EnvironmentPurpose(value).label) if value in EnvironmentPurpose.values else "—"
