"""Writes of the governance app. Views, the API, the CLI, the demo and tests call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.governance import selectors
from tierdesk.governance.choices import (
    Characteristic,
    ChecklistCode,
    FindingStatus,
    GraduationStatus,
    SignalStatus,
)
from tierdesk.governance.models import (
    ChecklistItem,
    Finding,
    GraduationRequest,
    OnboardingAcknowledgement,
    OnboardingContent,
    Signal,
    SolutionProfile,
    TierAssessment,
    TierPolicy,
)
from tierdesk.governance.policy import DEFAULT_POLICY, LEVEL, evaluate
from tierdesk.governance.scan import ScanReport, scan_apply
from tierdesk.inventory.choices import ConnectorTier, SolutionEventType, SupportModel, Tier
from tierdesk.inventory.models import Solution, SolutionConnector, SolutionEvent, SolutionOwner
from tierdesk.inventory.services import solution_update

SUPPORT_MODEL_FOR_TIER = {
    Tier.PRODUCTIVITY.value: SupportModel.SELF.value,
    Tier.IMPORTANT.value: SupportModel.TEAM.value,
    Tier.CRITICAL.value: SupportModel.FORMAL.value,
}


# --- timeline ---------------------------------------------------------------------------


def timeline_record(
    *,
    solution: Solution,
    actor: User | None,
    what: SolutionEventType,
    parameters: Mapping[str, Any],
) -> SolutionEvent:
    """A governance step on the solution's timeline: the inventory's event table, typed
    (`SolutionEventType`, translated labels) as the desk's ticket events are."""
    return SolutionEvent.objects.create(
        solution=solution, actor=actor, type=what, parameters=dict(parameters)
    )


# --- policy and assessments -------------------------------------------------------------


def policy_current() -> TierPolicy:
    policy = TierPolicy.objects.order_by("-version").first()
    if policy is None:
        policy = TierPolicy.objects.create(
            version=1, body=dict(DEFAULT_POLICY), note="CoE Starter Kit defaults"
        )
    return policy


@transaction.atomic
def policy_publish(*, body: Mapping[str, Any], note: str, actor: User | None) -> TierPolicy:
    """A new version of the tier policy; the old versions stay as they were. Refused
    (PermissionDenied) unless `selectors.can_publish_policy`; no actor is tierdesk itself."""
    if actor is not None:
        require(selectors.can_publish_policy(actor), _("Only an admin publishes the tier policy."))
    if not isinstance(body, Mapping) or not isinstance(body.get("weights"), dict):
        raise ValidationError({"body": _("The policy needs a 'weights' object.")})
    for name in body["weights"]:
        if name not in Characteristic.values:
            raise ValidationError({"body": _("Unknown characteristic: %(name)s") % {"name": name}})
    latest = TierPolicy.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    policy = TierPolicy(version=latest + 1, body=dict(body), note=note, created_by=actor)
    policy.full_clean()
    policy.save()
    return policy


