"""The custom connector as Power Platform uses it: the generated file is valid Swagger 2.0
and keeps the platform's documented rules; every operation is called through its
declared path, method and security against a live tierdesk (a real HTTP server) and
answers its declared status and schema; the trigger's subscription receives a correctly
signed event from a real HTTP receiver on 127.0.0.1 when the ticket changes."""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from openapi_spec_validator import OpenAPIV2SpecValidator

from conftest import Org
from tests.oidc.local import API_RESOURCE, CLIENT_ID, TENANT, Provider, access_token, oidc_provider
from tierdesk.accounts.services import api_token_create
from tierdesk.desk.models import Ticket, TicketWatcher
from tierdesk.desk.tests.factories import ticket
from tierdesk.integrations import connector
from tierdesk.integrations.tests.conftest import Receiver
from tierdesk.notify import webhooks
from tierdesk.notify.services import outbox_deliver


def test_the_connector_file_is_swagger_2_and_keeps_the_platform_rules(settings: Any) -> None:
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    for auth in ("apikey", "aad"):
        document = connector.api_definition(auth=auth)
        assert list(OpenAPIV2SpecValidator(document).iter_errors()) == []
        assert connector.validate(document) == []
        assert (document["host"], document["basePath"], document["schemes"]) == (
            "tierdesk.example.com",
            "/api/v1",
            ["https"],
        )
        ids = {
            op["operationId"]
            for item in document["paths"].values()
            for method, op in item.items()
            if not method.startswith("x-")
        }
        assert {
            "FileTicket",
            "GetTicket",
            "ListMyTickets",
            "ReplyToTicket",
            "SearchKnowledge",
            "WhenATicketChanges",
        } <= ids
        trigger = document["paths"]["/webhooks/"]
        assert trigger["post"]["x-ms-trigger"] == "single"
        url = trigger["post"]["parameters"][0]["schema"]["properties"]["url"]
        assert url["x-ms-notification-url"] is True and url["x-ms-visibility"] == "internal"
        assert trigger["x-ms-notification-content"]["schema"] == {
            "$ref": "#/definitions/WebhookEvent"
        }
        assert document["paths"]["/webhooks/{id}/"]["delete"]["x-ms-visibility"] == "internal"
        properties = connector.api_properties(auth=auth)["properties"]["connectionParameters"]
        if auth == "aad":
            assert properties["token"]["oAuthSettings"]["identityProvider"] == "aad"
            assert document["securityDefinitions"]["oauth2_auth"]["type"] == "oauth2"
        else:
            assert properties["api_key"]["type"] == "securestring"
            assert document["securityDefinitions"]["API_key"]["in"] == "header"


def test_the_rules_catch_what_the_platform_refuses(settings: Any) -> None:
    document = connector.api_definition(auth="apikey")
    broken = copy.deepcopy(document)
    broken["paths"]["/tickets/"]["post"]["operationId"] = "File-Ticket"
    broken["paths"]["/tickets/"]["get"]["summary"] = "x" * 81
    del broken["paths"]["/tickets/{id}/"]["get"]["description"]
    del broken["paths"]["/webhooks/"]["x-ms-notification-content"]
    broken["paths"]["/tickets/"]["post"]["requestBody"] = {}
    broken["definitions"]["Ticket"]["properties"]["subject"]["nullable"] = True
    problems = " | ".join(connector.validate(broken))
    for expected in (
        "'File-Ticket' is not alphanumeric",
        "ListMyTickets: summary must be 1 to 80",
        "GetTicket: no description",
        "without x-ms-notification-content",
        "'requestBody'",
        "'nullable'",
    ):
        assert expected in problems


