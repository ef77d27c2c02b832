"""Schema fuzzing (Schemathesis) over every API operation, as a requester, a maker and an
admin: no request makes the server fail, and every answer conforms to the published
OpenAPI schema (its documented responses and content types).

The schema is the one /api/schema/ serves (drf-spectacular), built without warnings.
Requests go through Django's WSGI handler in the test's transaction, so the fuzzer writes
and reads a real database with real objects behind real authentication (knox tokens).
Bounded by FUZZ_EXAMPLES per operation and role (TIERDESK_FUZZ_EXAMPLES), derandomised so
a failure reproduces; the whole run stays well under ten minutes (docs/performance.md)."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from conftest import Org
from tierdesk.accounts.services import api_token_create
from tierdesk.common import clock
from tierdesk.desk.tests.factories import ticket
from tierdesk.governance import services as governance
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import Tier

FUZZ_EXAMPLES = int(os.environ.get("TIERDESK_FUZZ_EXAMPLES", "25"))
ROLES = ("requester", "maker", "admin")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _published_schema() -> dict[str, Any]:
    """What /api/schema/ serves, as JSON; drf-spectacular must build it warning-free."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    GENERATOR_STATS.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, f"drf-spectacular: {GENERATOR_STATS}"
    return dict(json.loads(OpenApiJsonRenderer().render(generated)))


SCHEMA = schemathesis.openapi.from_dict(_published_schema())
SCHEMA.app = WSGIHandler()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def test_the_schema_builds_without_warnings() -> None:
    assert len(OPERATIONS) >= 60, len(OPERATIONS)


@pytest.fixture
def in_the_test_transaction() -> Iterator[None]:
    """The WSGI handler closes the database connection around each request; inside the
    test's transaction it must not (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(org: Org, in_the_test_transaction: None) -> dict[str, str]:
    """Each role's API token, and objects for the fuzzer to find: tickets, a graduation,
    usage figures (ids 1, 2, … exist in every table the API serves)."""
    ticket(requester=org.users["requester"], solution=org.own, subject="앱이 느려요")
    ticket(requester=org.users["maker"], subject="권한 문의")
    governance.graduation_request_create(
        solution=org.own, actor=org.users["maker"], target_tier=Tier.IMPORTANT, justification="x"
    )
    inventory.usage_fact_record(
        solution=org.own, date=clock.today(), source="manual", measures={"shared_users": 3}
    )
    return {role: api_token_create(user=org.users[role])[1] for role in ROLES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_operation_fails(operation: Any, role: str, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Token {tokens[role]}"}

    @given(case=operation.as_strategy() | st.nothing())
    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