def _facts(solution_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Inventory facts for the policy, read set-based for many solutions at once."""
    facts: dict[int, dict[str, Any]] = {}
    units: dict[int, set[int]] = {}
    rows = Solution.objects.filter(id__in=solution_ids).values_list(
        "id",
        "shared_users",
        "peak_daily_users_30d",
        "launches_30d",
        "alm_method",
        "environment__name",
        "environment__purpose",
        "environment__type",
        "business_unit_id",
        "maker__business_unit_id",
    )
    for sid, shared, peak, launches, alm, env, purpose, env_type, bu, maker_bu in rows:
        facts[sid] = {
            "shared_users": shared,
            "peak_daily_users": peak,
            "launches_30d": launches,
            "alm_method": alm,
            "environment": env,
            "environment_purpose": purpose,
            "environment_type": env_type,
            "premium_connectors": 0,
        }
        units[sid] = {u for u in (bu, maker_bu) if u}
    for sid, bu in SolutionOwner.objects.filter(
        solution_id__in=solution_ids, user__business_unit__isnull=False
    ).values_list("solution_id", "user__business_unit_id"):
        units[sid].add(bu)
    for (sid,) in SolutionConnector.objects.filter(
        solution_id__in=solution_ids,
        connector__tier__in=[ConnectorTier.PREMIUM, ConnectorTier.CUSTOM],
    ).values_list("solution_id"):
        facts[sid]["premium_connectors"] += 1
    for sid, found in units.items():
        facts[sid]["business_units"] = len(found)
    return facts


def _clean_answers(answers: Mapping[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in answers.items() if v}
    for name, value in clean.items():
        if name not in Characteristic.values or value not in LEVEL:
            raise ValidationError(
                {"answers": _("Unknown answer %(name)s=%(value)s") % {"name": name, "value": value}}
            )
    return clean


@transaction.atomic
def assessments_run(
    *,
    solution_ids: Iterable[int],
    actor: User | None,
    answers: Mapping[int, Mapping[str, str]] | None = None,
) -> list[TierAssessment]:
    """Assess many solutions with the current policy; each records its policy version."""
    policy = policy_current()
    ids = sorted(set(solution_ids))
    created: list[TierAssessment] = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        facts = _facts(chunk)
        rows = []
        for sid in chunk:
            given = _clean_answers((answers or {}).get(sid, {}))
            tier, reasons = evaluate(body=policy.body, answers=given, facts=facts[sid])
            rows.append(
                TierAssessment(
                    solution_id=sid,
                    policy=policy,
                    policy_version=policy.version,
                    answers=given,
                    facts=facts[sid],
                    recommended_tier=tier,
                    reasons=reasons,
                    created_by=actor,
                    created_at=clock.now(),
                )
            )
        created += TierAssessment.objects.bulk_create(rows, batch_size=1000)
    return created


def assessment_run(
    *, solution: Solution, actor: User | None, answers: Mapping[str, str]
) -> TierAssessment:
    """One solution's questionnaire answered (`selectors.can_govern`)."""
    if actor is not None:
        require(
            selectors.can_govern(actor, solution),
            _("Only the solution's makers and the platform team assess it."),
        )
    return assessments_run(solution_ids=[solution.pk], actor=actor, answers={solution.pk: answers})[
        0
    ]


@transaction.atomic
def tier_confirm(*, solution: Solution, actor: User, tier: str, expected_version: int) -> Solution:
    """The platform team confirms the tier (declared and recommended stay as they are)."""
    if actor is not None:
        require(selectors.can_confirm_tier(actor), _("The platform team confirms tiers."))
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier.")})
    solution = solution_update(
        solution=solution, actor=actor, expected_version=expected_version, changes={"tier": tier}
    )
    scan_apply(solution_ids=[solution.pk])
    return solution


# --- findings and signals ---------------------------------------------------------------


@transaction.atomic
def finding_waive(
    *, finding: Finding, actor: User, reason: str, expires: dt.date | None
) -> Finding:
    if actor is not None:
        require(selectors.can_waive_finding(actor), _("The platform team waives guardrails."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the guardrail is waived.")})
    if expires is not None and expires <= clock.today():
        raise ValidationError({"expires": _("The waiver must expire in the future.")})
    finding.status = FindingStatus.WAIVED
    finding.waiver_reason = reason.strip()
    finding.waiver_expires = expires
    finding.waived_by = actor
    finding.full_clean()
    finding.save(update_fields=["status", "waiver_reason", "waiver_expires", "waived_by"])
    timeline_record(
        solution=finding.solution,
        actor=actor,
        what=SolutionEventType.FINDING_WAIVED,
        parameters={"code": finding.code, "reason": finding.waiver_reason},
    )
    return finding


def _signal_active(signal: Signal) -> None:
    if signal.status == SignalStatus.RESOLVED:
        raise ValidationError(_("This signal is already resolved."))


@transaction.atomic
def signal_acknowledge(*, signal: Signal, actor: User) -> Signal:
    if actor is not None:
        require(selectors.can_govern(actor, signal.solution), _("This is not your solution."))
    _signal_active(signal)
    signal.status = SignalStatus.ACKNOWLEDGED
    signal.acknowledged_by = actor
    signal.snoozed_until = None
    signal.save(update_fields=["status", "acknowledged_by", "snoozed_until"])
    timeline_record(
        solution=signal.solution,
        actor=actor,
        what=SolutionEventType.SIGNAL_ACKNOWLEDGED,
        parameters={"code": signal.code},
    )
    return signal


@transaction.atomic
def signal_snooze(*, signal: Signal, actor: User, until: dt.date) -> Signal:
    if actor is not None:
        require(selectors.can_govern(actor, signal.solution), _("This is not your solution."))
    _signal_active(signal)
    if until <= clock.today():
        raise ValidationError({"until": _("Snooze until a day in the future.")})
    signal.status = SignalStatus.SNOOZED
    signal.snoozed_until = until
    signal.acknowledged_by = actor
    signal.save(update_fields=["status", "snoozed_until", "acknowledged_by"])
    timeline_record(
        solution=signal.solution,
        actor=actor,
        what=SolutionEventType.SIGNAL_SNOOZED,
        parameters={"code": signal.code, "until": until.isoformat()},
    )
    return signal


# --- graduation -------------------------------------------------------------------------

CHECKLIST: dict[str, list[tuple[str, dict[str, str]]]] = {
    Tier.IMPORTANT.value: [
        (ChecklistCode.ALM, {"alm": "manual"}),
        (ChecklistCode.TARGET_ENVIRONMENT, {"environment": "dedicated_dev_shared_test_prod"}),
        (ChecklistCode.OWNERSHIP_TRANSFER, {"account": "service_account"}),
        (ChecklistCode.SUPPORTING_TEAM, {"support_model": "team"}),
        (ChecklistCode.SUPPORT_HOURS, {"hours": "business"}),
        (ChecklistCode.RUNBOOK, {}),
        (ChecklistCode.KNOWLEDGE_TRANSFER, {}),
        (ChecklistCode.DATA_CLASSIFICATION, {}),
    ],
    Tier.CRITICAL.value: [
        (ChecklistCode.ALM, {"alm": "pipelines"}),
        (ChecklistCode.TARGET_ENVIRONMENT, {"environment": "dedicated_dev_test_prod_it"}),
        (ChecklistCode.OWNERSHIP_TRANSFER, {"account": "service_principal"}),
        (ChecklistCode.SUPPORTING_TEAM, {"support_model": "formal"}),
        (ChecklistCode.SUPPORT_HOURS, {"hours": "24x7"}),
        (ChecklistCode.RUNBOOK, {}),
        (ChecklistCode.KNOWLEDGE_TRANSFER, {}),
        (ChecklistCode.DATA_CLASSIFICATION, {}),
    ],
}


def default_receiving_team(solution: Solution, target_tier: str) -> SupportTeam | None:
    platform = SupportTeam.objects.filter(kind=TeamKind.PLATFORM).order_by("id").first()
    if target_tier == Tier.CRITICAL:
        return platform
    unit_team = (
        SupportTeam.objects.filter(kind=TeamKind.TEAM, business_unit_id=solution.business_unit_id)
        .order_by("id")
        .first()
        if solution.business_unit_id
        else None
    )
    return unit_team or platform


@transaction.atomic
def graduation_request_create(
    *,
    solution: Solution,
    actor: User,
    target_tier: str,
    justification: str,
    target_team: SupportTeam | None = None,
    signal: Signal | None = None,
) -> GraduationRequest:
    """A maker (or the platform team, from a signal) asks to move a solution up; the
    checklist comes from the target tier's guardrails."""
    if actor is not None:
        require(selectors.can_govern(actor, solution), _("This is not your solution."))
    if signal is not None and signal.solution_id != solution.pk:
        raise ValidationError({"signal": _("The signal is about another solution.")})
    current = LEVEL.get(solution.tier or Tier.PRODUCTIVITY.value, 0)
    if target_tier not in CHECKLIST or LEVEL[target_tier] <= current:
        raise ValidationError({"target_tier": _("Choose a tier above the current one.")})
    if not justification.strip():
        raise ValidationError({"justification": _("Say why the solution needs more support.")})
    if GraduationRequest.objects.filter(
        solution=solution,
        status__in=[
            GraduationStatus.IN_PROGRESS,
            GraduationStatus.SUBMITTED,
            GraduationStatus.APPROVED,
        ],
    ).exists():
        raise ValidationError(_("A graduation of this solution is already in progress."))
    request = GraduationRequest(
        solution=solution,
        requested_by=actor,
        from_tier=solution.tier,
        target_tier=target_tier,
        target_team=target_team or default_receiving_team(solution, target_tier),
        justification=justification.strip(),
        signal=signal,
    )
    request.full_clean()
    request.save()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(request=request, code=code, position=index, requirement=requirement)
        for index, (code, requirement) in enumerate(CHECKLIST[target_tier])
    )
    if signal is not None and signal.status != SignalStatus.RESOLVED:
        signal.status = SignalStatus.GRADUATING
        signal.save(update_fields=["status"])
    timeline_record(
        solution=solution,
        actor=actor,
        what=SolutionEventType.GRADUATION_REQUESTED,
        parameters={"request": request.pk, "target_tier": target_tier},
    )
    return request


def _request_state(request: GraduationRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise ValidationError(
            _("Not possible while the request is “%(status)s”.")
            % {"status": request.get_status_display()}
        )


def _bump(request: GraduationRequest, *fields: str) -> None:
    request.updated_at = clock.now()
    request.version += 1
    request.save(update_fields=[*fields, "updated_at", "version"])


@transaction.atomic
def checklist_item_tick(
    *, item: ChecklistItem, actor: User, evidence: str, done: bool = True
) -> ChecklistItem:
    request = GraduationRequest.objects.select_for_update().get(pk=item.request_id)
    if actor is not None:
        require(selectors.can_govern(actor, request.solution), _("This is not your solution."))
    _request_state(request, GraduationStatus.IN_PROGRESS)
    if done and not evidence.strip():
        raise ValidationError({"evidence": _("Give the evidence (a link or a sentence).")})
    item.evidence = evidence.strip()
    item.done_at = clock.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["evidence", "done_at", "done_by"])
    _bump(request)
    return item


@transaction.atomic
def graduation_submit(*, request: GraduationRequest, actor: User) -> GraduationRequest:
    request = GraduationRequest.objects.select_for_update().get(pk=request.pk)
    if actor is not None:
        require(selectors.can_govern(actor, request.solution), _("This is not your solution."))
    _request_state(request, GraduationStatus.IN_PROGRESS)
    missing = request.checklist.filter(done_at__isnull=True).count()
    if missing:
        raise ValidationError(
            _("%(count)s checklist items still need evidence.") % {"count": missing}
        )
    request.status = GraduationStatus.SUBMITTED
    _bump(request, "status")
    timeline_record(
        solution=request.solution,
        actor=actor,
        what=SolutionEventType.GRADUATION_SUBMITTED,
        parameters={"request": request.pk},
    )
    return request


@transaction.atomic
def graduation_send_back(
    *, request: GraduationRequest, actor: User, comment: str
) -> GraduationRequest:
    if actor is not None:
        require(selectors.can_review_graduation(actor), _("The platform team reviews graduations."))
    request = GraduationRequest.objects.select_for_update().get(pk=request.pk)
    _request_state(request, GraduationStatus.SUBMITTED)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change.")})
    request.status = GraduationStatus.IN_PROGRESS
    request.review_comment = comment.strip()
    request.reviewed_by = actor
    _bump(request, "status", "review_comment", "reviewed_by")
    timeline_record(
        solution=request.solution,
        actor=actor,
        what=SolutionEventType.GRADUATION_SENT_BACK,
        parameters={"request": request.pk},
    )
    return request


@transaction.atomic
def graduation_approve(
    *,
    request: GraduationRequest,
    actor: User,
    comment: str = "",
    target_team: SupportTeam | None = None,
) -> GraduationRequest:
    """Approval changes tier, support model and supporting team (through the inventory's
    solution_update, which guards concurrent edits and writes the tier_changed event)."""
    if actor is not None:
        require(selectors.can_review_graduation(actor), _("The platform team reviews graduations."))
    request = GraduationRequest.objects.select_for_update().get(pk=request.pk)
    _request_state(request, GraduationStatus.SUBMITTED)
    team = target_team or request.target_team
    if team is None:
        raise ValidationError({"target_team": _("Choose the team that will support it.")})
    solution = Solution.objects.get(pk=request.solution_id)
    solution_update(
        solution=solution,
        actor=actor,
        expected_version=solution.version,
        changes={
            "tier": request.target_tier,
            "support_model": SUPPORT_MODEL_FOR_TIER[request.target_tier],
            "supporting_team": team,
        },
    )
    evidence = dict(request.checklist.values_list("code", "evidence"))
    profile, _created = SolutionProfile.objects.get_or_create(solution=solution)
    profile.runbook_url = evidence.get(ChecklistCode.RUNBOOK, "")[:500]
    profile.support_hours = evidence.get(ChecklistCode.SUPPORT_HOURS, "")[:200]
    profile.save(update_fields=["runbook_url", "support_hours"])
    request.status = GraduationStatus.APPROVED
    request.review_comment = comment.strip()
    request.reviewed_by = actor
    request.target_team = team
    _bump(request, "status", "review_comment", "reviewed_by", "target_team")
    timeline_record(
        solution=solution,
        actor=actor,
        what=SolutionEventType.GRADUATION_APPROVED,
        parameters={"request": request.pk, "tier": request.target_tier, "team": team.pk},
    )
    scan_apply(solution_ids=[solution.pk])
    return request


@transaction.atomic
def handover_acknowledge(*, request: GraduationRequest, actor: User) -> GraduationRequest:
    """The receiving team takes the solution over; the maker is released from first-line
    support."""
    if actor is not None:
        require(
            selectors.can_acknowledge_handover(actor, request),
            _("Only the receiving team acknowledges the handover."),
        )
    request = GraduationRequest.objects.select_for_update().get(pk=request.pk)
    _request_state(request, GraduationStatus.APPROVED)
    now = clock.now()
    request.status = GraduationStatus.COMPLETED
    request.handover_by = actor
    request.handover_at = now
    _bump(request, "status", "handover_by", "handover_at")
    profile, _created = SolutionProfile.objects.get_or_create(solution_id=request.solution_id)
    profile.maker_released_at = now
    profile.save(update_fields=["maker_released_at"])
    timeline_record(
        solution=request.solution,
        actor=actor,
        what=SolutionEventType.HANDOVER_ACKNOWLEDGED,
        parameters={
            "request": request.pk,
            "team": request.target_team_id,
            "maker_released": True,
        },
    )
    return request


# --- onboarding -------------------------------------------------------------------------


@transaction.atomic
def onboarding_content_save(*, language: str, body: str, actor: User) -> OnboardingContent:
    if actor is not None:
        require(selectors.can_edit_onboarding(actor), _("The platform team edits the maker guide."))
    content, created = OnboardingContent.objects.get_or_create(
        language=language, defaults={"body": body, "updated_by": actor}
    )
    if not created:
        content.body = body
        content.version += 1
        content.updated_by = actor
        content.updated_at = clock.now()
        content.full_clean()
        content.save(update_fields=["body", "version", "updated_by", "updated_at"])
    return content


@transaction.atomic
def onboarding_acknowledge(*, user: User, content: OnboardingContent) -> OnboardingAcknowledgement:
    if user is not None:
        require(selectors.can_acknowledge_onboarding(user))
    ack, _created = OnboardingAcknowledgement.objects.update_or_create(
        user=user,
        defaults={"content_version": content.version, "acknowledged_at": clock.now()},
    )
    return ack


# --- the scan ---------------------------------------------------------------------------


def scan_run(*, today: dt.date | None = None, notify: bool = True) -> ScanReport:
    """The reactive-governance scan: signals and findings up to date, then digests."""
    from tierdesk.governance.digest import digests_send

    with transaction.atomic():
        report = scan_apply(today=today)
        if notify:
            import time

            t0 = time.perf_counter()
            report.notifications = digests_send(today=today or clock.today())
            report.timings_ms["digests"] = round((time.perf_counter() - t0) * 1000, 1)
    return report
