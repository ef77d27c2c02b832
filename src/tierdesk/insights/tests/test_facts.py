"""Daily facts: counts on a constructed history, the kept facts equal a recount after
random ticket histories (a property test), the catch-up is idempotent, the selectors
are scoped by role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from tierdesk.accounts.choices import SupportType
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import OPEN_STATUSES
from tierdesk.desk.models import Ticket
from tierdesk.insights import facts
from tierdesk.insights.models import (
    DailyFact,
    DailyMonthlyFact,
    FactClassification,
    FactCursor,
    FactDeferred,
    FactTicket,
    PersonDailyFact,
    SlaDailyFact,
    SlaMonthlyFact,
    SolutionDailyFact,
    SolutionMonthlyFact,
)
from tierdesk.sla.choices import ClockEventType
from tierdesk.sla.models import SlaClock, SlaEvent

START = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)  # Monday 10:00 in Seoul


def _catch_up() -> facts.CatchUp:
    return facts.facts_catch_up(lag=0)


def _snapshot() -> dict[str, Any]:
    """Every fact row without ids, for comparing kept facts with a recount."""

    def rows(model: Any, skip: tuple[str, ...] = ("id",)) -> list[tuple[Any, ...]]:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        return sorted((tuple(r) for r in model.objects.values_list(*names)), key=repr)

    return {
        "daily": rows(DailyFact),
        "solution": rows(SolutionDailyFact),
        "sla": rows(SlaDailyFact),
        "person": rows(PersonDailyFact),
        "month": rows(SolutionMonthlyFact),
        "daily_month": rows(DailyMonthlyFact),
        "sla_month": rows(SlaMonthlyFact),
    }


def test_a_constructed_history_is_counted(org: Org) -> None:
    requester, agent, platform = org.users["requester"], org.users["agent"], org.users["platform"]
    with clock.frozen(START):
        t = services.ticket_create(
            requester=requester, subject="보고서가 안 열려요", solution=org.own, topic="platform"
        )
    with clock.frozen(START + dt.timedelta(minutes=30)):
        services.ticket_reply(ticket=t, author=agent, body="확인하고 있습니다.")
        services.ticket_note(ticket=t, author=agent, body="플랫폼 문제 같음")
    with clock.frozen(START + dt.timedelta(hours=2)):
        t = ladder.ticket_escalate(ticket=t, actor=agent, reason="platform defect?")
    with clock.frozen(START + dt.timedelta(days=1)):
        t = services.ticket_resolve(ticket=t, actor=platform, reason="fixed")
    with clock.frozen(START + dt.timedelta(days=1, hours=1)):
        t = services.ticket_reopen(ticket=t, actor=requester, reason="again")
        services.ticket_reply(ticket=t, author=requester, body="또 안 돼요")
    with clock.frozen(START + dt.timedelta(days=1, hours=3)):
        services.ticket_close(ticket=t, actor=platform, reason="done")
        report = _catch_up()
    assert report.events > 0
    day1, day2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
    sales = org.own.business_unit_id
    by_day = {r["day"]: r for r in facts.totals(org.users["admin"], day1, day2, group_by=["day"])}
    assert by_day[day1]["opened"] == 1
    assert by_day[day1]["escalations"] == 1
    assert by_day[day1]["agent_touches"] == 2  # the reply and the note, not the requester
    assert by_day[day1]["first_response_met"] == 1
    assert by_day[day1]["level_minutes"] == 120  # two hours at the help desk
    assert by_day[day2]["resolved"] == 1 and by_day[day2]["reopened"] == 1
    assert by_day[day2]["closed"] == 1
    assert by_day[day2]["agent_touches"] == 0
    # 22 h at the platform team until resolved, 2 h more after the reopen
    assert by_day[day2]["level_minutes"] == 22 * 60 + 120
    levels = {
        (r["level"], r["business_unit"]): r
        for r in facts.totals(org.users["admin"], day1, day2, group_by=["level", "business_unit"])
    }
    assert levels[(SupportType.HELP_DESK, sales)]["escalations"] == 1
    assert levels[(SupportType.PLATFORM, sales)]["resolved"] == 1
    solution = facts.top_solutions(org.users["admin"], day1, day2)
    assert solution[0]["solution_id"] == org.own.pk
    assert solution[0]["opened"] == 1 and solution[0]["handling_minutes"] == 120 + 22 * 60 + 120
    sla = facts.sla_attainment(org.users["admin"], day1, day2, group_by=["metric"])
    assert {r["metric"] for r in sla} >= {"first_response", "resolution"}
    volume = facts.volume_by_day(org.users["admin"], day1, dt.date(2025, 3, 5))
    assert [v["opened"] for v in volume] == [1, 0, 0]


def test_the_catch_up_is_idempotent_and_a_rebuild_agrees(org: Org) -> None:
    with clock.frozen(START):
        for n in range(3):
            services.ticket_create(requester=org.users["requester"], subject=f"질문 {n}")
        _catch_up()
    first = _snapshot()
    cursor = FactCursor.objects.get()
    again = _catch_up()
    assert again.events == 0 and _snapshot() == first
    assert FactCursor.objects.get().ticket_event_id == cursor.ticket_event_id
    facts.facts_rebuild()
    assert _snapshot() == first


def test_a_row_that_comes_back_to_zero_across_catch_ups_is_dropped(org: Org) -> None:
    """A ticket triaged into a topic and out of it again in later catch-ups leaves that
    topic's row at zero: dropped, as a recount never writes it."""
    with clock.frozen(START):
        ticket = services.ticket_create(requester=org.users["requester"], subject="분류")
        _catch_up()
    for n, topic in enumerate(("data", "access", "other")):
        with clock.frozen(START + dt.timedelta(minutes=10 * (n + 1))):
            ladder.ticket_triage(ticket=ticket, actor=org.users["admin"], topic=topic)
            _catch_up()
    kept = _snapshot()
    assert all(any(getattr(r, c) for c in facts.DAILY_COUNTERS) for r in DailyFact.objects.all())
    facts.facts_rebuild()
    assert _snapshot() == kept


