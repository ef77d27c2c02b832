"""The weekly digest's API: the same data as /insights/digest/ (`insights.digest`),
read-only. A manager reads their own; an admin any manager's with ?manager=ID; someone
the reader may not see answers 404 like someone missing; a bad week answers 400."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import coe, digest
from tierdesk.insights.digest_views import read


@extend_schema(
    parameters=[
        OpenApiParameter("week", str, description="ISO week, YYYY-Www (default: last week)"),
        OpenApiParameter("manager", int, description="Admins: the manager's id"),
    ],
    responses=OpenApiTypes.OBJECT,
)
class DigestViewSet(viewsets.ViewSet):
    """A manager's weekly digest: their business units' numbers for the week against the
    week before, the top solutions and the recommendations that changed."""

    action_roles = {"report": digest.READERS}

    def report(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        viewer = request_user(request)
        try:
            manager, week = read(viewer, request.query_params)
        except coe.BadParameter as error:
            raise ValidationError({str(error): [_("Not a valid value.")]}) from None
        except Http404:
            raise NotFound from None
        if manager is None:
            raise ValidationError({"manager": [_("Name the manager whose digest to read.")]})
        return Response(digest.build(manager, week).as_dict())
