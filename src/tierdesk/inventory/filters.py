"""Filters shared by the solution list page and the API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import BusinessUnit
from tierdesk.common.filters import IdFilterSet
from tierdesk.common.ids import form_id
from tierdesk.inventory.choices import SolutionKind, Tier
from tierdesk.inventory.models import Environment, Solution, SolutionOwner, UsageFact
from tierdesk.inventory.selectors import environments_visible_to

_LOOKS_LIKE_ID = re.compile(r"(?=.*[0-9_-])[0-9A-Za-z][0-9A-Za-z_.-]{7,}")
"""GUIDs and platform names (default-<tenant>, shared_sharepointonline): no spaces, at
least 8 characters, with a digit, "-" or "_" (so a word such as "Approval" is not one)."""


def _environments_for(request: Any) -> QuerySet[Environment]:
    """The environments a filter may name: those the user sees (a hidden one is refused
    exactly like one that does not exist)."""
    user = getattr(request, "user", None)
    if user is None:
        return Environment.objects.none()
    return environments_visible_to(user)


class SolutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=SolutionKind.choices, empty_label=_("All")
    )
    environment = django_filters.ModelChoiceFilter(
        label=_("Environment"),
        queryset=lambda request: _environments_for(request),
        empty_label=_("All"),
    )
    business_unit = django_filters.ModelChoiceFilter(
        label=_("Business unit"), queryset=BusinessUnit.objects.all(), empty_label=_("All")
    )
    tier = django_filters.ChoiceFilter(
        label=_("Tier"),
        choices=[*Tier.choices, ("none", _("Not set"))],
        method="filter_tier",
        empty_label=_("All"),
    )
    maker = django_filters.CharFilter(label=_("Maker"), method="filter_maker")
    mine = django_filters.ChoiceFilter(
        label=_("Ownership"),
        choices=[("made", _("Made by me")), ("co_owned", _("Co-owned by me"))],
        method="filter_mine",
        empty_label=_("Anyone's"),
    )
    deleted = django_filters.BooleanFilter(label=_("Deleted"), field_name="is_deleted")
    orphaned = django_filters.BooleanFilter(label=_("Orphaned"), field_name="is_orphaned")

    class Meta:
        model = Solution
        fields = ["q", "kind", "environment", "business_unit", "tier", "maker", "mine"]

    def search(self, queryset: QuerySet[Solution], name: str, value: str) -> QuerySet[Solution]:
        """Part of the name; a value shaped like a platform id (a GUID or a name such as
        shared_x) also matches that exact id. Descriptions are not searched: a substring
        scan of 100,000 descriptions costs more than a list page may."""
        value = value.strip()
        if not value:
            return queryset
        if _LOOKS_LIKE_ID.fullmatch(value):
            # Only then is the id column read; name-only searches stay inside the index.
            return queryset.filter(Q(name__icontains=value) | Q(platform_id=value.lower()))
        return queryset.filter(name__icontains=value)

    def filter_tier(
        self, queryset: QuerySet[Solution], name: str, value: str
    ) -> QuerySet[Solution]:
        return queryset.filter(tier="" if value == "none" else value)

    def filter_maker(
        self, queryset: QuerySet[Solution], name: str, value: str
    ) -> QuerySet[Solution]:
        """A maker by id, username, UPN, e-mail or display name (exact, case-insensitive)."""
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(maker_id=form_id(value))
        return queryset.filter(
            Q(maker__username__iexact=value)
            | Q(maker__upn__iexact=value)
            | Q(maker__email__iexact=value)
            | Q(maker__display_name__iexact=value)
        )

    def filter_mine(
        self, queryset: QuerySet[Solution], name: str, value: str
    ) -> QuerySet[Solution]:
        """Made by me (I am the maker) or co-owned by me (I am a co-owner)."""
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        if value == "made":
            return queryset.filter(maker=user)
        return queryset.filter(id__in=SolutionOwner.objects.filter(user=user).values("solution_id"))


class EnvironmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Environment
        fields = ["q", "type", "purpose", "business_unit", "managed_by", "is_managed"]


class UsageFactFilter(IdFilterSet):
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = UsageFact
        fields = ["solution", "source", "since", "until"]