def test_the_keepers_plain_rows_name_every_column_of_their_tables() -> None:
    assert tuple(f.attname for f in FactTicket._meta.concrete_fields) == facts.STATE_COLUMNS
    assert (
        tuple(f.attname for f in FactClassification._meta.concrete_fields)
        == facts.CLASSIFICATION_COLUMNS
    )


def test_a_clock_that_stops_meets_the_ticket_as_it_stood_when_sla_events_pile_up(
    org: Org,
) -> None:
    """A batch reads at most four SLA events per ticket event. When more lie before its
    last ticket event (warnings the SLA sweep writes with no ticket event), the ticket
    events wait for the next batch: the first response met before an escalation still
    counts at the level it was met at, as a recount counts it."""
    with clock.frozen(START):
        ticket = services.ticket_create(requester=org.users["requester"], subject="경고")
    level = Ticket.objects.get(pk=ticket.pk).level
    clock_row = SlaClock.objects.filter(ticket=ticket).first()
    with clock.frozen(START + dt.timedelta(minutes=1)):
        SlaEvent.objects.bulk_create(
            SlaEvent(ticket=ticket, clock=clock_row, type=ClockEventType.WARNED_50)
            for _ in range(12)
        )
    with clock.frozen(START + dt.timedelta(minutes=2)):
        services.ticket_reply(ticket=ticket, author=org.users["admin"], body="답")
    with clock.frozen(START + dt.timedelta(minutes=3)):
        ladder.ticket_escalate(ticket=ticket, actor=org.users["admin"], reason="올림")
    with clock.frozen(START + dt.timedelta(hours=1)):
        facts.facts_catch_up(lag=0, batch=2)
        kept = _snapshot()
        met = SlaDailyFact.objects.get(metric="first_response", met=1)
        assert met.level == level != Ticket.objects.get(pk=ticket.pk).level
        facts.facts_rebuild()
        assert _snapshot() == kept


def test_events_younger_than_the_lag_wait(org: Org) -> None:
    with clock.frozen(START):
        services.ticket_create(requester=org.users["requester"], subject="방금")
        assert facts.facts_catch_up(lag=60).events == 0
    with clock.frozen(START + dt.timedelta(minutes=2)):
        assert facts.facts_catch_up(lag=60).events == 2  # created and routed


