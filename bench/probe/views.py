from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.probe.models import Probe
from tierdesk.common.roles import ADMIN_ONLY


class ProbeView(APIView):
    """POST: one insert (admins, like every API write: same authentication and checks)."""

    action_roles = {"post": ADMIN_ONLY}

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        probe = Probe.objects.create(note=str(data.get("note", ""))[:100])
        return Response({"id": probe.pk}, status=status.HTTP_201_CREATED)
