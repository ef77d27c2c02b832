from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tierdesk.accounts.api import serializers
from tierdesk.accounts.api.auth import TokenAuthentication
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.accounts.services import api_token_create, api_token_revoke
from tierdesk.common.roles import ADMIN_ONLY, ANY_USER

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission

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


class TokenView(APIView):
    """API tokens for scripts. POST a user name and password to get a new token (shown
    once; it expires after TIERDESK_TOKEN_DAYS). Too many wrong passwords for one user
    name from one address are refused for a while, as on the sign-in page (429). DELETE
    with a token revokes that token."""

    authentication_classes = [TokenAuthentication]
    action_roles = {"delete": ANY_USER}

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.request.method == "POST":
            # Creating a token is signing in: the password decides, behind the throttle.
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        request=serializers.TokenRequestSerializer,
        responses={201: serializers.TokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        incoming = serializers.TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # The Django request, where django-axes marks a refused sign-in for its middleware.
        django_request = request._request
        user = authenticate(
            django_request,
            username=incoming.validated_data["username"],
            password=incoming.validated_data["password"],
        )
        if not isinstance(user, User):
            raise AuthenticationFailed(
                _("Your user name and password did not match. Please try again.")
            )
        user_logged_in.send(sender=User, request=django_request, user=user)
        instance, token = api_token_create(user=user)
        body: dict[str, Any] = {
            "token": token,
            "token_key": instance.token_key,
            "expiry": instance.expiry,
        }
        return Response(serializers.TokenSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        token = request.auth
        if token is None or not hasattr(token, "token_key"):
            raise NotAuthenticated
        api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
