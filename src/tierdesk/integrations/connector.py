"""The Power Platform custom connector: `apiDefinition.swagger.json` (OpenAPI 2.0) and
`apiProperties.json`, generated from the live API so they never drift.

drf-spectacular writes the API's OpenAPI 3.0 schema; the operations the connector offers
(`OPERATIONS`) are taken from it and converted to Swagger 2.0, the only version custom
connectors import. The shapes follow Microsoft's documentation and public repository:

- learn.microsoft.com/connectors/custom-connectors/openapi-extensions (x-ms-summary,
  x-ms-visibility, x-ms-trigger, x-ms-notification-url, x-ms-notification-content,
  x-ms-connector-metadata, x-ms-pageable);
- learn.microsoft.com/connectors/custom-connectors/create-webhook-trigger (the trigger
  subscribes with the callback URL, answers 201 with a Location header that Power
  Automate DELETEs to unsubscribe);
- github.com/microsoft/PowerPlatformConnectors schemas/apiDefinition.swagger.schema.json
  and schemas/paconn-apiProperties.schema.json with their test fixtures
  (connectionParameters of type securestring for an API key, oauthSetting with
  identityProvider "aad" for Entra ID).

`validate` checks the platform's documented rules; the tests also validate the file as
Swagger 2.0 with openapi-spec-validator."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation

API_PREFIX = "/api/v1"
TITLE = "tierdesk"
ICON_COLOR = "#0F6CBD"


@dataclass(frozen=True)
class Operation:
    path: str  # under /api/v1
    method: str
    operation_id: str
    summary: str
    description: str
    visibility: str = "important"
    keep_query: tuple[str, ...] = ()  # query parameters offered (the rest are left out)
    # Query parameters the connector always sends with a fixed value: required, with a
    # default, `x-ms-visibility: internal` (how the platform documents constant
    # parameters: the maker never sees them, Power Platform sends the default).
    constants: tuple[tuple[str, Any], ...] = ()


OPERATIONS = (
    Operation(
        "/tickets/",
        "post",
        "FileTicket",
        "File a ticket",
        "Files a support request about a solution (name it by its platform id, the app or "
        "flow GUID). It is routed by the solution's support model, like a request filed in "
        "tierdesk.",
    ),
    Operation(
        "/tickets/{id}/",
        "get",
        "GetTicket",
        "Get a ticket",
        "Reads one ticket you may see: status, priority, who supports it and when it changed.",
    ),
    Operation(
        "/tickets/",
        "get",
        "ListMyTickets",
        "List my tickets",
        "Lists your tickets, newest first: those you requested, are assigned or watch; "
        "search by words or a TD- number and narrow to open tickets.",
        keep_query=("q", "open", "status", "cursor"),
        constants=(("mine", True),),
    ),
    Operation(
        "/tickets/{id}/reply/",
        "post",
        "ReplyToTicket",
        "Reply to a ticket",
        "Adds a public reply to a ticket you may reply to; the requester and the watchers "
        "are told.",
    ),
    Operation(
        "/knowledge/articles/",
        "get",
        "SearchKnowledge",
        "Search the knowledge base",
        "Finds the knowledge articles you may read that best match the words, best first.",
        keep_query=("q",),
    ),
    Operation(
        "/webhooks/",
        "post",
        "WhenATicketChanges",
        "When a ticket changes",
        "Triggers when a ticket you may see is created, changes status, is replied to or "
        "is escalated.",
    ),
    Operation(
        "/webhooks/{id}/",
        "delete",
        "DeleteTicketSubscription",
        "Stop receiving ticket changes",
        "Removes a ticket-change subscription; Power Automate calls it when the flow is "
        "turned off or deleted.",
        visibility="internal",
    ),
)
TRIGGER = "WhenATicketChanges"
PAGED = {"ListMyTickets"}

# Swagger 2.0 has none of these (OpenAPI 3 only): never in the connector file.
OPENAPI3_ONLY = {
    "requestBody",
    "components",
    "oneOf",
    "anyOf",
    "not",
    "nullable",
    "writeOnly",
    "servers",
    "content",
    "callbacks",
    "links",
    "deprecated",
    "examples",
}
SCHEMA_KEYS = {
    "$ref",
    "format",
    "title",
    "description",
    "default",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "items",
    "allOf",
    "properties",
    "additionalProperties",
    "readOnly",
    "example",
}


# ------------------------------------------------------------------ OpenAPI 3 → 2


def _ref(value: str) -> str:
    return value.replace("#/components/schemas/", "#/definitions/")


def _schema(node: Any, ko: Any = None) -> Any:
    """One OpenAPI 3.0 schema as a Swagger 2.0 schema; `ko` is the same schema generated
    in Korean, whose titles become `x-ms-summary` (what Power Apps and Power Automate show
    as the field's name)."""
    if not isinstance(node, dict):
        return node
    ko = ko if isinstance(ko, dict) else {}
    if "$ref" in node:
        if not ko.get("title") or "$ref" in ko:
            return {"$ref": _ref(node["$ref"])}
        node = {"allOf": [{"$ref": node["$ref"]}]}
    if "oneOf" in node or "anyOf" in node:
        # drf-spectacular's "enum, or blank, or null": the first choice is the field.
        choices = node.get("oneOf") or node.get("anyOf")
        ko_choices = ko.get("oneOf") or ko.get("anyOf") or [None]
        merged = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf")}
        merged.update(choices[0])
        return _schema(merged, ko_choices[0] if ko_choices else None)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "nullable":
            if value:
                out["x-nullable"] = True
            continue
        if key not in SCHEMA_KEYS:
            continue
        if key == "properties":
            ko_props = ko.get("properties", {})
            out[key] = {}
            for name, sub in value.items():
                converted = _schema(sub, ko_props.get(name))
                if "x-ms-summary" not in converted and "$ref" not in converted:
                    converted["x-ms-summary"] = PROPERTY_SUMMARIES.get(name, name)
                out[key][name] = converted
        elif key == "items":
            out[key] = _schema(value, ko.get("items"))
        elif key == "allOf":
            # A property naming an enum (a `$ref` beside a title is ignored in Swagger
            # 2.0); `_inline_enums` puts the values in the property afterwards.
            out[key] = [_schema(v) for v in value]
        elif key == "additionalProperties":
            out[key] = _schema(value) if isinstance(value, dict) and value else True
        else:
            out[key] = value
    title = ko.get("title")
    if isinstance(title, str) and title and title != out.get("title"):
        out["x-ms-summary"] = title
    elif "title" in out:
        out["x-ms-summary"] = out["title"]
    if out.get("type") == "object" and "additionalProperties" in out and not out.get("properties"):
        out.pop("additionalProperties")
    return out


def _inline_enums(node: Any, definitions: dict[str, Any]) -> Any:
    """`allOf: [{$ref: SomeEnum}]` on a property → the enum's type and values inline:
    Power Apps shows an inline enum as a choice and reads its type without a reference."""
    if isinstance(node, list):
        return [_inline_enums(v, definitions) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _inline_enums(v, definitions) for k, v in node.items()}
    parts = node.get("allOf")
    if isinstance(parts, list) and len(parts) == 1 and "$ref" in parts[0]:
        target = definitions.get(parts[0]["$ref"].rsplit("/", 1)[-1], {})
        if "enum" in target:
            node.pop("allOf")
            node.setdefault("type", target.get("type", "string"))
            node["enum"] = [v for v in target["enum"] if v not in ("", None)]
            if target.get("description") and "description" not in node:
                node["description"] = target["description"]
    return node


def _parameter(param: dict[str, Any], ko: dict[str, Any] | None) -> dict[str, Any]:
    schema = _schema(param.get("schema", {"type": "string"}))
    out: dict[str, Any] = {
        "name": param["name"],
        "in": param["in"],
        "required": bool(param.get("required", param["in"] == "path")),
        "type": schema.get("type", "string"),
    }
    for key in ("format", "enum", "default", "minimum", "maximum", "maxLength", "items"):
        if key in schema:
            out[key] = schema[key]
    if param.get("description"):
        out["description"] = param["description"]
    label = (ko or {}).get("description") or param.get("description") or param["name"]
    out["x-ms-summary"] = PARAMETER_SUMMARIES.get(param["name"], label[:80])
    return out


PROPERTY_SUMMARIES = {
    "subject": "제목 (Subject)",
    "description": "설명 (Description)",
    "body": "내용 (Text)",
    "solution": "솔루션 ID (Solution id)",
    "solution_platform_id": "솔루션 플랫폼 ID (Solution platform id)",
    "topic": "주제 (Topic)",
    "type": "유형 (Type)",
    "impact": "영향 (Impact)",
    "urgency": "긴급도 (Urgency)",
    "request_type": "요청 유형 (Request type)",
    "request_data": "요청 세부 정보 (Request details)",
    "on_behalf_of": "대신 접수할 사람 (On behalf of)",
    "channel": "접수 경로 (Channel)",
    "next": "다음 페이지 (Next page)",
    "previous": "이전 페이지 (Previous page)",
    "results": "결과 (Results)",
    "id": "ID",
    "number": "번호 (Number)",
    "url": "링크 (Link)",
    "api_url": "API 링크 (API link)",
    "occurred_at": "발생 시각 (Occurred at)",
    "ticket": "티켓 (Ticket)",
    "status_before": "이전 상태 (Status before)",
    "message": "답변 (Reply)",
    "reason": "사유 (Reason)",
}
PARAMETER_SUMMARIES = {
    "id": "티켓 ID (Ticket id)",
    "q": "검색어 (Search words)",
    "open": "열린 티켓만 (Open only)",
    "status": "상태 (Status)",
    "cursor": "다음 페이지 (Next page)",
    "mine": "내 티켓만 (Mine only)",
}


def _walk_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _walk_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk_refs(value, found)


def _spectacular(language: str) -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    with translation.override(language):
        generator = SchemaGenerator()  # type: ignore[no-untyped-call]
        schema: dict[str, Any] = generator.get_schema(  # type: ignore[no-untyped-call]
            request=None, public=True
        )
    # A plain JSON copy: lazy strings and enum labels become text.
    result: dict[str, Any] = json.loads(json.dumps(schema, default=str))
    return result


def base_parts(base_url: str | None = None) -> tuple[str, str]:
    """(scheme, host[:port]) of the absolute base URL (TIERDESK_BASE_URL)."""
    parts = urlsplit(base_url or settings.TIERDESK_BASE_URL)
    return parts.scheme, parts.netloc


def api_definition(*, auth: str | None = None, base_url: str | None = None) -> dict[str, Any]:
    """`apiDefinition.swagger.json` as a dict."""
    auth = auth or settings.TIERDESK_CONNECTOR_AUTH
    en, ko = _spectacular("en"), _spectacular("ko")
    scheme, host = base_parts(base_url)
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        full = f"{API_PREFIX}{op.path}"
        source = en["paths"][full][op.method]
        ko_source = ko["paths"][full][op.method]
        ko_params = {p["name"]: p for p in ko_source.get("parameters", [])}
        parameters = []
        for param in source.get("parameters", []):
            if param["in"] == "query" and param["name"] not in op.keep_query:
                continue
            if param["in"] == "cookie":
                continue
            parameters.append(_parameter(param, ko_params.get(param["name"])))
        for name, value in op.constants:
            declared = next(p for p in source.get("parameters", []) if p["name"] == name)
            constant = _parameter(declared, ko_params.get(name))
            constant.update({"required": True, "default": value, "x-ms-visibility": "internal"})
            parameters.append(constant)
        body = source.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            ko_body = ko_source["requestBody"]["content"]["application/json"]
            parameters.append(
                {
                    "name": "body",
                    "in": "body",
                    "required": bool(source["requestBody"].get("required", False)),
                    "schema": _schema(body["schema"], ko_body["schema"]),
                }
            )
        responses: dict[str, Any] = {}
        for code, response in source.get("responses", {}).items():
            out: dict[str, Any] = {"description": response.get("description") or "Success"}
            content = response.get("content", {}).get("application/json")
            if content is not None:
                ko_content = ko_source["responses"][code]["content"]["application/json"]
                out["schema"] = _schema(content["schema"], ko_content["schema"])
            responses[code] = out
        operation: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "description": op.description,
            "x-ms-visibility": op.visibility,
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "parameters": parameters,
            "responses": responses,
        }
        if op.operation_id in PAGED:
            operation["x-ms-pageable"] = {"nextLinkName": "next"}
        if op.operation_id == TRIGGER:
            _make_trigger(operation)
        paths.setdefault(op.path, {})[op.method] = operation
        if op.operation_id == TRIGGER:
            paths[op.path]["x-ms-notification-content"] = {
                "description": "A ticket event",
                "schema": {"$ref": "#/definitions/WebhookEvent"},
            }
    en_defs = en["components"]["schemas"]
    ko_defs = ko["components"]["schemas"]
    definitions = {name: _schema(en_defs[name], ko_defs.get(name)) for name in en_defs}
    paths = _inline_enums(paths, definitions)
    definitions = _inline_enums(definitions, definitions)
    used: set[str] = set()
    _walk_refs(paths, used)
    pending = set(used)
    while pending:
        name = pending.pop()
        more: set[str] = set()
        _walk_refs(definitions.get(name, {}), more)
        pending |= more - used
        used |= more
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {
            "title": TITLE,
            "description": "File, read and reply to tierdesk support tickets about your "
            "Power Platform solutions, search the knowledge base and react to ticket "
            "changes.",
            "version": "1.0",
            "contact": {"name": "tierdesk", "url": settings.TIERDESK_BASE_URL},
        },
        "host": host,
        "basePath": API_PREFIX,
        "schemes": [scheme],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": {name: definitions[name] for name in sorted(used)},
        "parameters": {},
        "responses": {},
        "securityDefinitions": _security_definitions(auth),
        "security": [{name: []} for name in _security_definitions(auth)],
        "tags": [],
        "x-ms-connector-metadata": [
            {"propertyName": "Website", "propertyValue": settings.TIERDESK_BASE_URL},
            {"propertyName": "Privacy policy", "propertyValue": settings.TIERDESK_BASE_URL},
            {"propertyName": "Categories", "propertyValue": "IT Operations;Productivity"},
        ],
    }
    return document