def test_the_command_rebuilds_and_reports(org: Org, capsys: Any) -> None:
    with clock.frozen(START):
        services.ticket_create(requester=org.users["requester"], subject="명령")
    call_command("insights-facts", "--rebuild", "--since", "2025-03-01")
    assert "ticket events" in capsys.readouterr().out
    assert DailyFact.objects.filter(opened=1).count() == 1
    with pytest.raises(Exception, match="--since"):
        call_command("insights-facts", "--since", "2025-03-01")


def _monthly() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Every monthly rollup's non-empty rows, keyed by table, month and key."""
    out: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for _daily, monthly, key, counters in facts.ROLLUPS:
        attnames = [monthly._meta.get_field(f).attname for f in key]
        for r in monthly.objects.all():
            values = tuple(getattr(r, n) for n in counters)
            if any(values):
                out[(monthly.__name__, r.month, *(getattr(r, a) for a in attnames))] = values
    return out


def _monthly_from_days() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The same, summed in Python from the daily rows."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for daily, monthly, key, counters in facts.ROLLUPS:
        attnames = [daily._meta.get_field(f).attname for f in key]
        for r in daily.objects.all():
            k = (monthly.__name__, r.day.replace(day=1), *(getattr(r, a) for a in attnames))
            row = sums.setdefault(k, [0] * len(counters))
            for n, name in enumerate(counters):
                row[n] += getattr(r, name)
    return {k: tuple(v) for k, v in sums.items() if any(v)}


def test_a_future_dated_deflection_does_not_stall_the_deflections(org: Org) -> None:
    """A deflection dated in two days is put aside, the one after it counted; it is
    counted when its day comes, once."""
    from tierdesk.knowledge.models import Article, Deflection

    article = Article.objects.create(title="비밀번호 재설정", body="본문", topic="access")
    with clock.frozen(START):
        Deflection.objects.create(
            article=article, outcome="solved", created_at=START + dt.timedelta(days=2)
        )
        Deflection.objects.create(article=article, outcome="solved", created_at=START)
    day, two = START.date(), START.date() + dt.timedelta(days=2)

    def solved(on: dt.date) -> int:
        return sum(r["deflections"] for r in facts.totals(org.users["admin"], on, on))

    with clock.frozen(START + dt.timedelta(hours=1)):
        _catch_up()
        assert solved(day) == 1 and solved(two) == 0
        assert FactDeferred.objects.filter(stream="defl").count() == 1
        assert _catch_up().deflections == 0
    with clock.frozen(START + dt.timedelta(days=2, hours=1)):
        _catch_up()
        assert solved(day) == 1 and solved(two) == 1
        assert not FactDeferred.objects.exists()
        _catch_up()
        assert solved(two) == 1
        kept = _snapshot()
        facts.facts_rebuild()
        assert _snapshot() == kept


def test_a_future_dated_event_does_not_stall_the_catch_up(org: Org) -> None:
    """An event dated tomorrow (an import, a skewed clock) is put aside; the events
    after it are counted; it is counted once its day comes, and a recount agrees."""
    requester, agent = org.users["requester"], org.users["agent"]
    with clock.frozen(START):
        early = services.ticket_create(requester=requester, subject="먼저", solution=org.own)
    with clock.frozen(START + dt.timedelta(days=2)):  # written now, dated in two days
        services.ticket_resolve(ticket=early, actor=agent, reason="미래")
    with clock.frozen(START + dt.timedelta(minutes=10)):
        later = services.ticket_create(requester=requester, subject="나중", solution=org.own)
        services.ticket_reply(ticket=later, author=agent, body="답")
    with clock.frozen(START + dt.timedelta(hours=1)):
        report = _catch_up()
        assert report.events >= 5
        assert FactDeferred.objects.filter(stream="ticket").exists()
        day = START.date()
        assert sum(r["opened"] for r in facts.totals(org.users["admin"], day, day)) == 2
        assert sum(r["agent_touches"] for r in facts.totals(org.users["admin"], day, day)) == 1
        assert not any(
            r["resolved"] for r in facts.totals(org.users["admin"], day, day + dt.timedelta(days=3))
        )
        assert facts.backlog_by_day(org.users["admin"], day, day)[-1]["backlog"] == 2
        assert _catch_up().events == 0  # nothing counted twice
        kept = _snapshot()
        facts.facts_rebuild()
        assert _snapshot() == kept
    with clock.frozen(START + dt.timedelta(days=2, hours=1)):
        _catch_up()
        assert not FactDeferred.objects.exists()
        two = START.date() + dt.timedelta(days=2)
        assert sum(r["resolved"] for r in facts.totals(org.users["admin"], two, two)) == 1
        assert facts.backlog_by_day(org.users["admin"], two, two)[-1]["backlog"] == 1
        kept = _snapshot()
        assert _catch_up().events == 0
        facts.facts_rebuild()
        assert _snapshot() == kept


