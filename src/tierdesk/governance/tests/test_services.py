from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conftest import Org
from tierdesk.accounts.choices import AccountKind, Language, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.governance import services
from tierdesk.governance.choices import (
    FindingStatus,
    GraduationStatus,
    GuardrailCode,
    SignalCode,
    SignalStatus,
)
from tierdesk.governance.digest import (
    DigestItem,
    Outgoing,
    digest_render,
    notifications_enqueue_bulk,
)
from tierdesk.governance.models import (
    Exemption,
    Finding,
    ScanSettings,
    Signal,
    SolutionProfile,
    TierPolicy,
)
from tierdesk.governance.policy import reason_text
from tierdesk.inventory.choices import (
    EnvironmentPurpose,
    EnvironmentRoleName,
    EnvironmentType,
    SolutionKind,
    SupportModel,
    Tier,
)
from tierdesk.inventory.models import EnvironmentRole, Solution, SolutionEvent, SolutionOwner
from tierdesk.inventory.tests.factories import EnvironmentFactory, SolutionFactory
from tierdesk.notify.choices import DeliveryStatus
from tierdesk.notify.models import Notification, NotificationPreference

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _widely_shared(org: Org, users: int = 340) -> None:
    org.own.shared_users = users
    org.own.peak_daily_users_30d = 120
    org.own.launches_30d = 900
    org.own.last_used_at = NOW - dt.timedelta(days=1)
    org.own.platform_created_at = NOW - dt.timedelta(days=400)
    org.own.save()


def test_policy_recommends_critical_with_reasons_in_words_and_records_version(org: Org) -> None:
    _widely_shared(org)
    assessment = services.assessment_run(
        solution=org.own, actor=org.users["maker"], answers={"impact": "critical"}
    )
    assert assessment.recommended_tier == Tier.CRITICAL
    assert assessment.policy_version == 1
    with translation.override("en"):
        texts = [reason_text(r) for r in assessment.reasons]
    assert "shared with 340 users → Critical" in texts
    with translation.override("ko"):
        assert any("핵심" in reason_text(r) for r in assessment.reasons)
    # A new policy version: the old assessment keeps pointing at v1.
    body = dict(TierPolicy.objects.get(version=1).body, shared_users=[20, 1000])
    services.policy_publish(body=body, note="raise", actor=org.users["admin"])
    second = services.assessment_run(solution=org.own, actor=None, answers={})
    assert second.policy_version == 2
    assert {r["code"] for r in second.reasons if r["tier"] == Tier.CRITICAL} == {"peak_daily_users"}
    assert TierPolicy.objects.count() == 2


def test_policy_rejects_unknown_characteristics(org: Org) -> None:
    with pytest.raises(ValidationError):
        services.policy_publish(body={"weights": {"colour": 1}}, note="", actor=None)


def test_scan_raises_signals_once_and_resolves_them(org: Org) -> None:
    _widely_shared(org)
    with clock.frozen(NOW):
        first = services.scan_run()
        codes = set(Signal.objects.filter(solution=org.own).values_list("code", flat=True))
        assert {SignalCode.SHARED_USERS, SignalCode.CRITICAL_SELF_SUPPORTED} <= codes
        assert first.notifications >= 1
        again = services.scan_run()
    assert again.writes == 0 and again.notifications == 0
    assert Signal.objects.filter(solution=org.own).count() == len(codes)
    org.own.shared_users = 3
    org.own.peak_daily_users_30d = 2
    org.own.save()
    with clock.frozen(NOW + dt.timedelta(days=1)):
        services.scan_run()
    resolved = Signal.objects.get(solution=org.own, code=SignalCode.SHARED_USERS)
    assert resolved.status == SignalStatus.RESOLVED


