from __future__ import annotations

import pytest

from tierdesk.demo.builder import build
from tierdesk.governance.choices import GraduationStatus, GuardrailCode, SignalCode
from tierdesk.governance.demo import demo_build
from tierdesk.governance.models import Finding, GraduationRequest, Signal, TierAssessment
from tierdesk.inventory.models import EnvironmentRole, Solution
from tierdesk.notify.models import Notification


@pytest.mark.django_db
def test_demo_raises_believable_signals_and_is_idempotent() -> None:
    build(size="small")
    counts = demo_build()
    assert counts["assessments"] == Solution.objects.filter(is_deleted=False).count()
    by_code = {code: Signal.objects.filter(code=code).count() for code in SignalCode.values}
    assert 1 <= by_code[SignalCode.CRITICAL_SELF_SUPPORTED] <= 30
    assert by_code[SignalCode.ORPHANED] >= 5
    assert by_code[SignalCode.INACTIVE] >= 5
    assert Signal.objects.filter(solution__maker__username="maker").count() >= 3
    request = GraduationRequest.objects.get(solution__maker__username="maker")
    assert request.status == GraduationStatus.IN_PROGRESS
    assert request.checklist.filter(done_at__isnull=False).count() == 2
    # some makers kept maker roles in production: the guardrail names them
    assert counts["environment_roles"] >= 3
    grants = EnvironmentRole.objects.count()
    findings = Finding.objects.filter(code=GuardrailCode.NO_MAKER_ROLES)
    assert findings.exists()
    assert all(f.detail["people"] for f in findings)
    notifications = Notification.objects.count()
    again = demo_build()
    assert again == {
        "assessments": 0,
        "signals": 0,
        "graduations": 0,
        "onboarding_pages": 0,
        "environment_roles": 0,
    }
    assert Notification.objects.count() == notifications
    assert TierAssessment.objects.count() == counts["assessments"]
    assert EnvironmentRole.objects.count() == grants