def test_touches_are_kept_per_person_and_the_backlog_per_day(org: Org) -> None:
    requester, agent, admin = org.users["requester"], org.users["agent"], org.users["admin"]
    with clock.frozen(START):
        t = services.ticket_create(requester=requester, subject="사람별", solution=org.own)
        services.ticket_reply(ticket=t, author=agent, body="하나")
        services.ticket_note(ticket=t, author=agent, body="둘")
        services.ticket_reply(ticket=t, author=admin, body="셋")
        services.ticket_reply(ticket=t, author=requester, body="요청자")
    with clock.frozen(START + dt.timedelta(days=1)):
        services.ticket_resolve(ticket=t, actor=agent, reason="끝")
    with clock.frozen(START + dt.timedelta(days=1, hours=1)):
        _catch_up()
    per = {(r.person_id, r.solution_id): r.touches for r in PersonDailyFact.objects.all()}
    assert per == {(agent.pk, org.own.pk): 2, (admin.pk, org.own.pk): 1}
    days = facts.backlog_by_day(
        admin, START.date() - dt.timedelta(days=1), START.date() + dt.timedelta(days=1)
    )
    assert [d["backlog"] for d in days] == [0, 1, 0]


# --- the property: kept facts equal a recount --------------------------------------------

OPS = (
    "create",
    "create_solution",
    "reply_agent",
    "reply_requester",
    "note",
    "escalate",
    "de_escalate",
    "hand_back",
    "resolve",
    "reopen",
    "close",
    "triage",
    "waiting",
    "set_solution",
    "redirect",
    "catch_up",
)


def _apply(op: str, org: Org, tickets: list[Ticket], pick: int) -> None:
    users = org.users
    agent, platform, requester = users["agent"], users["platform"], users["requester"]
    if op in ("create", "create_solution"):
        tickets.append(
            services.ticket_create(
                requester=requester,
                subject="무작위 요청",
                solution=org.own if op == "create_solution" else None,
                topic="bug" if pick % 2 else "how_to",
                is_bypass=pick % 5 == 0,
            )
        )
        return
    if op == "catch_up":
        # as the scheduler would: only events older than the lag (here a millisecond) —
        # the frozen clock dates the next steps at this very instant, and a real catch-up
        # never sees events younger than its cutoff at the same instant as later ones
        facts.facts_catch_up(lag=0.001)
        return
    if not tickets:
        return
    t = Ticket.objects.get(pk=tickets[pick % len(tickets)].pk)
    actor = platform if t.level == SupportType.PLATFORM else agent
    calls = {
        "reply_agent": lambda: services.ticket_reply(ticket=t, author=users["admin"], body="답"),
        "reply_requester": lambda: services.ticket_reply(ticket=t, author=requester, body="네"),
        "note": lambda: services.ticket_note(ticket=t, author=users["admin"], body="메모"),
        "escalate": lambda: ladder.ticket_escalate(ticket=t, actor=users["admin"], reason="올림"),
        "de_escalate": lambda: ladder.ticket_de_escalate(
            ticket=t, actor=users["admin"], reason="내림"
        ),
        "hand_back": lambda: ladder.ticket_hand_back(ticket=t, actor=users["admin"], reason="돌림"),
        "resolve": lambda: services.ticket_resolve(ticket=t, actor=users["admin"], reason="해결"),
        "reopen": lambda: services.ticket_reopen(ticket=t, actor=users["admin"], reason="다시"),
        "close": lambda: services.ticket_close(ticket=t, actor=users["admin"], reason="종료"),
        "triage": lambda: ladder.ticket_triage(
            ticket=t, actor=users["admin"], topic="data" if pick % 2 else "access"
        ),
        "waiting": lambda: services.ticket_set_status(
            ticket=t, actor=users["admin"], status="waiting_on_requester"
        ),
        "set_solution": lambda: ladder.ticket_set_solution(
            ticket=t, actor=users["admin"], solution=org.other if pick % 2 else org.own
        ),
        "redirect": lambda: ladder.ticket_redirect(ticket=t, actor=users["admin"], reason="채널"),
    }
    del actor
    try:
        with transaction.atomic():
            calls[op]()
    except (ValidationError, PermissionDenied):
        pass


