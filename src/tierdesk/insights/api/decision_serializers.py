"""The decisions' API shapes (read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.insights import decisions


def _bounds(name: str) -> dict[str, Any]:
    """A query field's bounds and label, from `decisions.PARAMETERS` (the one place)."""
    p = next(p for p in decisions.PARAMETERS if p.name == name)
    cast = int if p.integer else float
    return {
        "required": False,
        "min_value": cast(p.low),
        "max_value": cast(p.high),
        "help_text": p.label,
    }


class DecisionQuerySerializer(serializers.Serializer[Any]):
    """The thresholds and assumptions (defaults: `insights.decisions.Assumptions`)."""

    days = serializers.IntegerField(**_bounds("days"))
    minutes_per_touch = serializers.IntegerField(**_bounds("minutes_per_touch"))
    solutions_now = serializers.IntegerField(**_bounds("solutions_now"))
    tickets_now = serializers.IntegerField(**_bounds("tickets_now"))
    solutions_watch = serializers.IntegerField(**_bounds("solutions_watch"))
    tickets_watch = serializers.IntegerField(**_bounds("tickets_watch"))
    maker_hours_week = serializers.FloatField(**_bounds("maker_hours_week"))
    hours_per_fte = serializers.IntegerField(**_bounds("hours_per_fte"))
    effort_percent = serializers.IntegerField(**_bounds("effort_percent"))
    growth = serializers.FloatField(**_bounds("growth"))
    what_if_count = serializers.IntegerField(**_bounds("what_if_count"))
    business_unit = serializers.IntegerField(required=False, min_value=1)
    graduate = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=decisions.MAX_PICKED,
        help_text="What-if: ids of solutions that graduate to critical",
    )


class UnitDecisionSerializer(serializers.Serializer[Any]):
    business_unit = serializers.IntegerField(source="business_unit_id")
    business_unit_name = serializers.CharField(source="business_unit")
    verdict = serializers.ChoiceField(choices=list(decisions.VERDICTS))
    verdict_label = serializers.CharField()
    solutions = serializers.IntegerField()
    critical = serializers.IntegerField()
    tickets = serializers.IntegerField()
    tickets_30d = serializers.FloatField()
    touches = serializers.IntegerField()
    maker_hours_week = serializers.FloatField()
    overloaded_makers = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class SolutionLoadSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    support_model = serializers.CharField()
    opened = serializers.IntegerField()
    touches = serializers.IntegerField()
    hours = serializers.FloatField()
    graduation = serializers.CharField()
    suggestion = serializers.ChoiceField(choices=list(decisions.SUGGESTIONS))
    suggestion_text = serializers.CharField()


class MakerBurdenSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    username = serializers.CharField()
    hours_week = serializers.FloatField()
    touches = serializers.IntegerField()
    opened = serializers.IntegerField()
    flagged = serializers.BooleanField()
    solutions = SolutionLoadSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())


class TrendPointSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    quarter = serializers.CharField(source="label")
    critical = serializers.IntegerField()


class QuarterSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    quarter = serializers.CharField(source="label")
    critical = serializers.FloatField()
    tickets = serializers.FloatField()
    hours = serializers.FloatField()
    fte = serializers.FloatField()
    fte_without_what_if = serializers.FloatField()


class PickedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    tickets_quarter = serializers.FloatField()


class CandidateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    in_flight = serializers.BooleanField()
    picked = serializers.BooleanField()


class StaffingSerializer(serializers.Serializer[Any]):
    critical_now = serializers.IntegerField()
    trend = TrendPointSerializer(many=True)
    trend_growth = serializers.FloatField()
    growth = serializers.FloatField()
    tickets = serializers.IntegerField()
    tickets_per_solution_quarter = serializers.FloatField()
    platform_minutes = serializers.IntegerField()
    platform_minutes_per_ticket = serializers.FloatField()
    other_platform_minutes = serializers.IntegerField()
    hours_per_fte_quarter = serializers.FloatField()
    picked = PickedSerializer(many=True)
    candidates = CandidateSerializer(many=True)
    quarters = QuarterSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField())
