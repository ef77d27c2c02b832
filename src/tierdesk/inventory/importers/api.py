"""API: the import runs, and POST of the same files the upload page takes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tierdesk.accounts.models import User
from tierdesk.common.api_errors import MultiPartParser
from tierdesk.common.roles import ADMIN_ONLY
from tierdesk.inventory.importers import formats
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun, ImportRunStatus
from tierdesk.inventory.importers.runs import effective_status
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.uploads import UploadRejected, stored_uploads


class ImportRunSerializer(serializers.ModelSerializer[ImportRun]):
    status = serializers.SerializerMethodField(
        help_text="running, succeeded, dry_run, rejected or interrupted (a running run whose "
        "process is gone)"
    )

    def get_status(self, run: ImportRun) -> str:
        return effective_status(run)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "started_at",
            "finished_at",
            "duration_ms",
            "actor",
            "source",
            "format",
            "format_detected",
            "interface",
            "status",
            "counts",
            "errors",
            "error_count",
            "warnings",
            "warning_count",
            "files",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    format = serializers.ChoiceField(choices=sorted(formats.FORMATS), required=False)
    mapping = serializers.SlugRelatedField(
        slug_field="name", queryset=ColumnMapping.objects.all(), required=False
    )
    dry_run = serializers.BooleanField(default=False)


class ImportRunListView(generics.ListAPIView[ImportRun]):
    serializer_class = ImportRunSerializer
    action_roles = {"get": ADMIN_ONLY}

    def get_queryset(self) -> QuerySet[ImportRun]:
        return ImportRun.objects.order_by("-started_at", "-id")


class ImportRunDetailView(generics.RetrieveAPIView[ImportRun]):
    serializer_class = ImportRunSerializer
    action_roles = {"get": ADMIN_ONLY}
    queryset = ImportRun.objects.all()


class ImportUploadAPIView(APIView):
    """POST multipart `files` (one or more; a data-export folder as a .zip). Answers 201
    with the run when imported (or dry-run), 422 with the run when rejected."""

    parser_classes = [MultiPartParser]
    action_roles = {"post": ADMIN_ONLY}
    serializer_class = ImportUploadSerializer

    def post(self, request: Request) -> Response:
        data: Any = request.data
        serializer = ImportUploadSerializer(
            data={
                **{k: data.get(k) for k in ("format", "mapping", "dry_run") if data.get(k)},
                "files": request.FILES.getlist("files"),
            }
        )
        serializer.is_valid(raise_exception=True)
        user = request.user
        assert isinstance(user, User)
        files = serializer.validated_data["files"]
        try:
            with stored_uploads(files) as folder:
                run = import_run_execute(
                    paths=[folder],
                    actor=user,
                    format=serializer.validated_data.get("format"),
                    dry_run=serializer.validated_data["dry_run"],
                    mapping=serializer.validated_data.get("mapping"),
                    interface="api",
                    source=", ".join(f.name or "" for f in files),
                )
        except UploadRejected as refused:  # too big unpacked, too many files, a name twice
            raise serializers.ValidationError({"files": [str(refused)]}) from refused
        code = (
            status.HTTP_422_UNPROCESSABLE_ENTITY
            if run.status == ImportRunStatus.REJECTED
            else status.HTTP_201_CREATED
        )
        return Response(ImportRunSerializer(run).data, status=code)
