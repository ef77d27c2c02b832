from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from tierdesk.accounts.api import serializers
from tierdesk.accounts.models import BusinessUnit, SupportTeam
from tierdesk.common.roles import ADMIN_ONLY, ANY_USER

_READ_ALL_WRITE_ADMIN = {
    "list": ANY_USER,
    "retrieve": ANY_USER,
    "create": ADMIN_ONLY,
    "update": ADMIN_ONLY,
    "partial_update": ADMIN_ONLY,
    "destroy": ADMIN_ONLY,
}


class BusinessUnitViewSet(viewsets.ModelViewSet[BusinessUnit]):
    """The organisation's business units: everyone may read them (they label tickets and
    solutions); admins change them."""

    serializer_class = serializers.BusinessUnitSerializer
    queryset = BusinessUnit.objects.order_by("name")
    filterset_fields = ["code"]
    action_roles = _READ_ALL_WRITE_ADMIN


class SupportTeamViewSet(viewsets.ModelViewSet[SupportTeam]):
    """Support teams and their members: everyone may see who supports what."""

    serializer_class = serializers.SupportTeamSerializer
    filterset_fields = ["kind", "business_unit"]
    action_roles = _READ_ALL_WRITE_ADMIN

    def get_queryset(self) -> QuerySet[SupportTeam]:
        return SupportTeam.objects.prefetch_related("memberships__user").order_by("name")
