"""One error shape for the whole API: each mapping of the exception handler, bodies too
large, JSON nested too deep, NUL characters, and Django's own error pages under /api/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.models import BusinessUnit, SupportTeam

errors_urls = pytest.mark.urls("tierdesk.common.tests.api_error_urls")


def _get(kind: str) -> Any:
    return APIClient().get(f"/api/test/{kind}/")


def _shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


@errors_urls
@pytest.mark.django_db
class TestTheExceptionHandler:
    def test_permission_denied_is_403_with_the_services_reason(self) -> None:
        body = _shape(_get("permission"), 403, "permission_denied")
        assert body["detail"] == "Only an admin changes business units."
        bare = _shape(_get("permission-bare"), 403, "permission_denied")
        assert bare["detail"] == "You do not have permission to perform this action."

    @pytest.mark.parametrize("kind", ["http404", "does-not-exist", "object-does-not-exist"])
    def test_missing_objects_are_404_without_naming_the_model(self, kind: str) -> None:
        body = _shape(_get(kind), 404, "not_found")
        assert body == {"detail": "Not found.", "code": "not_found", "errors": {}}

    def test_django_validation_errors_are_400_with_field_errors(self) -> None:
        body = _shape(_get("validation-dict"), 400, "invalid")
        assert body["errors"] == {
            "name": ["Too long."],
            "non_field_errors": ["Clashes with another unit."],
        }
        assert body["detail"] == "Invalid input."
        only = _shape(_get("validation-list"), 400, "invalid")
        assert only["detail"] == "Close it first."
        assert only["errors"] == {"non_field_errors": ["Close it first."]}

    def test_serializer_errors_use_the_same_shape(self) -> None:
        body = _shape(_get("drf-validation"), 400, "invalid")
        assert body["errors"] == {"subject": ["This field is required."]}

    def test_a_protected_object_is_409_naming_what_refers_to_it(self) -> None:
        unit = BusinessUnit.objects.create(code="used", name="Used")
        SupportTeam.objects.create(name="A", kind="team", business_unit=unit)
        SupportTeam.objects.create(name="B", kind="team", business_unit=unit)
        body = _shape(_get("protected"), 409, "protected")
        assert body["references"] == [
            {"model": "accounts.supportteam", "name": "support teams", "count": 2}
        ]
        assert "2 support teams" in body["detail"]
        assert BusinessUnit.objects.filter(code="used").exists()
        restricted = _shape(_get("restricted"), 409, "protected")
        assert restricted["references"][0]["count"] == 2

    def test_a_unique_clash_is_409(self) -> None:
        BusinessUnit.objects.create(code="taken", name="Taken")
        _shape(_get("unique"), 409, "unique")

    def test_other_integrity_errors_are_bugs_not_refusals(self) -> None:
        with pytest.raises(IntegrityError):
            _get("not-null")

    def test_a_version_conflict_is_409_with_both_versions(self) -> None:
        body = _shape(_get("conflict"), 409, "version_conflict")
        assert body["current"] == {"version": 3} and body["yours"] == {"version": 2}
        assert body["detail"] == "Someone else changed this since you read it."

    def test_drf_exceptions_keep_their_headers(self) -> None:
        response = _get("throttled")
        _shape(response, 429, "throttled")
        assert response["Retry-After"] == "42"

    def test_programming_errors_are_not_masked(self) -> None:
        with pytest.raises(ValueError, match="a programming error"):
            _get("bug")
        crashed = Client(raise_request_exception=False).get("/api/test/bug/")
        assert _shape(crashed, 500, "server_error")["detail"] == "A server error occurred."


def test_unauthenticated_calls_say_so(org: Org) -> None:
    response = APIClient().get("/api/v1/solutions/")
    body = _shape(response, 401, "not_authenticated")
    assert body["detail"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_api_urls_answer_json(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["maker"])
    _shape(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    # DRF's browsable API stays HTML for a browser, errors included.
    browsable = api.get("/api/v1/solutions/999999/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 404 and "text/html" in browsable["Content-Type"]
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


# --- Bodies too large ---------------------------------------------------------------------


@errors_urls
@pytest.mark.django_db
def test_a_body_over_the_limit_is_413_json(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = APIClient()
    big = {"text": "x" * 2000}
    body = _shape(api.post("/api/test/echo/", big, format="json"), 413, "request_too_large")
    assert "1000" in body["detail"] or "KB" in body["detail"]
    _shape(api.post("/api/test/echo/", big), 413, "request_too_large")  # form-encoded
    # multipart: files may be large, fields may not
    fine = api.post(
        "/api/test/echo/",
        {"upload": SimpleUploadedFile("a.csv", b"x" * 5000)},
        format="multipart",
    )
    assert fine.status_code == 200 and fine.json()["files"] == {"upload": "a.csv"}
    _shape(api.post("/api/test/echo/", big, format="multipart"), 413, "request_too_large")
    small = api.post("/api/test/echo/", {"text": "x"}, format="json")
    assert small.status_code == 200


# --- JSON depth -----------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@errors_urls
@pytest.mark.django_db
@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_too_deep_is_400(depth: int) -> None:
    response = APIClient().post("/api/test/echo/", _nested(depth), content_type="application/json")
    body = _shape(response, 400, "parse_error")
    assert "64" in body["detail"]


@errors_urls
@pytest.mark.django_db
def test_json_within_the_depth_limit_is_read() -> None:
    response = APIClient().post("/api/test/echo/", _nested(64), content_type="application/json")
    assert response.status_code == 200


# --- NUL characters -------------------------------------------------------------------------


@errors_urls
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"subject": "a\x00b"}, "subject"),
        ({"items": [{"name": "ok"}, {"name": "\x00"}]}, "items.1.name"),
        ({"bad\x00key": "x"}, "bad\\x00key"),
        (["fine", "\x00"], "1"),
        ("\x00", "non_field_errors"),
    ],
)
def test_nul_in_json_is_refused_naming_the_field(document: Any, field: str) -> None:
    response = APIClient().post(
        "/api/test/echo/", json.dumps(document), content_type="application/json"
    )
    body = _shape(response, 400, "invalid")
    assert body["errors"] == {field: ["Null characters are not allowed."]}


@errors_urls
@pytest.mark.django_db
def test_nul_in_forms_and_file_names_is_refused() -> None:
    api = APIClient()
    form = api.post("/api/test/echo/", {"subject": "a\x00b", "ok": "x"})
    assert _shape(form, 400, "invalid")["errors"] == {
        "subject": ["Null characters are not allowed."]
    }
    multipart = api.post("/api/test/echo/", {"note": "\x00"}, format="multipart")
    assert _shape(multipart, 400, "invalid")["errors"] == {
        "note": ["Null characters are not allowed."]
    }
    # Django's multipart parser itself drops NUL from a file's name.
    upload = SimpleUploadedFile("a\x00.csv", b"x")
    named = api.post("/api/test/echo/", {"upload": upload}, format="multipart")
    assert named.status_code == 200 and named.json()["files"] == {"upload": "a.csv"}


def test_nul_never_reaches_the_database(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["admin"])
    response = api.post(
        "/api/v1/business-units/", {"code": "nul", "name": "Sales\x00"}, format="json"
    )
    assert _shape(response, 400, "invalid")["errors"] == {
        "name": ["Null characters are not allowed."]
    }
    assert not BusinessUnit.objects.filter(code="nul").exists()