def test_inactivity_is_judged_by_use_not_edits(org: Org) -> None:
    org.own.platform_created_at = NOW - dt.timedelta(days=900)
    org.own.platform_modified_at = NOW - dt.timedelta(days=2)  # edited recently…
    org.own.last_used_at = NOW - dt.timedelta(days=200)  # …but nobody uses it
    org.own.save()
    org.other.platform_created_at = NOW - dt.timedelta(days=900)
    org.other.platform_modified_at = NOW - dt.timedelta(days=800)
    org.other.last_used_at = NOW - dt.timedelta(days=3)
    org.other.save()
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert Signal.objects.filter(solution=org.own, code=SignalCode.INACTIVE).exists()
    assert not Signal.objects.filter(solution=org.other, code=SignalCode.INACTIVE).exists()


def test_exemptions_per_environment_and_solution(org: Org) -> None:
    _widely_shared(org)
    Exemption.objects.create(solution=org.own, codes=[SignalCode.SHARED_USERS], reason="pilot")
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    codes = set(Signal.objects.filter(solution=org.own).values_list("code", flat=True))
    assert SignalCode.SHARED_USERS not in codes and SignalCode.LAUNCHES in codes
    Exemption.objects.create(environment=org.env_sales, reason="lab")
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert not Signal.objects.filter(solution=org.own).exclude(status="resolved").exists()


def test_orphan_falls_to_co_owner_then_manager_then_platform(org: Org) -> None:
    maker = org.users["maker"]
    maker.is_active = False
    maker.save()
    with clock.frozen(NOW):
        services.scan_run()
    assert Signal.objects.filter(solution=org.own, code=SignalCode.ORPHANED).exists()
    to_co_owner = Notification.objects.filter(recipient=org.users["co_owner"])
    assert to_co_owner.count() == 1
    assert "영업 일지" in to_co_owner.get().body
    # Without a co-owner the maker's manager answers for it.
    org.own.owners.all().delete()
    maker.manager = org.users["manager"]
    maker.save()
    with clock.frozen(NOW + dt.timedelta(days=8)):
        services.scan_run()
    assert Notification.objects.filter(recipient=org.users["manager"]).exists()