class _Rollback(Exception):
    pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(OPS),
            st.integers(min_value=0, max_value=50),
            st.integers(min_value=0, max_value=36 * 60),
        ),
        min_size=5,
        max_size=40,
    )
)
def test_kept_facts_equal_a_recount(org: Org, steps: list[tuple[str, int, int]]) -> None:
    try:
        with transaction.atomic():
            at = START
            tickets: list[Ticket] = []
            opening = [("create_solution", 1, 0), ("create", 2, 5), ("create_solution", 5, 7)]
            for op, pick, minutes in opening + steps:
                # every action at an instant of its own, as on a live desk (one ticket's
                # actions queue on its row): at one instant the ticket events come before
                # the SLA events, and a recount cannot tell two actions' events apart
                at += dt.timedelta(minutes=minutes, microseconds=1)
                with clock.frozen(at):
                    _apply(op, org, tickets, pick)
                    if pick % 3 == 0:
                        # kept as it goes, in batches of a few events: rows added to
                        # again, moved out of, come back to zero
                        facts.facts_catch_up(lag=0, batch=1 + pick % 4)
            with clock.frozen(at + dt.timedelta(hours=1)):
                _catch_up()
                kept = _snapshot()
                _catch_up()
                assert _snapshot() == kept  # idempotent
                facts.facts_rebuild()
                assert _snapshot() == kept
                opened = sum(
                    r["opened"]
                    for r in facts.totals(
                        org.users["admin"], START.date(), at.date() + dt.timedelta(days=1)
                    )
                )
                assert opened == len(tickets)
                # the true backlog: the tickets open now, from the facts alone
                today = at.astimezone(facts._zone()).date()
                last = facts.backlog_by_day(org.users["admin"], today, today)[-1]
                assert last["backlog"] == Ticket.objects.filter(status__in=OPEN_STATUSES).count()
                # every reply or note by support is one person's touch
                assert sum(r.touches for r in PersonDailyFact.objects.all()) == sum(
                    r["agent_touches"]
                    for r in facts.totals(
                        org.users["admin"], START.date(), at.date() + dt.timedelta(days=1)
                    )
                )
                # every monthly rollup is the sum of its days
                assert _monthly_from_days() == _monthly()
                assert any(k[0] == "DailyMonthlyFact" for k in _monthly())
                # a rebuild from a day inside a month keeps the months whole
                facts.facts_rebuild(since=START.date() + dt.timedelta(days=1))
                assert _snapshot() == kept
                assert _monthly_from_days() == _monthly()
            raise _Rollback
    except _Rollback:
        pass


def test_a_partial_rebuild_drops_a_month_that_comes_back_to_zero(org: Org) -> None:
    """Found by the property test: a ticket escalated one day and triaged to another
    topic the next leaves its month's row of the first topic at zero. A rebuild from the
    second day replays that day (-1) and adds the first day back to the month (+1):
    the row comes back to zero on a positive add and must go, as in the kept facts."""
    at = START
    tickets: list[Ticket] = []
    steps = [("create_solution", 1, 0), ("create", 2, 5), ("create_solution", 5, 7)]
    steps += [("create", 0, 0)] * 3 + [("escalate", 0, 0), ("triage", 0, 828)]
    for op, pick, minutes in steps:
        at += dt.timedelta(minutes=minutes, microseconds=1)
        with clock.frozen(at):
            _apply(op, org, tickets, pick)
            if pick == 0:
                facts.facts_catch_up(lag=0, batch=1)
    with clock.frozen(at + dt.timedelta(hours=1)):
        _catch_up()
        kept = _snapshot()
        facts.facts_rebuild(since=START.date() + dt.timedelta(days=1))
        assert _snapshot() == kept


# --- who reads which numbers ---------------------------------------------------------------