def _make_trigger(operation: dict[str, Any]) -> None:
    """The subscribe operation as Power Automate's webhook trigger: the callback URL is
    filled in by the platform (hidden), the answer's Location is the unsubscribe URL."""
    operation["x-ms-trigger"] = "single"
    operation["x-ms-trigger-hint"] = "To see it work, reply to a ticket you can see."
    body = next(p for p in operation["parameters"] if p["in"] == "body")
    schema = body["schema"]
    if "$ref" in schema:
        schema = {"$ref": schema["$ref"]}
    body["schema"] = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {
                "type": "string",
                "description": "Power Automate's callback URL",
                "x-ms-notification-url": True,
                "x-ms-visibility": "internal",
                "x-ms-summary": "콜백 URL (Callback URL)",
            },
            "events": {
                "type": "array",
                "description": "The events to receive; none: every event.",
                "x-ms-summary": "이벤트 (Events)",
                "x-ms-visibility": "advanced",
                "items": {
                    "type": "string",
                    "enum": [
                        "ticket.created",
                        "ticket.status_changed",
                        "ticket.replied",
                        "ticket.escalated",
                    ],
                },
            },
        },
    }
    for code, response in list(operation["responses"].items()):
        if code == "201":
            response["headers"] = {
                "Location": {"type": "string", "description": "DELETE it to unsubscribe"}
            }
            response.pop("schema", None)