def _strict(schema: Any, definitions: dict[str, Any]) -> Any:
    """A Swagger 2.0 schema as JSON Schema: x-nullable allows null; refs stay resolvable."""
    if isinstance(schema, list):
        return [_strict(v, definitions) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v, definitions) for k, v in schema.items() if not k.startswith("x-ms")}
    if out.pop("x-nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


class Caller:
    """Calls an operation the way the connector declares it: scheme, host, basePath,
    path, method and the security definition's header."""

    def __init__(self, document: dict[str, Any], key: str) -> None:
        self.document = document
        self.key = key
        self.definitions = _strict(document["definitions"], {})
        self.operations = {
            op["operationId"]: (path, method, op)
            for path, item in document["paths"].items()
            for method, op in item.items()
            if not method.startswith("x-")
        }
        self.called: set[str] = set()

    def __call__(
        self,
        operation_id: str,
        *,
        path_params: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        body: Any = None,
        url: str | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        path, method, op = self.operations[operation_id]
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", str(value))
        d = self.document
        target = url or f"{d['schemes'][0]}://{d['host']}{d['basePath']}{path}"
        # What Power Platform does with a parameter the maker never sees: send its default.
        query = dict(query or {})
        for param in op.get("parameters", []):
            if param.get("x-ms-visibility") == "internal" and param["in"] == "query":
                default = param["default"]
                query.setdefault(
                    param["name"], json.dumps(default) if isinstance(default, bool) else default
                )
        if query:
            target += "?" + "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in query.items())
        (scheme,) = d["securityDefinitions"].values()
        if scheme["type"] == "oauth2":  # Power Platform sends the Entra ID access token
            headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        else:
            headers = {scheme["name"]: f"Token {self.key}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - http on the live test server
            target, data=data, method=method.upper(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), dict(error.headers)
        declared = op["responses"]
        assert str(status) in declared, f"{operation_id}: {status} not declared: {raw[:300]!r}"
        payload = json.loads(raw) if raw else None
        schema = declared[str(status)].get("schema")
        if schema is not None:
            full = {**_strict(schema, {}), "definitions": self.definitions}
            jsonschema.Draft4Validator(full).validate(payload)
        for header in declared[str(status)].get("headers", {}):
            assert header in got, f"{operation_id}: no {header} header"
        self.called.add(operation_id)
        return status, payload, got


MAKER = {
    "tid": TENANT,
    "oid": "7a3d9c1e-2b4f-4e6a-8c0d-1f2e3a4b5c6d",
    "preferred_username": "maker@contoso.com",
    "name": "Maker",
}


@pytest.fixture(scope="module")
def entra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The local OpenID Connect provider issuing Entra-shaped access tokens for the API."""
    with oidc_provider(
        {"maker": MAKER},
        redirect_uris=["http://testserver/accounts/oidc/callback/"],
        post_logout_uris=["http://testserver/accounts/login/"],
        workdir=tmp_path_factory.mktemp("oidc-connector"),
        resources={API_RESOURCE: {"audience": CLIENT_ID, "scope": "access_as_user"}},
    ) as running:
        yield running


def _entra_token(request: pytest.FixtureRequest, settings: Any, org: Org) -> str:
    """An Entra ID access token for the maker, with the API configured to accept it."""
    provider: Provider = request.getfixturevalue("entra")
    settings.TIERDESK_OIDC_TENANT_ID = TENANT
    settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
    settings.TIERDESK_OIDC_AUTHORITY = provider.authority
    settings.TIERDESK_API_ENTRA_TOKENS = True
    settings.TIERDESK_CONNECTOR_AAD_RESOURCE = API_RESOURCE
    settings.TIERDESK_API_ENTRA_AUDIENCES = []
    settings.TIERDESK_API_ENTRA_SCOPES = ["access_as_user"]
    maker = org.users["maker"]
    maker.external_id, maker.upn = MAKER["oid"], MAKER["preferred_username"]
    maker.save(update_fields=["external_id", "upn"])
    return access_token(provider, "maker", resource=API_RESOURCE, scope="access_as_user")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("auth", ["apikey", "aad"])
def test_every_operation_through_its_declared_path_and_security(
    live_server: Any,
    org: Org,
    settings: Any,
    receiver: Receiver,
    auth: str,
    request: pytest.FixtureRequest,
) -> None:
    settings.TIERDESK_BASE_URL = live_server.url
    settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK = True
    document = connector.api_definition(auth=auth)
    assert list(OpenAPIV2SpecValidator(document).iter_errors()) == []
    if auth == "aad":
        key = _entra_token(request, settings, org)
    else:
        _token, key = api_token_create(user=org.users["maker"])
    call = Caller(document, key)

    status, subscription, headers = call(
        "WhenATicketChanges", body={"url": receiver.url, "events": []}
    )
    assert status == 201 and headers["Location"].startswith(live_server.url)

    status, ticket, _ = call(
        "FileTicket",
        body={"subject": "캔버스 앱 저장 오류", "solution_platform_id": org.own.platform_id},
    )
    assert status == 201 and ticket["solution"] == org.own.pk
    status, read, _ = call("GetTicket", path_params={"id": ticket["id"]})
    assert status == 200 and read["number"] == ticket["number"]
    status, mine, _ = call("ListMyTickets", query={"q": ticket["number"]})
    assert [t["id"] for t in mine["results"]] == [ticket["id"]]
    status, _replied, _ = call(
        "ReplyToTicket", path_params={"id": ticket["id"]}, body={"body": "스크린샷 첨부합니다"}
    )
    assert status == 200
    status, found, _ = call("SearchKnowledge", query={"q": "저장 오류"})
    assert status == 200 and "results" in found

    # The outbox delivers what the ticket's changes queued: created, replied.
    report = outbox_deliver()
    assert report.sent == 2 and report.retried == report.dead == 0
    types = []
    for got, body in receiver.received:
        assert webhooks.verify(
            secret=subscription["secret"],
            body=body,
            timestamp=got[webhooks.TIMESTAMP_HEADER],
            signature_header=got[webhooks.SIGNATURE_HEADER],
        )
        assert not webhooks.verify(
            secret=subscription["secret"],
            body=body + b" ",
            timestamp=got[webhooks.TIMESTAMP_HEADER],
            signature_header=got[webhooks.SIGNATURE_HEADER],
        )
        event = json.loads(body)
        jsonschema.Draft4Validator(
            {**call.definitions["WebhookEvent"], "definitions": call.definitions}
        ).validate(event)
        assert event["ticket"]["id"] == ticket["id"]
        assert got[webhooks.EVENT_HEADER] == event["type"]
        types.append(event["type"])
    assert sorted(types) == ["ticket.created", "ticket.replied"]

    # Power Automate unsubscribes by DELETEing the Location: no more events.
    status, _, _ = call("DeleteTicketSubscription", url=headers["Location"])
    assert status == 204
    assert call.called == set(call.operations)


@pytest.mark.django_db(transaction=True)
def test_list_my_tickets_gives_an_agent_only_their_own(
    live_server: Any, org: Org, settings: Any
) -> None:
    """An agent sees the whole queue; through the connector ListMyTickets answers only the
    tickets they requested, are assigned or watch (the constant `mine` parameter)."""
    settings.TIERDESK_BASE_URL = live_server.url
    document = connector.api_definition(auth="apikey")
    (mine_param,) = [
        p for p in document["paths"]["/tickets/"]["get"]["parameters"] if p["name"] == "mine"
    ]
    assert mine_param == {
        **mine_param,
        "in": "query",
        "type": "boolean",
        "required": True,
        "default": True,
        "x-ms-visibility": "internal",
    }
    assert connector.validate(document) == []
    agent = org.users["agent"]
    queue = [ticket(requester=org.users["requester"], solution=org.own) for _ in range(6)]
    Ticket.objects.filter(pk=queue[0].pk).update(agent=agent)
    TicketWatcher.objects.create(ticket=queue[1], user=agent)
    asked = ticket(requester=agent, solution=org.own, subject="제 요청")
    _token, key = api_token_create(user=agent)
    call = Caller(document, key)
    status, found, _ = call("ListMyTickets")
    assert status == 200
    assert sorted(t["id"] for t in found["results"]) == sorted([queue[0].pk, queue[1].pk, asked.pk])
    # The same API without the connector's constant: the whole queue the agent may see.
    status, everything, _ = call("ListMyTickets", query={"mine": "false"})
    assert {t["id"] for t in everything["results"]} >= {t.pk for t in queue} | {asked.pk}
