"""Every write action of every app × every role × page and API × own / other object →
one exact status, and the database changed exactly when the write was allowed.

Generated the way NetBox generates its view and API permission tests: each `Write` below
names an action, its surface, how to call it and, per target, which roles it allows and
which cannot even see the object (404). Every other role must be refused with 403. A
refused write changes nothing; an allowed one changes something (`_fingerprint`).

The world (`World`): `own` is the sales solution (made by `maker`, co-owned by
`co_owner`, self-supported) and its ticket filed by `requester`; `other` is the production
solution of `other_maker` and its ticket, filed by `other_maker`. `manager` reads
everything and writes nothing but their own preferences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.common import clock
from tierdesk.desk import ladder
from tierdesk.desk import services as desk
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.governance import services as governance
from tierdesk.governance.choices import GuardrailCode, Severity, SignalCode
from tierdesk.governance.models import Finding, GraduationRequest, OnboardingContent, Signal
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.importers.models import ColumnMapping
from tierdesk.inventory.models import Environment, UsageFact
from tierdesk.sla.models import OnCallRotation
from tierdesk.sla.tests.factories import rotation

ROLES = [
    "admin",
    "platform",
    "agent",
    "manager",
    "maker",
    "co_owner",
    "member",
    "partner",
    "requester",
    "other_maker",
]
PLATFORM = {"admin", "platform"}
DESK = {"admin", "platform", "agent"}
STAFF = {"admin", "platform", "agent", "manager"}
EVERYONE = set(ROLES)
WRITERS = EVERYONE - {"manager"}

# Who sees and who supports each ticket while it is at the self-support level.
SEES_TICKET = {
    "own": STAFF | {"maker", "co_owner", "requester"},
    "other": STAFF | {"other_maker"},
}
WORKS_TICKET = {"own": DESK | {"maker", "co_owner"}, "other": DESK | {"other_maker"}}
ASKED = {"own": "requester", "other": "other_maker"}
OWNERS = {"own": {"maker", "co_owner"}, "other": {"other_maker"}}
MAKERS = {"maker", "co_owner", "other_maker"}
# Governance pages open to makers too, but a maker sees only their own solutions.
GOV_HIDDEN = {"own": {"other_maker"}, "other": {"maker", "co_owner"}}


# ------------------------------------------------------------------------------ the world


@dataclass
class World:
    org: Org
    tickets: dict[str, Ticket]
    partners: dict[str, Ticket]  # a second ticket each, for duplicates and merges
    signals: dict[str, Signal]
    findings: dict[str, Finding]
    graduations: dict[str, GraduationRequest]
    rotations: dict[str, OnCallRotation]
    facts: dict[str, UsageFact]
    spare_unit: BusinessUnit
    spare_team: SupportTeam
    spare_environment: Environment
    spare_request_type: RequestType
    mapping: ColumnMapping
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(org: Org, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    u = org.users
    for solution in (org.own, org.other):
        inventory.solution_update(
            solution=solution,
            actor=None,
            expected_version=solution.version,
            changes={"support_model": SupportModel.SELF},
        )
    tickets = {
        "own": ticket(requester=u["requester"], solution=org.own, subject="Own ticket"),
        "other": ticket(requester=u["other_maker"], solution=org.other, subject="Other ticket"),
    }
    partners = {
        "own": ticket(requester=u["requester"], solution=org.own, subject="Own again"),
        "other": ticket(requester=u["other_maker"], solution=org.other, subject="Other again"),
    }
    today = clock.today()
    signals, findings, graduations, facts = {}, {}, {}, {}
    for name in ("own", "other"):
        solution = getattr(org, name)
        signals[name] = Signal.objects.create(
            solution=solution,
            code=SignalCode.SHARED_USERS,
            detail={"users": 30},
            first_seen=today,
            last_seen=today,
        )
        findings[name] = Finding.objects.create(
            solution=solution,
            code=GuardrailCode.RUNBOOK,
            severity=Severity.HIGH,
            first_seen=today,
            last_seen=today,
        )
        graduations[name] = governance.graduation_request_create(
            solution=solution,
            actor=solution.maker,
            target_tier=Tier.IMPORTANT,
            justification="grows",
        )
        facts[name] = inventory.usage_fact_record(
            solution=solution, date=today, source="manual", measures={"shared_users": 5}
        )
    platform_team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    OnboardingContent.objects.create(language="en", body="Read me")
    UserFactory.create(username="someone")  # asked a platform engineer in the hallway
    return World(
        org=org,
        tickets={k: Ticket.objects.get(pk=t.pk) for k, t in tickets.items()},
        partners=partners,
        signals=signals,
        findings=findings,
        graduations=graduations,
        rotations={
            "own": rotation(team=platform_team, users=[u["platform"]]),
            "other": rotation(team=org.partner_team, users=[u["partner"]]),
        },
        facts=facts,
        spare_unit=BusinessUnit.objects.create(code="spare", name="예비"),
        spare_team=SupportTeam.objects.create(name="Spare team", kind=TeamKind.TEAM),
        spare_environment=Environment.objects.create(
            platform_id="env-spare", name="Spare", type="sandbox"
        ),
        spare_request_type=RequestType.objects.create(
            code="spare", name="Spare request", ticket_type="access_request"
        ),
        mapping=ColumnMapping.objects.create(name="spare-map", table="app", columns={}),
    )


# ------------------------------------------------------------------------------ the table


Expect = dict[int, set[str]]
"""Status → the roles that get it; every role not named gets 403."""


@dataclass(frozen=True)
class Write:
    name: str
    surface: str  # "page" or "api"
    method: str
    path: Callable[[World, str], str]
    data: Callable[[World, str], Any]
    expect: Callable[[str], Expect]  # by target
    targets: tuple[str, ...] = ("own", "other")
    prepare: Callable[[World, str], None] | None = None
    format: str = "json"  # the API's body; pages post forms

    def status(self, role: str, target: str) -> int:
        for code, roles in self.expect(target).items():
            if role in roles:
                return code
        return 403


def _t(w: World, target: str) -> int:
    return w.tickets[target].pk


def _ticket_rule(allowed: Callable[[str], set[str]], ok: int) -> Callable[[str], Expect]:
    """A ticket write: hidden from who cannot see the ticket, allowed to `allowed`."""
    return lambda target: {
        404: EVERYONE - SEES_TICKET[target],
        ok: allowed(target) & SEES_TICKET[target],
    }


def _supporters(target: str) -> set[str]:
    return WORKS_TICKET[target]


def _supporters_and_requester(target: str) -> set[str]:
    return WORKS_TICKET[target] | {ASKED[target]}


def _resolved(w: World, target: str) -> None:
    desk.ticket_resolve(ticket=w.tickets[target], actor=None, reason="fixed")


def _escalated(w: World, target: str) -> None:
    ladder.ticket_escalate(ticket=w.tickets[target], actor=None, reason="needs a team")


def _at_help_desk(w: World, target: str) -> None:
    help_desk = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    ladder.ticket_assign(ticket=w.tickets[target], actor=None, team=help_desk, reason="desk")


def _critical(w: World, target: str) -> None:
    solution = getattr(w.org, target)
    inventory.solution_update(
        solution=solution,
        actor=None,
        expected_version=solution.version,
        changes={"tier": Tier.CRITICAL},
    )


def _move_page(name: str, data: Callable[[World, str], dict[str, Any]]) -> Callable[..., Any]:
    def build(w: World, target: str) -> dict[str, Any]:
        return {f"{name}-{k}": v for k, v in data(w, target).items()}

    return build


REASON = {"reason": "because"}
VENDOR = {
    "vendor": "Microsoft",
    "health_checked_at": "2026-01-01T09:00:00+09:00",
    "health_result": "healthy",
    "external_number": "MS-1",
    "reason": "platform bug",
}

# At the help-desk level (after `_at_help_desk`, or one step up the default escalation
# path, `_escalated`) the help desk works the ticket; its solution's makers still see it
# and may no longer work it.
AT_DESK = {"own": DESK, "other": DESK}
ESCALATED = AT_DESK
SEES_ESCALATED = SEES_TICKET


def _after(sees: dict[str, set[str]], works: dict[str, set[str]], ok: int) -> Any:
    return lambda target: {404: EVERYONE - sees[target], ok: works[target] & sees[target]}


# Each ladder move: (name, page form data, API body, allowed, preparation).
MOVES: list[tuple[str, Callable[[World, str], dict[str, Any]], Any, Any, Any]] = [
    (
        "triage",
        lambda w, t: {"impact": "high", "urgency": "low", "topic": "bug", "reason": "x"},
        lambda w, t: {"impact": "high", "urgency": "low", "topic": "bug"},
        None,
        None,
    ),
    (
        "assign",
        lambda w, t: {"agent": w.org.users["agent"].pk, "reason": "x"},
        lambda w, t: {"agent": w.org.users["agent"].pk},
        None,
        None,
    ),
    ("escalate", lambda w, t: REASON, lambda w, t: REASON, None, None),
    ("resolve", lambda w, t: REASON, lambda w, t: REASON, None, None),
    ("reopen", lambda w, t: REASON, lambda w, t: REASON, "requester", _resolved),
    ("redirect", lambda w, t: REASON, lambda w, t: REASON, "desk", _at_help_desk),
    ("de_escalate", lambda w, t: REASON, lambda w, t: REASON, "escalated", _escalated),
    ("hand_back", lambda w, t: REASON, lambda w, t: REASON, "escalated", _escalated),
    ("hand_over", lambda w, t: REASON, lambda w, t: REASON, None, _critical),
    (
        "link_duplicate",
        lambda w, t: {"other": w.partners[t].number, "reason": "same"},
        lambda w, t: {"other": w.partners[t].pk, "reason": "same"},
        None,
        None,
    ),
    (
        "merge",
        lambda w, t: {"other": w.partners[t].number},
        lambda w, t: {"other": w.partners[t].pk},
        None,
        None,
    ),
    ("vendor_case", lambda w, t: VENDOR, lambda w, t: VENDOR, "platform", None),
    (
        "partner_case",
        lambda w, t: {"partner": w.org.partner_team.pk, "reason": "x"},
        lambda w, t: {"partner": w.org.partner_team.pk, "reason": "x"},
        "platform",
        None,
    ),
    ("wait_on_requester", lambda w, t: REASON, None, None, None),
    ("in_progress", lambda w, t: REASON, None, None, None),
    ("close", lambda w, t: REASON, lambda w, t: REASON, "requester", None),
]


def _move_expect(kind: str | None, ok: int) -> Callable[[str], Expect]:
    if kind == "requester":
        return _ticket_rule(_supporters_and_requester, ok)
    if kind == "platform":
        return _ticket_rule(lambda t: WORKS_TICKET[t] & PLATFORM, ok)
    if kind == "desk":
        return _after(SEES_TICKET, AT_DESK, ok)
    if kind == "escalated":
        return _after(SEES_ESCALATED, ESCALATED, ok)
    return _ticket_rule(_supporters, ok)


def _desk_writes() -> list[Write]:
    writes = [
        Write(
            "file a ticket",
            "page",
            "post",
            lambda w, t: "/desk/new/",
            lambda w, t: {
                "subject": "도와주세요",
                "topic": "how_to",
                "type": "question",
                "impact": "low",
                "urgency": "low",
                "solution": getattr(w.org, t).platform_id,
            },
            lambda t: {302: WRITERS},
        ),
        Write(
            "file a ticket",
            "api",
            "post",
            lambda w, t: "/api/v1/tickets/",
            lambda w, t: {
                "subject": "도와주세요",
                "solution_platform_id": getattr(w.org, t).platform_id,
            },
            lambda t: {201: WRITERS},
        ),
        Write(
            "log for someone",
            "page",
            "post",
            lambda w, t: "/desk/bypass/",
            lambda w, t: {
                "requester": "someone",
                "subject": "복도에서",
                "topic": "how_to",
                "urgency": "low",
                "solution": getattr(w.org, t).platform_id,
            },
            lambda t: {302: PLATFORM},
        ),
        Write(
            "log for someone",
            "api",
            "post",
            lambda w, t: "/api/v1/tickets/",
            lambda w, t: {
                "subject": "복도에서",
                "on_behalf_of": User.objects.get(username="someone").pk,
                "solution_platform_id": getattr(w.org, t).platform_id,
            },
            # the help desk logs requests for someone too (issue 11)
            lambda t: {201: DESK},
        ),
        Write(
            "edit",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/edit/",
            lambda w, t: {
                "version": w.tickets[t].version,
                "subject": "Edited",
                "description": "",
                "impact": "high",
                "urgency": "low",
            },
            _ticket_rule(_supporters_and_requester, 302),
        ),
        Write(
            "edit",
            "api",
            "patch",
            lambda w, t: f"/api/v1/tickets/{_t(w, t)}/",
            lambda w, t: {"version": w.tickets[t].version, "subject": "Edited"},
            _ticket_rule(_supporters_and_requester, 200),
        ),
        Write(
            "reply",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/reply/",
            lambda w, t: {"body": "답변"},
            _ticket_rule(_supporters_and_requester, 302),
        ),
        Write(
            "reply",
            "api",
            "post",
            lambda w, t: f"/api/v1/tickets/{_t(w, t)}/reply/",
            lambda w, t: {"body": "답변"},
            _ticket_rule(_supporters_and_requester, 200),
        ),
        Write(
            "internal note",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/note/",
            lambda w, t: {"body": "메모"},
            _ticket_rule(_supporters, 302),
        ),
        Write(
            "internal note",
            "api",
            "post",
            lambda w, t: f"/api/v1/tickets/{_t(w, t)}/note/",
            lambda w, t: {"body": "메모"},
            _ticket_rule(_supporters, 200),
        ),
        Write(
            "attach",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/attach/",
            lambda w, t: {"file": SimpleUploadedFile("log.txt", b"line", "text/plain")},
            _ticket_rule(_supporters_and_requester, 302),
        ),
        Write(
            "attach internally",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/attach/",
            lambda w, t: {
                "file": SimpleUploadedFile("log.txt", b"line", "text/plain"),
                "internal": "1",
            },
            _ticket_rule(_supporters, 302),
        ),
        Write(
            "take",
            "page",
            "post",
            lambda w, t: f"/desk/tickets/{_t(w, t)}/take/",
            lambda w, t: {},
            _ticket_rule(_supporters, 302),
        ),
    ]
    for name, page_data, api_data, kind, prepare in MOVES:
        writes.append(
            Write(
                f"move {name}",
                "page",
                "post",
                lambda w, t, name=name: f"/desk/tickets/{_t(w, t)}/move/{name}/",
                _move_page(name, page_data),
                _move_expect(kind, 302),
                prepare=prepare,
            )
        )
        if api_data is not None:
            writes.append(
                Write(
                    f"move {name}",
                    "api",
                    "post",
                    lambda w, t, name=name: f"/api/v1/tickets/{_t(w, t)}/{name.replace('_', '-')}/",
                    api_data,
                    _move_expect(kind, 200),
                    prepare=prepare,
                )
            )
    for status in ("waiting_on_requester", "in_progress"):
        writes.append(
            Write(
                f"set status {status}",
                "api",
                "post",
                lambda w, t: f"/api/v1/tickets/{_t(w, t)}/set-status/",
                lambda w, t, status=status: {"status": status, "reason": "x"},
                _ticket_rule(_supporters, 200),
                prepare=(
                    None
                    if status == "waiting_on_requester"
                    else lambda w, t: desk.ticket_set_status(
                        ticket=w.tickets[t], actor=None, status="waiting_on_requester"
                    )
                ),
            )
        )
    writes += _catalog_writes()
    return writes


def _catalog_writes() -> list[Write]:
    rt = "/api/v1/request-types/"
    body = {"code": "new-type", "name": "New", "ticket_type": "access_request"}
    return [
        Write("request type create", "api", "post", lambda w, t: rt, lambda w, t: body,
              lambda t: {201: {"admin"}}, targets=("-",)),
        Write("request type update", "api", "patch",
              lambda w, t: f"{rt}{w.spare_request_type.pk}/", lambda w, t: {"name": "Renamed"},
              lambda t: {200: {"admin"}}, targets=("-",)),
        Write("request type delete", "api", "delete",
              lambda w, t: f"{rt}{w.spare_request_type.pk}/", lambda w, t: None,
              lambda t: {204: {"admin"}}, targets=("-",)),
    ]  # fmt: skip


# --------------------------------------------------------------------- governance writes


def _gov(ok: int, gate: set[str], allowed: Callable[[str], set[str]]) -> Any:
    """Governance: the view's roles first (403), then a maker's sight (404), then the
    rule."""
    return lambda target: {
        404: (gate & MAKERS) & GOV_HIDDEN[target] - PLATFORM,
        ok: allowed(target) & gate,
    }


def _governs(target: str) -> set[str]:
    return PLATFORM | OWNERS[target]


ACTORS = PLATFORM | MAKERS  # GOVERNANCE_ACTORS
RECEIVERS = ACTORS | {"member", "partner"}  # HANDOVER_RECEIVERS
# Who sees each graduation: staff-wide roles, the owners, the receiving team (the sales
# team receives `own`; the platform team receives `other`).
SEES_GRADUATION = {
    "own": STAFF | OWNERS["own"] | {"member"},
    "other": STAFF | OWNERS["other"],
}


def _graduation(ok: int, gate: set[str], allowed: Callable[[str], set[str]]) -> Any:
    return lambda target: {
        404: gate - SEES_GRADUATION[target],
        ok: allowed(target) & gate & SEES_GRADUATION[target],
    }


def _submitted(w: World, target: str) -> None:
    graduation = w.graduations[target]
    for item in graduation.checklist.all():
        governance.checklist_item_tick(item=item, actor=w.org.users["admin"], evidence="ok")
    governance.graduation_submit(request=graduation, actor=w.org.users["admin"])


def _approved(w: World, target: str) -> None:
    _submitted(w, target)
    governance.graduation_approve(request=w.graduations[target], actor=w.org.users["admin"])


def _receivers(target: str) -> set[str]:
    return PLATFORM | ({"member"} if target == "own" else set())


def _governance_writes() -> list[Write]:
    g = "/api/v1/governance"
    sol = lambda w, t: getattr(w.org, t).pk  # noqa: E731
    return [
        Write("assess", "page", "post", lambda w, t: f"/governance/solutions/{sol(w, t)}/assess/",
              lambda w, t: {"impact": "critical"}, _gov(302, ACTORS, _governs)),
        Write("assess", "api", "post", lambda w, t: f"{g}/assessments/",
              lambda w, t: {"solution": sol(w, t), "answers": {"impact": "critical"}},
              # a solution out of sight is refused exactly like one that does not exist
              lambda t: {400: ACTORS & GOV_HIDDEN[t], 201: _governs(t)}),
        Write("confirm tier", "page", "post",
              lambda w, t: f"/governance/solutions/{sol(w, t)}/confirm-tier/",
              lambda w, t: {"tier": "important", "version": getattr(w.org, t).version},
              lambda t: {302: PLATFORM}),
        Write("acknowledge signal", "page", "post",
              lambda w, t: f"/governance/signals/{w.signals[t].pk}/acknowledge/",
              lambda w, t: {}, _gov(302, ACTORS, _governs)),
        Write("acknowledge signal", "api", "post",
              lambda w, t: f"{g}/signals/{w.signals[t].pk}/acknowledge/",
              lambda w, t: {}, _gov(200, ACTORS, _governs)),
        Write("snooze signal", "page", "post",
              lambda w, t: f"/governance/signals/{w.signals[t].pk}/snooze/",
              lambda w, t: {"until": "2099-01-01"}, _gov(302, ACTORS, _governs)),
        Write("snooze signal", "api", "post",
              lambda w, t: f"{g}/signals/{w.signals[t].pk}/snooze/",
              lambda w, t: {"until": "2099-01-01"}, _gov(200, ACTORS, _governs)),
        Write("graduate from signal", "api", "post",
              lambda w, t: f"{g}/signals/{w.signals[t].pk}/graduate/",
              lambda w, t: {"target_tier": "critical", "justification": "grows"},
              _gov(201, ACTORS, _governs),
              prepare=lambda w, t: w.graduations[t].delete()),
        Write("waive finding", "page", "post",
              lambda w, t: f"/governance/findings/{w.findings[t].pk}/waive/",
              lambda w, t: {"reason": "accepted"}, lambda t: {302: PLATFORM}),
        Write("waive finding", "api", "post",
              lambda w, t: f"{g}/findings/{w.findings[t].pk}/waive/",
              lambda w, t: {"reason": "accepted"}, lambda t: {200: PLATFORM}),
        Write("ask for graduation", "page", "post",
              lambda w, t: f"/governance/solutions/{sol(w, t)}/graduate/",
              lambda w, t: {"target_tier": "critical", "justification": "grows"},
              _gov(302, ACTORS, _governs),
              prepare=lambda w, t: w.graduations[t].delete()),
        Write("ask for graduation", "api", "post", lambda w, t: f"{g}/graduation-requests/",
              lambda w, t: {"solution": sol(w, t), "target_tier": "critical",
                            "justification": "grows"},
              lambda t: {400: ACTORS & GOV_HIDDEN[t], 201: _governs(t)},
              prepare=lambda w, t: w.graduations[t].delete()),
        Write("tick checklist", "page", "post",
              lambda w, t: f"/governance/graduations/{w.graduations[t].pk}/tick/",
              lambda w, t: {"item": w.graduations[t].checklist.first().pk, "evidence": "ok"},
              _graduation(302, RECEIVERS, _governs)),
        Write("tick checklist", "api", "post",
              lambda w, t: f"{g}/graduation-requests/{w.graduations[t].pk}/tick/",
              lambda w, t: {"item": w.graduations[t].checklist.first().pk, "evidence": "ok"},
              _graduation(200, ACTORS, _governs)),
        Write("submit graduation", "page", "post",
              lambda w, t: f"/governance/graduations/{w.graduations[t].pk}/submit/",
              lambda w, t: {}, _graduation(302, RECEIVERS, _governs),
              prepare=lambda w, t: [
                  governance.checklist_item_tick(item=i, actor=None, evidence="ok")
                  for i in w.graduations[t].checklist.all()]),
        Write("submit graduation", "api", "post",
              lambda w, t: f"{g}/graduation-requests/{w.graduations[t].pk}/submit/",
              lambda w, t: {}, _graduation(200, ACTORS, _governs),
              prepare=lambda w, t: [
                  governance.checklist_item_tick(item=i, actor=None, evidence="ok")
                  for i in w.graduations[t].checklist.all()]),
        Write("approve graduation", "page", "post",
              lambda w, t: f"/governance/graduations/{w.graduations[t].pk}/approve/",
              lambda w, t: {}, _graduation(302, RECEIVERS, lambda t: PLATFORM),
              prepare=_submitted),
        Write("approve graduation", "api", "post",
              lambda w, t: f"{g}/graduation-requests/{w.graduations[t].pk}/approve/",
              lambda w, t: {}, lambda t: {200: PLATFORM}, prepare=_submitted),
        Write("send graduation back", "page", "post",
              lambda w, t: f"/governance/graduations/{w.graduations[t].pk}/send_back/",
              lambda w, t: {"comment": "more"}, _graduation(302, RECEIVERS, lambda t: PLATFORM),
              prepare=_submitted),
        Write("send graduation back", "api", "post",
              lambda w, t: f"{g}/graduation-requests/{w.graduations[t].pk}/send_back/",
              lambda w, t: {"comment": "more"}, lambda t: {200: PLATFORM}, prepare=_submitted),
        Write("acknowledge handover", "page", "post",
              lambda w, t: f"/governance/graduations/{w.graduations[t].pk}/handover/",
              lambda w, t: {}, _graduation(302, RECEIVERS, _receivers), prepare=_approved),
        Write("acknowledge handover", "api", "post",
              lambda w, t: f"{g}/graduation-requests/{w.graduations[t].pk}/acknowledge_handover/",
              lambda w, t: {}, _graduation(200, RECEIVERS, _receivers), prepare=_approved),
        Write("edit the maker guide", "page", "post", lambda w, t: "/governance/onboarding/edit/",
              lambda w, t: {"body_en": "New guide", "body_ko": "새 안내"},
              lambda t: {302: PLATFORM}, targets=("-",)),
        Write("acknowledge the maker guide", "page", "post",
              lambda w, t: "/governance/onboarding/", lambda w, t: {},
              lambda t: {302: WRITERS}, targets=("-",)),
        Write("publish a tier policy", "api", "post", lambda w, t: f"{g}/policies/",
              lambda w, t: {"body": {"weights": {"impact": 2}}, "note": "n"},
              lambda t: {201: {"admin"}}, targets=("-",)),
    ]  # fmt: skip


# -------------------------------------------------------------- on-call, inventory, more


SEES_ROTATION = {"own": STAFF, "other": STAFF | {"partner"}}
ON_CALL = STAFF | {"member", "partner"}


def _on_call(ok: int) -> Any:
    return lambda target: {404: ON_CALL - SEES_ROTATION[target], ok: PLATFORM}


def _admin_writes() -> list[Write]:
    one = ("-",)
    users = lambda w: w.org.users  # noqa: E731
    return [
        Write("override on call", "page", "post",
              lambda w, t: f"/sla/on-call/{w.rotations[t].pk}/overrides/",
              lambda w, t: {"user": users(w)["agent"].pk, "starts_at": "2030-01-01T09:00",
                            "ends_at": "2030-01-01T18:00"}, _on_call(302)),
        Write("override on call", "api", "post",
              lambda w, t: f"/api/v1/sla/rotations/{w.rotations[t].pk}/overrides/",
              lambda w, t: {"user": users(w)["agent"].pk, "starts_at": "2030-01-01T00:00:00Z",
                            "ends_at": "2030-01-02T00:00:00Z"}, _on_call(201)),
        Write("correct a solution", "api", "patch",
              lambda w, t: f"/api/v1/solutions/{getattr(w.org, t).pk}/",
              lambda w, t: {"description": "고침", "version": getattr(w.org, t).version},
              lambda t: {200: {"admin"}}),
        Write("environment create", "api", "post", lambda w, t: "/api/v1/environments/",
              lambda w, t: {"platform_id": "env-new", "name": "New", "type": "sandbox"},
              lambda t: {201: {"admin"}}, targets=one),
        Write("environment update", "api", "patch",
              lambda w, t: f"/api/v1/environments/{w.spare_environment.pk}/",
              lambda w, t: {"name": "Renamed"}, lambda t: {200: {"admin"}}, targets=one),
        Write("environment delete", "api", "delete",
              lambda w, t: f"/api/v1/environments/{w.spare_environment.pk}/",
              lambda w, t: None, lambda t: {204: {"admin"}}, targets=one),
        Write("usage fact create", "api", "post", lambda w, t: "/api/v1/usage-facts/",
              lambda w, t: {"solution": getattr(w.org, t).pk, "date": "2026-01-05",
                            "source": "manual", "shared_users": 9},
              lambda t: {201: {"admin"}}),
        Write("usage fact update", "api", "patch",
              lambda w, t: f"/api/v1/usage-facts/{w.facts[t].pk}/",
              lambda w, t: {"shared_users": 11}, lambda t: {200: {"admin"}}),
        Write("usage fact delete", "api", "delete",
              lambda w, t: f"/api/v1/usage-facts/{w.facts[t].pk}/",
              lambda w, t: None, lambda t: {204: {"admin"}}),
        Write("business unit create", "api", "post", lambda w, t: "/api/v1/business-units/",
              lambda w, t: {"code": "new", "name": "신규"}, lambda t: {201: {"admin"}},
              targets=one),
        Write("business unit update", "api", "patch",
              lambda w, t: f"/api/v1/business-units/{w.spare_unit.pk}/",
              lambda w, t: {"name": "바뀜"}, lambda t: {200: {"admin"}}, targets=one),
        Write("business unit delete", "api", "delete",
              lambda w, t: f"/api/v1/business-units/{w.spare_unit.pk}/",
              lambda w, t: None, lambda t: {204: {"admin"}}, targets=one),
        Write("team create", "api", "post", lambda w, t: "/api/v1/teams/",
              lambda w, t: {"name": "New team", "kind": "team"}, lambda t: {201: {"admin"}},
              targets=one),
        Write("team update", "api", "patch", lambda w, t: f"/api/v1/teams/{w.spare_team.pk}/",
              lambda w, t: {"name": "Renamed team"}, lambda t: {200: {"admin"}}, targets=one),
        Write("team delete", "api", "delete", lambda w, t: f"/api/v1/teams/{w.spare_team.pk}/",
              lambda w, t: None, lambda t: {204: {"admin"}}, targets=one),
        Write("import upload", "page", "post", lambda w, t: "/inventory/imports/upload/",
              lambda w, t: {"upload": _sample()}, lambda t: {302: {"admin"}}, targets=one),
        Write("import upload", "api", "post", lambda w, t: "/api/v1/imports/upload/",
              lambda w, t: {"files": _sample()}, lambda t: {201: {"admin"}}, targets=one,
              format="multipart"),
        Write("column mapping create", "page", "post",
              lambda w, t: "/inventory/imports/mappings/new/",
              lambda w, t: {"name": "new-map", "table": "environment", "column-id": "Id",
                            "column-name": "Name"},
              lambda t: {302: {"admin"}}, targets=one),
        Write("column mapping edit", "page", "post",
              lambda w, t: f"/inventory/imports/mappings/{w.mapping.pk}/",
              lambda w, t: {"name": "spare-map", "table": "app", "column-id": "AppId",
                            "column-env": "Env", "column-name": "App name"},
              lambda t: {302: {"admin"}}, targets=one),
        Write("column mapping delete", "page", "post",
              lambda w, t: f"/inventory/imports/mappings/{w.mapping.pk}/delete/",
              lambda w, t: {}, lambda t: {302: {"admin"}}, targets=one),
        Write("choose a language", "page", "post", lambda w, t: "/accounts/language/",
              lambda w, t: {"language": "ko", "next": "/"}, lambda t: {302: EVERYONE},
              targets=one),
    ]  # fmt: skip


def _sample() -> SimpleUploadedFile:
    body = "EnvironmentName,DisplayName\nenv-imported,Imported\n"
    return SimpleUploadedFile("environments.csv", body.encode(), "text/csv")


def _area_writes() -> list[Write]:
    """Rows kept beside the features they test: every `tests/writes_<area>.py` module's
    `writes()` (a list of `Write`, built with this module's helpers) joins the table."""
    import importlib
    import pkgutil
    from pathlib import Path

    found: list[Write] = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("writes_"):
            found.extend(importlib.import_module(f"tests.{module.name}").writes())
    return found


WRITES = [*_desk_writes(), *_governance_writes(), *_admin_writes(), *_area_writes()]
CASES = [
    pytest.param(write, role, target, id=f"{write.surface}-{write.name}-{target}-{role}")
    for write in WRITES
    for target in write.targets
    for role in ROLES
]


# ----------------------------------------------------------------------------- the check

VOLATILE = {"last_login", "password"}


def _fingerprint() -> list[Any]:
    """Every row of every tierdesk table (sessions and sign-in times aside): a refused
    write leaves it as it was."""
    rows: list[Any] = []
    for model in apps.get_models():
        if not model.__module__.startswith("tierdesk.") or model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        rows.append((model._meta.label, list(model.objects.order_by("pk").values_list(*fields))))
    return rows


@pytest.mark.parametrize("write, role, target", CASES)
def test_write(world: World, write: Write, role: str, target: str) -> None:
    if write.prepare is not None:
        write.prepare(world, target)
        for t in world.tickets.values():
            t.refresh_from_db()
    user = world.org.users[role]
    path, data = write.path(world, target), write.data(world, target)
    before = _fingerprint()
    if write.surface == "page":
        client = Client()
        client.force_login(user)
        response = getattr(client, write.method)(path, data or {})
    else:
        api = APIClient()
        api.force_authenticate(user)
        response = getattr(api, write.method)(path, data, format=write.format)
    expected = write.status(role, target)
    assert response.status_code == expected, (
        f"{write.surface} {write.name} on {target} as {role}: "
        f"{response.status_code} != {expected}: {response.content[:300]!r}"
    )
    changed = _fingerprint() != before
    assert changed == (expected < 400), f"{'nothing' if not changed else 'something'} written"


# Write routes that are not a role's action on tierdesk's data: signing in and out,
# changing one's own password and trading a password for an API token (django.contrib.auth
# and knox, throttled by django-axes; accounts/tests), the form a solution embeds
# (anonymous intake; desk/tests/test_intake.py).
NOT_ROLE_WRITES = {
    "accounts/login/",
    "accounts/logout/",
    "accounts/password/",
    "api/v1/auth/token/",
    "desk/embed/<str:platform_id>/",
}
# Function views say nothing of their methods: each is classified here by hand, so a new
# one fails `test_every_write_route_is_in_the_table` until someone does.
FUNCTION_VIEWS = {"": "read", "healthz": "read", "accounts/profile/": "read"}
FUNCTION_VIEWS["accounts/language/"] = "write"


def _write_routes() -> set[str]:
    """Every route whose view accepts POST, PUT, PATCH or DELETE."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if prefix == "" and str(p.pattern) == "admin/":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "(?P<format>" in route or "drf_format_suffix" in route:
                    continue
                actions = getattr(p.callback, "actions", None)
                view = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
                if actions is not None:
                    writes = set(actions) & {"post", "put", "patch", "delete"}
                elif view is not None:
                    writes = {m for m in ("post", "put", "patch", "delete") if hasattr(view, m)}
                else:
                    kind = FUNCTION_VIEWS.get(route.replace("^", ""), "unclassified")
                    writes = set() if kind == "read" else {kind}
                if writes:
                    found.add(route.replace("^", ""))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_write_route_is_in_the_table(world: World) -> None:
    """A write route without a row above fails here: the table is the list of writes."""
    from django.urls import resolve

    covered = set()
    for write in WRITES:
        for target in write.targets:
            match = resolve(write.path(world, target).split("?")[0])
            covered.add(match.route.replace("^", ""))
    missing = {r for r in _write_routes() - NOT_ROLE_WRITES if r not in covered}
    assert not missing, sorted(missing)