def _security_definitions(auth: str) -> dict[str, Any]:
    if auth == "aad":
        # What Power Platform itself writes for an Entra ID (aad) connection.
        login = "https://login.microsoftonline.com"
        return {
            "oauth2_auth": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": f"{login}/common/oauth2/authorize",
                "tokenUrl": f"{login}/common/oauth2/authorize",
                "scopes": {},
            }
        }
    return {
        "API_key": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <your tierdesk API token>",
        }
    }


def api_properties(*, auth: str | None = None) -> dict[str, Any]:
    """`apiProperties.json` as a dict."""
    auth = auth or settings.TIERDESK_CONNECTOR_AUTH
    if auth == "aad":
        parameters: dict[str, Any] = {
            "token": {
                "type": "oauthSetting",
                "oAuthSettings": {
                    "identityProvider": "aad",
                    "clientId": settings.TIERDESK_CONNECTOR_AAD_CLIENT_ID or "<client id>",
                    "scopes": [],
                    "redirectMode": "GlobalPerConnector",
                    "redirectUrl": "https://global.consent.azure-apim.net/redirect",
                    "properties": {"IsFirstParty": "False"},
                    "customParameters": {
                        "loginUri": {"value": "https://login.microsoftonline.com"},
                        "tenantId": {"value": settings.TIERDESK_CONNECTOR_AAD_TENANT},
                        "resourceUri": {
                            "value": settings.TIERDESK_CONNECTOR_AAD_RESOURCE
                            or settings.TIERDESK_CONNECTOR_AAD_CLIENT_ID
                            or "<resource>"
                        },
                        "enableOnbehalfOfLogin": {"value": "false"},
                    },
                },
                "uiDefinition": {
                    "displayName": "Sign in with Microsoft Entra ID",
                    "description": "Sign in with your work account.",
                    "tooltip": "Microsoft Entra ID",
                    "constraints": {"required": "true"},
                },
            }
        }
    else:
        parameters = {
            "api_key": {
                "type": "securestring",
                "uiDefinition": {
                    "displayName": "API token (Token …)",
                    "description": "Type Token, a space and your tierdesk API token "
                    "(tierdesk token, or POST /api/v1/auth/token/).",
                    "tooltip": "Token <your API token>",
                    "constraints": {"tabIndex": 2, "clearText": False, "required": "true"},
                },
            }
        }
    return {
        "properties": {
            "connectionParameters": parameters,
            "iconBrandColor": ICON_COLOR,
            "capabilities": [],
            "publisher": "tierdesk",
            "stackOwner": "tierdesk",
        }
    }