def test_findings_for_the_confirmed_tier_idempotent_and_waivable(org: Org) -> None:
    services.tier_confirm(
        solution=org.own,
        actor=org.users["platform"],
        tier=Tier.CRITICAL,
        expected_version=org.own.version,
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
        services.scan_run(notify=False)
    codes = set(Finding.objects.filter(solution=org.own).values_list("code", flat=True))
    assert {
        GuardrailCode.ALM_REQUIRED,
        GuardrailCode.RUNBOOK,
        GuardrailCode.SUPPORT_ASSIGNED,
    } <= codes
    assert Finding.objects.filter(solution=org.own).count() == len(codes)
    finding = Finding.objects.get(solution=org.own, code=GuardrailCode.RUNBOOK)
    assert finding.severity == "high"
    with clock.frozen(NOW):
        services.finding_waive(
            finding=finding,
            actor=org.users["platform"],
            reason="being written",
            expires=NOW.date() + dt.timedelta(days=10),
        )
        services.scan_run(notify=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.WAIVED
    with clock.frozen(NOW + dt.timedelta(days=11)):
        services.scan_run(notify=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    with pytest.raises(PermissionDenied):
        services.tier_confirm(
            solution=org.own, actor=org.users["maker"], tier=Tier.IMPORTANT, expected_version=99
        )


def test_acknowledge_and_snooze(org: Org) -> None:
    _widely_shared(org)
    with clock.frozen(NOW):
        services.scan_run(notify=False)
        signal = Signal.objects.get(solution=org.own, code=SignalCode.SHARED_USERS)
        services.signal_snooze(
            signal=signal, actor=org.users["maker"], until=NOW.date() + dt.timedelta(days=3)
        )
        services.scan_run(notify=False)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.SNOOZED
    with clock.frozen(NOW + dt.timedelta(days=4)):
        services.scan_run(notify=False)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    services.signal_acknowledge(signal=signal, actor=org.users["maker"])
    assert signal.status == SignalStatus.ACKNOWLEDGED


def test_reminder_for_signals_still_open(org: Org) -> None:
    _widely_shared(org)
    with clock.frozen(NOW):
        services.scan_run()
    keys = set(
        Notification.objects.filter(recipient=org.users["maker"]).values_list("key", flat=True)
    )
    assert keys == {f"governance-digest:{org.users['maker'].pk}:2026-W10"}
    with clock.frozen(NOW + dt.timedelta(days=3)):
        assert services.scan_run().notifications == 0
    with clock.frozen(NOW + dt.timedelta(days=8)):
        assert services.scan_run().notifications == 1
    reminder = Notification.objects.filter(key__startswith="governance-reminder").get()
    assert reminder.subject.startswith("Reminder")
    assert reminder.cc == [org.users["co_owner"].email]


def test_digest_reads_well_in_korean_and_english(org: Org) -> None:
    _widely_shared(org)
    maker = org.users["maker"]
    maker.preferred_language = Language.KO
    maker.save()
    with clock.frozen(NOW):
        services.scan_run()
    korean = Notification.objects.get(recipient=maker)
    assert "솔루션" in korean.subject and "조치" in korean.subject
    assert "김" not in korean.subject
    assert "영업 일지" in korean.body
    assert "340명과 공유" in korean.body
    assert "요약" in korean.body  # one summary, never one mail per finding
    assert "Hello" not in korean.body
    assert korean.cc == [org.users["co_owner"].email]
    items = [DigestItem(solution_id=1, name="Site Inspection", signals=["shared with 340 people"])]
    subject, body = digest_render(language="en", name="Dana", items=items, total=1, reminder=False)
    assert subject == "1 of your solutions needs attention"
    assert "Hello Dana," in body and "Site Inspection" in body and "graduate" in body


def test_graduation_end_to_end_changes_tier_support_and_timeline(org: Org) -> None:
    platform_team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    request = services.graduation_request_create(
        solution=org.own,
        actor=org.users["maker"],
        target_tier=Tier.CRITICAL,
        justification="Everyone in sales uses it",
    )
    assert request.target_team == platform_team
    items = list(request.checklist.all())
    assert len(items) == 8
    with pytest.raises(ValidationError):
        services.graduation_submit(request=request, actor=org.users["maker"])
    for item in items:
        services.checklist_item_tick(
            item=item, actor=org.users["maker"], evidence="https://wiki/runbook"
        )
    services.graduation_submit(request=request, actor=org.users["maker"])
    with pytest.raises(PermissionDenied):
        services.graduation_approve(request=request, actor=org.users["maker"])
    services.graduation_send_back(request=request, actor=org.users["platform"], comment="hours?")
    request.refresh_from_db()
    assert request.status == GraduationStatus.IN_PROGRESS
    services.graduation_submit(request=request, actor=org.users["maker"])
    services.graduation_approve(request=request, actor=org.users["platform"])
    org.own.refresh_from_db()
    assert org.own.tier == Tier.CRITICAL
    assert org.own.support_model == SupportModel.FORMAL
    assert org.own.supporting_team == platform_team
    with pytest.raises(PermissionDenied):
        services.handover_acknowledge(request=request, actor=org.users["member"])
    services.handover_acknowledge(request=request, actor=org.users["platform"])
    request.refresh_from_db()
    assert request.status == GraduationStatus.COMPLETED
    assert SolutionProfile.objects.get(solution=org.own).maker_released_at is not None
    steps = list(
        SolutionEvent.objects.filter(solution=org.own)
        .order_by("created_at", "id")
        .values_list("type", flat=True)
    )
    assert steps == [
        "graduation_requested",
        "graduation_submitted",
        "graduation_sent_back",
        "graduation_submitted",
        "tier_changed",
        "graduation_approved",
        "handover_acknowledged",
    ]
    with pytest.raises(ValidationError):
        services.graduation_request_create(
            solution=org.own,
            actor=org.users["maker"],
            target_tier=Tier.IMPORTANT,
            justification="x",
        )


def test_default_environment_signal(org: Org) -> None:
    default_env = EnvironmentFactory.create(type=EnvironmentType.DEFAULT, purpose="")
    shared = SolutionFactory.create(environment=default_env, shared_users=45)
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert Signal.objects.filter(solution=shared, code=SignalCode.DEFAULT_ENVIRONMENT).exists()


def _codes(solution: Solution) -> set[str]:
    return set(
        Signal.objects.filter(solution=solution)
        .exclude(status=SignalStatus.RESOLVED)
        .values_list("code", flat=True)
    )


def test_only_apps_enter_the_compliance_audit_chatbots_by_launches(org: Org) -> None:
    """CoE §2.1: sharing and launch thresholds audit apps; chatbots only by launches;
    flows are not in the compliance audit."""
    wide = {"shared_users": 340, "shared_groups": 2, "launches_30d": 900}
    app = SolutionFactory.create(kind=SolutionKind.CANVAS_APP, **wide)
    flow = SolutionFactory.create(kind=SolutionKind.CLOUD_FLOW, **wide)
    bot = SolutionFactory.create(kind=SolutionKind.CHATBOT, **wide)
    quiet_bot = SolutionFactory.create(kind=SolutionKind.CHATBOT, launches_30d=49)
    default_env = EnvironmentFactory.create(type=EnvironmentType.DEFAULT, purpose="")
    default_flow = SolutionFactory.create(
        environment=default_env, kind=SolutionKind.CLOUD_FLOW, shared_users=45
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    audit = {
        SignalCode.SHARED_USERS,
        SignalCode.SHARED_GROUPS,
        SignalCode.LAUNCHES,
        SignalCode.CHATBOT_LAUNCHES,
    }
    assert _codes(app) & audit == {
        SignalCode.SHARED_USERS,
        SignalCode.SHARED_GROUPS,
        SignalCode.LAUNCHES,
    }
    assert _codes(flow) & audit == set()
    assert _codes(bot) & audit == {SignalCode.CHATBOT_LAUNCHES}
    assert _codes(quiet_bot) & audit == set()
    # Critical-looking use on a self-supported flow still counts; the default-environment
    # signal is about widely shared apps.
    assert SignalCode.CRITICAL_SELF_SUPPORTED in _codes(flow)
    assert SignalCode.DEFAULT_ENVIRONMENT not in _codes(default_flow)


def test_republish_is_checked_only_for_justified_apps_in_the_audit(org: Org) -> None:
    """CoE §2.1: an app in the audit without justification is asked for one (the
    threshold signals); with it (a confirmed Important/Critical tier) its last publish
    must be within `republish_days`."""
    old = NOW - dt.timedelta(days=90)
    recent = NOW - dt.timedelta(days=10)
    confirmed = {"tier": Tier.IMPORTANT, "support_model": SupportModel.TEAM}
    self_supported = SolutionFactory.create(launches_30d=400, last_published_at=old)
    stale = SolutionFactory.create(launches_30d=400, last_published_at=old, **confirmed)
    never = SolutionFactory.create(shared_groups=1, last_published_at=None, **confirmed)
    fresh = SolutionFactory.create(launches_30d=400, last_published_at=recent, **confirmed)
    not_audited = SolutionFactory.create(launches_30d=5, last_published_at=old, **confirmed)
    stale_flow = SolutionFactory.create(
        kind=SolutionKind.CLOUD_FLOW, launches_30d=400, last_published_at=old, **confirmed
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert _codes(self_supported) == {SignalCode.LAUNCHES}
    assert _codes(stale) == {SignalCode.NOT_REPUBLISHED}
    assert Signal.objects.get(solution=stale).detail == {"published": old.date().isoformat()}
    assert _codes(never) == {SignalCode.NOT_REPUBLISHED}
    assert _codes(fresh) == set()
    assert _codes(not_audited) == set()
    assert _codes(stale_flow) == set()
    ScanSettings.objects.update(republish_days=120)  # editable
    with clock.frozen(NOW + dt.timedelta(days=1)):
        services.scan_run(notify=False)
    assert _codes(stale) == set()


def test_inactivity_needs_measured_use_and_six_months(org: Org) -> None:
    """CoE §2.2 by use: last use older than six months, or no use at all since a creation
    more than six months ago — not when the usage source does not measure use."""
    long_ago = NOW - dt.timedelta(days=400)
    never_used = SolutionFactory.create(
        platform_created_at=long_ago, last_used_at=None, launches_30d=0, usage_as_of=NOW.date()
    )
    no_data_yet = SolutionFactory.create(platform_created_at=long_ago, last_used_at=None)
    young = SolutionFactory.create(
        platform_created_at=NOW - dt.timedelta(days=90), last_used_at=None, launches_30d=0
    )
    unmeasured = SolutionFactory.create(
        kind=SolutionKind.CLOUD_FLOW,
        platform_created_at=long_ago,
        last_used_at=None,
        launches_30d=None,
        usage_as_of=NOW.date(),
    )
    used_recently = SolutionFactory.create(
        platform_created_at=long_ago, last_used_at=NOW - dt.timedelta(days=100)
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    inactive = set(
        Signal.objects.filter(code=SignalCode.INACTIVE).values_list("solution_id", flat=True)
    )
    assert never_used.pk in inactive and no_data_yet.pk in inactive
    assert Signal.objects.get(solution=never_used, code=SignalCode.INACTIVE).detail == {
        "last_used": ""
    }
    assert young.pk not in inactive
    assert unmeasured.pk not in inactive
    assert used_recently.pk not in inactive
    ScanSettings.objects.update(inactive_days=90)  # editable
    with clock.frozen(NOW + dt.timedelta(days=1)):
        services.scan_run(notify=False)
    assert Signal.objects.filter(
        solution=used_recently, code=SignalCode.INACTIVE, status=SignalStatus.OPEN
    ).exists()


def test_digests_are_queued_in_bulk_with_notify_semantics(org: Org) -> None:
    """One row per owner, suppressed for a recipient who switched e-mail off (read from
    the preferences), the address never copied, keys already queued left alone."""
    _widely_shared(org)
    other = org.other
    other.shared_users = 80
    other.save()
    NotificationPreference.objects.create(user=org.users["other_maker"], email=False)
    co_owner = org.users["co_owner"]
    SolutionOwner.objects.create(solution=org.other, user=org.users["other_maker"])
    SolutionOwner.objects.create(solution=org.other, user=co_owner)
    maker_key = f"governance-digest:{org.users['maker'].pk}:2026-W10"
    Notification.objects.create(
        key=maker_key, channel="email", address="x@example.com", subject="s", body="b"
    )
    with clock.frozen(NOW):
        report = services.scan_run()
    assert report.notifications == 1
    muted = Notification.objects.get(recipient=org.users["other_maker"])
    assert muted.status == DeliveryStatus.SUPPRESSED
    assert muted.key == f"governance-digest:{org.users['other_maker'].pk}:2026-W10"
    assert muted.cc == [co_owner.email]
    assert "Line check" in muted.body
    untouched = Notification.objects.get(key=maker_key)
    assert untouched.address == "x@example.com"
    # The maker's signals were not told by this run (their key was taken already).
    assert not Signal.objects.filter(solution=org.own, notified_at__isnull=False).exists()
    assert Signal.objects.filter(solution=org.other, notified_at__isnull=False).exists()
    with clock.frozen(NOW):
        assert services.scan_run().notifications == 0


def test_bulk_enqueue_marks_only_muted_recipients_suppressed(org: Org) -> None:
    NotificationPreference.objects.create(user=org.users["member"], email=False)
    NotificationPreference.objects.create(user=org.users["partner"], email=True, teams=False)
    queued = notifications_enqueue_bulk(
        [
            Outgoing("k1", "a@x", "s" * 400, "b", org.users["member"].pk, ["a@x", "c@x"]),
            Outgoing("k2", "p@x", "s", "b", org.users["partner"].pk, []),
            Outgoing("k3", "team@x", "s", "b", None, []),
        ]
    )
    assert queued == {"k1", "k2", "k3"}
    rows = {n.key: n for n in Notification.objects.all()}
    assert rows["k1"].status == DeliveryStatus.SUPPRESSED
    assert rows["k1"].cc == ["c@x"] and len(rows["k1"].subject) == 300
    assert rows["k2"].status == DeliveryStatus.PENDING
    assert rows["k3"].status == DeliveryStatus.PENDING and rows["k3"].recipient_id is None
    assert notifications_enqueue_bulk([Outgoing("k1", "a@x", "s", "b", None, [])]) == set()


def _grant(org: Org, username: str, role: str) -> EnvironmentRole:
    return EnvironmentRole.objects.create(
        environment=org.env_sales,
        user=org.users[username],
        role=role,
        source="coe",
        first_seen=NOW.date(),
        last_seen=NOW.date(),
    )


def _maker_role_finding(org: Org) -> Finding | None:
    return Finding.objects.filter(solution=org.own, code=GuardrailCode.NO_MAKER_ROLES).first()


def test_maker_roles_in_test_and_production_are_a_finding_naming_the_people(org: Org) -> None:
    org.users["maker"].display_name = "김민준"
    org.users["maker"].save()
    _grant(org, "maker", EnvironmentRoleName.ENVIRONMENT_MAKER)
    _grant(org, "co_owner", EnvironmentRoleName.SYSTEM_CUSTOMIZER)
    _grant(org, "agent", EnvironmentRoleName.BASIC_USER)  # end users are fine
    _grant(org, "platform", EnvironmentRoleName.ENVIRONMENT_ADMIN)
    service = org.users["member"]
    service.kind = AccountKind.SERVICE_PRINCIPAL
    service.save()
    _grant(org, "member", EnvironmentRoleName.ENVIRONMENT_MAKER)  # not a person
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    # no confirmed tier yet: no guardrail finding
    assert _maker_role_finding(org) is None
    services.tier_confirm(
        solution=org.own,
        actor=org.users["platform"],
        tier=Tier.IMPORTANT,
        expected_version=org.own.version,
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    finding = _maker_role_finding(org)
    assert finding is not None and finding.severity == "medium" and finding.status == "open"
    co_owner = org.users["co_owner"]
    assert finding.detail == {
        "purpose": EnvironmentPurpose.PRODUCTION,
        "people": sorted(["김민준", co_owner.display_name or co_owner.username]),
    }
    # idempotent: a second scan changes nothing
    with clock.frozen(NOW):
        report = services.scan_run(notify=False)
    assert report.writes == 0
    # the grants go: the finding resolves
    EnvironmentRole.objects.filter(
        role__in=[EnvironmentRoleName.ENVIRONMENT_MAKER, EnvironmentRoleName.SYSTEM_CUSTOMIZER],
        user__kind=AccountKind.PERSON,
    ).delete()
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED


@pytest.mark.parametrize(
    ("purpose", "tier", "expected"),
    [
        (EnvironmentPurpose.TEST, Tier.IMPORTANT, True),
        (EnvironmentPurpose.PRODUCTION, Tier.CRITICAL, True),
        (EnvironmentPurpose.DEVELOPMENT, Tier.IMPORTANT, False),
        (EnvironmentPurpose.PRODUCTION, Tier.PRODUCTIVITY, False),
    ],
)
def test_maker_roles_matter_only_in_test_and_production_above_productivity(
    org: Org, purpose: str, tier: str, expected: bool
) -> None:
    org.env_sales.purpose = purpose
    org.env_sales.save()
    _grant(org, "maker", EnvironmentRoleName.ENVIRONMENT_MAKER)
    services.tier_confirm(
        solution=org.own, actor=org.users["platform"], tier=tier, expected_version=org.own.version
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert (_maker_role_finding(org) is not None) is expected


def test_maker_role_finding_honours_exemptions(org: Org) -> None:
    _grant(org, "maker", EnvironmentRoleName.ENVIRONMENT_MAKER)
    Exemption.objects.create(
        environment=org.env_sales, codes=[GuardrailCode.NO_MAKER_ROLES], reason="hotfix week"
    )
    services.tier_confirm(
        solution=org.own,
        actor=org.users["platform"],
        tier=Tier.IMPORTANT,
        expected_version=org.own.version,
    )
    with clock.frozen(NOW):
        services.scan_run(notify=False)
    assert _maker_role_finding(org) is None
    assert Finding.objects.filter(solution=org.own).exists()  # other guardrails still checked
