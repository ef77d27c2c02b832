"""A URLconf for test_api_errors: views that raise what services raise, and an echo."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import RestrictedError
from django.http import Http404
from django.urls import path
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tierdesk.accounts.models import BusinessUnit, SupportTeam
from tierdesk.common.api_errors import VersionConflict


def _unique() -> None:
    with transaction.atomic():
        BusinessUnit.objects.create(code="taken", name="Taken")


def _not_null() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO accounts_businessunit (code, name) VALUES (NULL, 'x')")


RAISE: dict[str, Any] = {
    "permission": lambda: PermissionDenied("Only an admin changes business units."),
    "permission-bare": lambda: PermissionDenied(),
    "http404": lambda: Http404("No BusinessUnit matches the given query."),
    "does-not-exist": lambda: BusinessUnit.DoesNotExist("gone"),
    "object-does-not-exist": lambda: ObjectDoesNotExist(),
    "validation-dict": lambda: ValidationError(
        {"name": ["Too long."], "__all__": ["Clashes with another unit."]}
    ),
    "validation-list": lambda: ValidationError("Close it first."),
    "protected": lambda: BusinessUnit.objects.get(code="used").delete(),
    "restricted": lambda: RestrictedError(
        "restricted", set(SupportTeam.objects.filter(business_unit__code="used"))
    ),
    "unique": _unique,
    "not-null": _not_null,
    "conflict": lambda: VersionConflict(current={"version": 3}, yours={"version": 2}),
    "drf-validation": lambda: exceptions.ValidationError({"subject": ["This field is required."]}),
    "throttled": lambda: exceptions.Throttled(wait=42),
    "bug": lambda: ValueError("a programming error"),
}


class Raiser(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request, kind: str) -> Response:
        outcome = RAISE[kind]()
        if isinstance(outcome, Exception):
            raise outcome
        return Response({})


class Echo(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        files = {name: f.name for name, f in request.FILES.items()}
        return Response({"data": request.data if not files else dict(request.data), "files": files})


urlpatterns = [
    path("api/test/echo/", Echo.as_view()),
    path("api/test/<str:kind>/", Raiser.as_view()),
]
