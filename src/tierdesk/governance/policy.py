"""How a tier policy turns questionnaire answers and inventory facts into a recommended
tier with reasons. Pure functions: no database, so the rules are easy to test and to
explain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.governance.choices import Characteristic
from tierdesk.inventory.choices import Tier

LEVEL = {Tier.PRODUCTIVITY.value: 0, Tier.IMPORTANT.value: 1, Tier.CRITICAL.value: 2}
TIERS = [Tier.PRODUCTIVITY.value, Tier.IMPORTANT.value, Tier.CRITICAL.value]

DEFAULT_POLICY: dict[str, Any] = {
    # Weight of each questionnaire answer in the weighted average of levels (0, 1, 2).
    "weights": {
        Characteristic.USE_CASE.value: 2,
        Characteristic.COMPLEXITY.value: 1,
        Characteristic.USER_BASE.value: 2,
        Characteristic.LIFECYCLE.value: 1,
        Characteristic.IMPACT.value: 3,
        Characteristic.ALM.value: 1,
        Characteristic.ENVIRONMENT_STRATEGY.value: 1,
        Characteristic.MAKER_PERMISSIONS.value: 1,
        Characteristic.IT_INVOLVEMENT.value: 1,
        Characteristic.SUPPORT_MODEL.value: 1,
    },
    # A weighted average at or above these levels recommends the tier.
    "answer_cut": {"important": 0.75, "critical": 1.5},
    # Inventory facts: at or above the first number → important, the second → critical.
    "shared_users": [20, 300],
    "peak_daily_users": [10, 100],
    "launches_30d": [30, 1000],
    "business_units": [2, 3],
    "premium_connectors_important": True,
    "production_environment_important": True,
}


def evaluate(
    *, body: Mapping[str, Any], answers: Mapping[str, str], facts: Mapping[str, Any]
) -> tuple[str, list[dict[str, Any]]]:
    """The recommended tier and the reasons that lifted it, strongest first.

    Each reason is {"code", "tier", "params"}; `reason_text` puts it in words in the
    reader's language, so a stored assessment reads well in Korean and English."""
    reasons: list[dict[str, Any]] = []
    weights: Mapping[str, float] = body.get("weights", {})
    total = weight_sum = 0.0
    for name, value in answers.items():
        if value in LEVEL and name in weights:
            total += LEVEL[value] * float(weights[name])
            weight_sum += float(weights[name])
    if weight_sum:
        average = total / weight_sum
        cut = body.get("answer_cut", {})
        level = (
            2
            if average >= float(cut.get("critical", 1.5))
            else 1
            if average >= float(cut.get("important", 0.75))
            else 0
        )
        reasons.append(
            {"code": "answers", "tier": TIERS[level], "params": {"average": round(average, 2)}}
        )

    def by_threshold(code: str, value: Any, params: dict[str, Any]) -> None:
        limits = body.get(code)
        if value is None or not limits:
            return
        low, high = limits
        if value >= high:
            reasons.append({"code": code, "tier": Tier.CRITICAL.value, "params": params})
        elif value >= low:
            reasons.append({"code": code, "tier": Tier.IMPORTANT.value, "params": params})

    units = facts.get("business_units") or 0
    by_threshold(
        "shared_users",
        facts.get("shared_users"),
        {"users": facts.get("shared_users"), "units": units},
    )
    by_threshold(
        "peak_daily_users", facts.get("peak_daily_users"), {"users": facts.get("peak_daily_users")}
    )
    by_threshold("launches_30d", facts.get("launches_30d"), {"launches": facts.get("launches_30d")})
    by_threshold("business_units", units, {"units": units})
    if body.get("premium_connectors_important") and facts.get("premium_connectors"):
        reasons.append(
            {
                "code": "premium_connectors",
                "tier": Tier.IMPORTANT.value,
                "params": {"count": facts["premium_connectors"]},
            }
        )
    if body.get("production_environment_important") and facts.get("environment_purpose") in {
        "production"
    }:
        reasons.append(
            {
                "code": "production_environment",
                "tier": Tier.IMPORTANT.value,
                "params": {"environment": facts.get("environment", "")},
            }
        )
    if facts.get("alm_method") == "pipelines":
        reasons.append({"code": "alm_pipelines", "tier": Tier.IMPORTANT.value, "params": {}})
    if not reasons:
        reasons.append({"code": "nothing", "tier": Tier.PRODUCTIVITY.value, "params": {}})
    reasons.sort(key=lambda r: -LEVEL[r["tier"]])
    return reasons[0]["tier"], reasons


def reason_text(reason: Mapping[str, Any]) -> str:
    """One reason in words, e.g. "shared with 340 users in 3 business units → Critical"."""
    code, params = reason.get("code"), dict(reason.get("params", {}))
    tier = str(Tier(reason["tier"]).label) if reason.get("tier") in LEVEL else ""
    if code == "answers":
        text = _("the questionnaire answers average %(average)s on a 0–2 scale") % params
    elif code == "shared_users":
        if params.get("units", 0) > 1:
            text = _("shared with %(users)s users in %(units)s business units") % params
        else:
            text = (
                ngettext(
                    "shared with %(users)s user",
                    "shared with %(users)s users",
                    params["users"] or 0,
                )
                % params
            )
    elif code == "peak_daily_users":
        text = _("up to %(users)s people use it in a day") % params
    elif code == "launches_30d":
        text = _("%(launches)s sessions or runs in the last 30 days") % params
    elif code == "business_units":
        text = _("owners and users span %(units)s business units") % params
    elif code == "premium_connectors":
        text = (
            ngettext(
                "uses %(count)s premium or custom connector",
                "uses %(count)s premium or custom connectors",
                params.get("count", 0),
            )
            % params
        )
    elif code == "production_environment":
        text = _("lives in the production environment %(environment)s") % params
    elif code == "alm_pipelines":
        text = _("is deployed through automated pipelines")
    else:
        text = _("nothing suggests more than personal or small-team use")
    return f"{text} → {tier}"
