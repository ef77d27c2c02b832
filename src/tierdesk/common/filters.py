"""Query-string filters over related objects that answer the same for a hidden object as
for a missing one.

Django-filter's default for a foreign key is a choice among *every* row, so
`?solution=<id of a solution you may not see>` answered 200 while an unknown id answered
400: ids could be enumerated. Here a foreign key is filtered by its id as a plain number
(an id out of sight simply matches nothing, like an id that does not exist); where a page
needs a drop-down, the filterset passes a queryset of what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django_filters import rest_framework as filters

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """`?solution=12`: rows whose foreign key is 12; non-numbers are a 400 with the field
    named, whether or not such an object exists."""

    field_class = IdField


class IdFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class FilterBackend(filters.DjangoFilterBackend):
    """The API's filter backend: filtersets built from `filterset_fields` use IdFilterSet."""

    filterset_base = IdFilterSet
