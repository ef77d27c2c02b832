"""Durations in words for templates (tierdesk.common.durations)."""

from __future__ import annotations

import datetime as dt

from django import template

from tierdesk.common import durations

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """{{ span|duration }} → 13일 5시간"""
    return durations.duration_words(value)


@register.filter
def time_left(value: dt.timedelta | None) -> str:
    """{{ remaining|time_left }} → 2시간 10분 남음, 13일 5시간 지남"""
    return durations.time_left(value)


@register.filter
def minutes(value: int | None) -> str:
    """{{ target.minutes|minutes }} → 90시간"""
    return durations.minutes_words(value)