# ------------------------------------------------------------------ rules and output


_OPERATION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def validate(document: dict[str, Any]) -> list[str]:
    """The custom-connector rules Microsoft documents that a Swagger validator does not
    check: unique alphanumeric operation ids, a summary of at most 80 characters and a
    description on every operation, a webhook trigger with its notification URL and an
    unsubscribe (DELETE) operation, no OpenAPI 3 keyword, host/basePath/schemes set,
    a title of at most 30 characters."""
    problems: list[str] = []
    if document.get("swagger") != "2.0":
        problems.append("not Swagger 2.0")
    for key in ("host", "basePath", "schemes"):
        if not document.get(key):
            problems.append(f"{key} missing")
    title = document.get("info", {}).get("title", "")
    if not title or len(title) > 30:
        problems.append("info.title must be 1 to 30 characters")
    seen: set[str] = set()
    deletes = 0
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method.startswith("x-"):
                continue
            op_id = operation.get("operationId", "")
            if not _OPERATION_ID.match(op_id):
                problems.append(f"{method} {path}: operationId {op_id!r} is not alphanumeric")
            if op_id in seen:
                problems.append(f"operationId {op_id} is not unique")
            seen.add(op_id)
            summary = operation.get("summary", "")
            if not summary or len(summary) > 80:
                problems.append(f"{op_id}: summary must be 1 to 80 characters")
            if not operation.get("description"):
                problems.append(f"{op_id}: no description")
            if method == "delete":
                deletes += 1
            for param in operation.get("parameters", []):
                internal = param.get("x-ms-visibility") == "internal"
                if internal and param.get("required") and "default" not in param:
                    problems.append(
                        f"{op_id}: internal required parameter {param.get('name')} "
                        "without a default"
                    )
            if operation.get("x-ms-trigger"):
                body = [p for p in operation.get("parameters", []) if p.get("in") == "body"]
                text = json.dumps(body)
                if '"x-ms-notification-url": true' not in text:
                    problems.append(f"{op_id}: trigger without x-ms-notification-url")
                if "x-ms-notification-content" not in item:
                    problems.append(f"{op_id}: trigger without x-ms-notification-content")
                if "Location" not in operation["responses"].get("201", {}).get("headers", {}):
                    problems.append(f"{op_id}: trigger's 201 without a Location header")
                if not deletes and not any(
                    "delete" in other for other in document["paths"].values()
                ):
                    problems.append(f"{op_id}: no DELETE operation to unsubscribe")
    problems.extend(f"OpenAPI 3 keyword {k!r} at {p}" for p, k in _openapi3_keys(document))
    return problems


def _openapi3_keys(node: Any, path: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            inside_properties = path.endswith("/properties") or path.endswith("/definitions")
            if key in OPENAPI3_ONLY and not inside_properties and not path.endswith("/paths"):
                found.append((path, key))
            found.extend(_openapi3_keys(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_openapi3_keys(value, f"{path}/{index}"))
    return found


def files(*, auth: str | None = None, base_url: str | None = None) -> dict[str, bytes]:
    """The two files Power Platform imports, by name."""
    definition = api_definition(auth=auth, base_url=base_url)
    problems = validate(definition)
    if problems:
        raise ValueError("the connector breaks the platform's rules: " + "; ".join(problems))
    return {
        "apiDefinition.swagger.json": _dump(definition),
        "apiProperties.json": _dump(api_properties(auth=auth)),
    }


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(copy.deepcopy(document), ensure_ascii=False, indent=2) + "\n").encode()


def write(directory: Path, *, auth: str | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files(auth=auth).items():
        target = directory / name
        target.write_bytes(content)
        written.append(target)
    return written


def zip_bytes(*, auth: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files(auth=auth).items():
            archive.writestr(name, content)
    return buffer.getvalue()