def test_selectors_are_scoped_by_role(org: Org) -> None:
    manager = org.users["manager"]
    manager.business_unit = org.sales
    manager.save()
    with clock.frozen(START):
        services.ticket_create(requester=org.users["requester"], subject="영업", solution=org.own)
        services.ticket_create(requester=org.users["requester"], subject="생산", solution=org.other)
        _catch_up()
    day = START.date()

    def opened(user: Any) -> int:
        return int(facts.totals(user, day, day)[0]["opened"])

    assert opened(org.users["admin"]) == 2
    assert opened(org.users["platform"]) == 2
    assert opened(manager) == 1  # the sales unit only
    by_bu = facts.totals(manager, day, day, group_by=["business_unit"])
    assert [r["business_unit"] for r in by_bu] == [org.sales.pk]
    # asking for another unit's numbers gives nothing, as a unit with no tickets would
    assert facts.totals(manager, day, day, business_unit=org.prod.pk)[0]["opened"] == 0
    for name in ("agent", "member", "requester", "partner", "maker"):
        assert opened(org.users[name]) == 0
    assert not facts.can_read_facts(org.users["requester"])
    assert facts.can_read_facts(manager) and facts.can_read_facts(org.users["maker"])
    # makers: their own solutions only
    mine = facts.top_solutions(org.users["maker"], day, day)
    assert [r["solution_id"] for r in mine] == [org.own.pk]
    assert [r["solution_id"] for r in facts.top_solutions(org.users["co_owner"], day, day)] == [
        org.own.pk
    ]
    assert [r["solution_id"] for r in facts.top_solutions(org.users["other_maker"], day, day)] == [
        org.other.pk
    ]
    assert [r["solution_id"] for r in facts.top_solutions(manager, day, day)] == [org.own.pk]
    assert len(facts.top_solutions(org.users["admin"], day, day)) == 2
    assert facts.top_solutions(org.users["requester"], day, day) == []
    with pytest.raises(ValueError):
        facts.totals(org.users["admin"], day, day, group_by=["nonsense"])


@pytest.mark.django_db
def test_a_makers_solution_facts_count_once_whatever_its_co_owners(org: Org) -> None:
    """Scoping a maker through co-owners must not repeat a fact row per co-owner."""
    import datetime as _dt

    from django.db.models import Sum

    from tierdesk.insights.facts import solution_facts_for
    from tierdesk.insights.models import SolutionDailyFact
    from tierdesk.inventory.models import SolutionOwner

    SolutionOwner.objects.create(solution=org.own, user=org.users["member"])
    SolutionDailyFact.objects.create(day=_dt.date(2026, 11, 2), solution=org.own, opened=3)
    for role in ("maker", "co_owner", "member"):
        total = solution_facts_for(org.users[role]).aggregate(n=Sum("opened"))["n"]
        assert total == 3, role


@pytest.mark.parametrize("seed", range(6))
def test_the_monthly_rollup_sums_like_the_days(org: Org, seed: int) -> None:
    """Random days of facts kept through the keeper's writer; random ranges sum the same
    from months + edge days as from the days alone."""
    import random

    from django.db.models import Q

    rnd = random.Random(seed)
    keeper_adds: dict[Any, dict[str, int]] = {}
    base = dt.date(2024, 11, 20)
    for _ in range(60):
        day = base + dt.timedelta(days=rnd.randrange(200))
        solution = rnd.choice([org.own, org.other])
        row = keeper_adds.setdefault((day, solution.pk), dict.fromkeys(facts.SOLUTION_COUNTERS, 0))
        for name in facts.SOLUTION_COUNTERS:
            row[name] += rnd.randrange(5)
    facts._add_rows(SolutionDailyFact, keeper_adds, ("day", "solution"), facts.SOLUTION_COUNTERS)
    facts._add_rows(
        SolutionMonthlyFact,
        facts._months(keeper_adds),
        ("month", "solution"),
        facts.SOLUTION_COUNTERS,
    )
    everyone = Q(solution_id__in=[org.own.pk, org.other.pk])
    for _ in range(25):
        start = base + dt.timedelta(days=rnd.randrange(-10, 210))
        end = start + dt.timedelta(days=rnd.randrange(0, 150))
        expected: dict[int, dict[str, int]] = {}
        for (day, pk), row in keeper_adds.items():
            if start <= day <= end:
                out = expected.setdefault(pk, dict.fromkeys(facts.SOLUTION_COUNTERS, 0))
                for name, n in row.items():
                    out[name] += n
        assert facts.solution_sums(everyone, start, end) == expected, (start, end)
