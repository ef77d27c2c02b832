"""The reactive-governance scan, set-based.

It reads one row per solution (the inventory's denormalised latest-usage columns, never
the usage history), computes the signals and guardrail findings each solution should
have in Python, diffs them against what is stored, keyed (solution, code), and writes
only the changes in bulk. A second run with nothing changed writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Field

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.governance.choices import (
    FindingStatus,
    GuardrailCode,
    Severity,
    SignalCode,
    SignalStatus,
)
from tierdesk.governance.models import Exemption, Finding, ScanSettings, Signal, SolutionProfile
from tierdesk.inventory.choices import (
    APP_KINDS,
    MAKER_ROLES,
    AlmMethod,
    EnvironmentPurpose,
    EnvironmentType,
    ManagedBy,
    SolutionKind,
    SupportModel,
    Tier,
)
from tierdesk.inventory.models import Environment, EnvironmentRole, Solution

CHUNK = 5000
INSERT_BATCH = 10_000
UPDATE_BATCH = 2000
COLUMNS = (
    "id",
    "kind",
    "environment_id",
    "maker_id",
    "tier",
    "support_model",
    "supporting_team_id",
    "alm_method",
    "is_orphaned",
    "shared_users",
    "shared_groups",
    "shared_with_tenant",
    "peak_daily_users_30d",
    "launches_30d",
    "last_used_at",
    "last_published_at",
    "platform_created_at",
    "usage_as_of",
)
ACTIVE_SIGNAL = (
    SignalStatus.OPEN,
    SignalStatus.ACKNOWLEDGED,
    SignalStatus.SNOOZED,
    SignalStatus.GRADUATING,
)
Key = tuple[int, str]


@dataclass
class ScanReport:
    solutions: int = 0
    signals_created: int = 0
    signals_updated: int = 0
    signals_resolved: int = 0
    findings_created: int = 0
    findings_updated: int = 0
    findings_resolved: int = 0
    touched: int = 0
    notifications: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return (
            self.signals_created
            + self.signals_updated
            + self.signals_resolved
            + self.findings_created
            + self.findings_updated
            + self.findings_resolved
            + self.touched
        )


@dataclass(frozen=True)
class Context:
    settings: ScanSettings
    today: dt.date
    environments: dict[int, tuple[str, str, str]]
    users: dict[int, tuple[bool, str]]
    runbooks: frozenset[int]
    exempt_env: dict[int, frozenset[str]]
    exempt_solution: dict[int, frozenset[str]]
    # test and production environments -> the people holding a maker role there
    env_makers: dict[int, tuple[str, ...]] = field(default_factory=dict)


TEST_OR_PRODUCTION = (EnvironmentPurpose.TEST, EnvironmentPurpose.PRODUCTION)


def env_makers_load() -> dict[int, tuple[str, ...]]:
    """People (not service accounts or principals) with an environment maker or system
    customizer role in an environment whose purpose is test or production, by name."""
    found: dict[int, set[str]] = {}
    for env_id, name, username in EnvironmentRole.objects.filter(
        role__in=sorted(MAKER_ROLES),
        user__kind=AccountKind.PERSON,
        environment__purpose__in=TEST_OR_PRODUCTION,
    ).values_list("environment_id", "user__display_name", "user__username"):
        found.setdefault(env_id, set()).add(name or username)
    return {env_id: tuple(sorted(names)) for env_id, names in found.items()}


def context_load(*, today: dt.date) -> Context:
    exempt_env: dict[int, set[str]] = {}
    exempt_solution: dict[int, set[str]] = {}
    live = Exemption.objects.exclude(expires_at__lt=today).values_list(
        "environment_id", "solution_id", "codes"
    )
    everything = {*SignalCode.values, *GuardrailCode.values}
    for env_id, solution_id, codes in live:
        target = (
            exempt_env.setdefault(env_id, set())
            if env_id
            else exempt_solution.setdefault(solution_id, set())
        )
        target.update(codes or everything)
    return Context(
        settings=ScanSettings.current(),
        today=today,
        environments={
            pk: (type_, purpose, managed)
            for pk, type_, purpose, managed in Environment.objects.values_list(
                "id", "type", "purpose", "managed_by"
            )
        },
        users={
            pk: (active, kind)
            for pk, active, kind in User.objects.values_list("id", "is_active", "kind")
        },
        runbooks=frozenset(
            SolutionProfile.objects.exclude(runbook_url="").values_list("solution_id", flat=True)
        ),
        exempt_env={k: frozenset(v) for k, v in exempt_env.items()},
        exempt_solution={k: frozenset(v) for k, v in exempt_solution.items()},
        env_makers=env_makers_load(),
    )


def solution_rows(solution_ids: Iterable[int] | None = None) -> Iterator[tuple[Any, ...]]:
    qs = Solution.objects.filter(is_deleted=False)
    if solution_ids is not None:
        qs = qs.filter(id__in=list(solution_ids))
    return qs.order_by().values_list(*COLUMNS).iterator(chunk_size=CHUNK)


def _inactive(
    last_used: dt.datetime | None,
    created: dt.datetime | None,
    launches: int | None,
    usage_as_of: dt.date | None,
    ctx: Context,
) -> dict[str, Any] | None:
    """No *use* for `inactive_days` (CoE §2.2: six months; edits do not count).

    A solution whose last use is known is judged by it. One with no use at all is
    inactive only when it was created before the window — and only when use is measured
    for it: usage data that carries no sessions or runs for it (CoE flows have no run
    data) says nothing about use, so such a solution is not judged."""
    cutoff = ctx.today - dt.timedelta(days=ctx.settings.inactive_days)
    if last_used is not None:
        if last_used.date() < cutoff:
            return {"last_used": last_used.date().isoformat()}
        return None
    if usage_as_of is not None and launches is None:
        return None
    if created is not None and created.date() < cutoff:
        return {"last_used": ""}
    return None


def signals_for(row: tuple[Any, ...], ctx: Context) -> dict[str, dict[str, Any]]:
    """The signals one solution should have now, with what the scan saw.

    The compliance rules follow the CoE Starter Kit (reference §2.1): an *app* enters the
    audit when shared with ≥ `shared_users` users, ≥ `shared_groups` groups or launched
    ≥ `launches_30d` times in 30 days; a chatbot when launched ≥ `chatbot_launches`
    times. In the audit, a solution with no justification yet — here: still
    self-supported, never confirmed above Productivity — is asked for one (the threshold
    signals, which also lead to graduation). One that has it — a confirmed Important or
    Critical tier — is checked for a publish within `republish_days` instead. Flows are
    not in the compliance audit."""
    (
        _id,
        kind,
        env_id,
        maker_id,
        tier,
        support_model,
        _team,
        _alm,
        is_orphaned,
        shared_users,
        shared_groups,
        tenant,
        peak,
        launches,
        last_used,
        last_published,
        created,
        usage_as_of,
    ) = row
    s = ctx.settings
    found: dict[str, dict[str, Any]] = {}
    maker = ctx.users.get(maker_id) if maker_id else None
    if is_orphaned or maker is None or not maker[0]:
        found[SignalCode.ORPHANED] = {}
    inactive = _inactive(last_used, created, launches, usage_as_of, ctx)
    if inactive is not None:
        found[SignalCode.INACTIVE] = inactive
    users = shared_users or 0
    groups = shared_groups or 0
    used = launches or 0
    is_app = kind in APP_KINDS
    reasons: dict[str, dict[str, Any]] = {}
    if is_app:
        if users >= s.shared_users:
            reasons[SignalCode.SHARED_USERS] = {"users": users}
        if groups >= s.shared_groups:
            reasons[SignalCode.SHARED_GROUPS] = {"groups": groups}
        if used >= s.launches_30d:
            reasons[SignalCode.LAUNCHES] = {"launches": used}
    elif kind == SolutionKind.CHATBOT and used >= s.chatbot_launches:
        reasons[SignalCode.CHATBOT_LAUNCHES] = {"launches": used}
    self_supported = support_model in ("", SupportModel.SELF) and tier in ("", Tier.PRODUCTIVITY)
    if not self_supported:
        if is_app and reasons:
            stale = ctx.today - dt.timedelta(days=s.republish_days)
            if last_published is None or last_published.date() < stale:
                found[SignalCode.NOT_REPUBLISHED] = {
                    "published": last_published.date().isoformat() if last_published else ""
                }
        return found
    found.update(reasons)
    env = ctx.environments.get(env_id)
    if is_app and env and env[0] == EnvironmentType.DEFAULT and (users >= s.shared_users or tenant):
        found[SignalCode.DEFAULT_ENVIRONMENT] = {"users": users}
    if (peak or 0) >= s.critical_users or users >= s.critical_shared_users or tenant:
        found[SignalCode.CRITICAL_SELF_SUPPORTED] = {"peak": peak or 0, "users": users}
    return found


def findings_for(row: tuple[Any, ...], ctx: Context) -> dict[str, tuple[str, dict[str, Any]]]:
    """The guardrails of the solution's confirmed tier that do not hold."""
    sid, _kind, env_id, maker_id, tier, support_model, team, alm = row[:8]
    if not tier:
        return {}
    critical = tier == Tier.CRITICAL
    severity = Severity.HIGH if critical else Severity.MEDIUM
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    env_type, purpose, managed = ctx.environments.get(env_id, ("", "", ""))
    if tier == Tier.PRODUCTIVITY:
        if not (
            env_type == EnvironmentType.DEFAULT
            or purpose in ("", EnvironmentPurpose.SHARED_PRODUCTIVITY)
        ):
            found[GuardrailCode.ENVIRONMENT_ALLOWED] = (Severity.LOW, {"purpose": purpose})
        return found
    needed_alm = AlmMethod.PIPELINES if critical else AlmMethod.MANUAL
    if alm == AlmMethod.NONE or (critical and alm != AlmMethod.PIPELINES):
        found[GuardrailCode.ALM_REQUIRED] = (severity, {"alm": alm, "needed": needed_alm})
    allowed_env = (
        purpose == EnvironmentPurpose.PRODUCTION and managed == ManagedBy.CENTRAL_IT
        if critical
        else env_type != EnvironmentType.DEFAULT
        and purpose in (EnvironmentPurpose.PRODUCTION, EnvironmentPurpose.TEST)
    )
    if not allowed_env:
        found[GuardrailCode.ENVIRONMENT_ALLOWED] = (
            severity,
            {"purpose": purpose, "managed": managed},
        )
    owner_kind = ctx.users.get(maker_id, (False, ""))[1] if maker_id else ""
    wanted_kinds = (
        {AccountKind.SERVICE_PRINCIPAL}
        if critical
        else {AccountKind.SERVICE_ACCOUNT, AccountKind.SERVICE_PRINCIPAL}
    )
    if owner_kind not in wanted_kinds:
        found[GuardrailCode.SERVICE_OWNERSHIP] = (Severity.MEDIUM, {"owner_kind": owner_kind})
    wanted_model = SupportModel.FORMAL if critical else SupportModel.TEAM
    if support_model != wanted_model or team is None:
        found[GuardrailCode.SUPPORT_ASSIGNED] = (
            severity,
            {"support_model": support_model, "needed": wanted_model, "team": team},
        )
    if critical and sid not in ctx.runbooks:
        found[GuardrailCode.RUNBOOK] = (Severity.HIGH, {})
    makers = ctx.env_makers.get(env_id) if purpose in TEST_OR_PRODUCTION else None
    if makers:
        found[GuardrailCode.NO_MAKER_ROLES] = (
            Severity.MEDIUM,
            {"purpose": purpose, "people": list(makers)},
        )
    return found


def _exempt(sid: int, env_id: int, code: str, ctx: Context) -> bool:
    return code in ctx.exempt_solution.get(sid, ()) or code in ctx.exempt_env.get(env_id, ())


def _insert(model: type[Signal] | type[Finding], fields: tuple[str, ...], rows: list[Any]) -> None:
    """Insert new rows: COPY on PostgreSQL, one statement run by `executemany` on SQLite.

    `bulk_create` spends most of a first scan (~100,000 new rows) building model objects
    and compiling SQL for them in Python; the database itself takes a fraction of that.
    Values must already be in database form (see `_db_detail`, `_db_date`)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, f)) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608 - names from _meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: PostgreSQL's bulk path
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


def _column(model: type[Signal] | type[Finding], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.column)


def _db_detail(model: type[Signal] | type[Finding]) -> Any:
    field = model._meta.get_field("detail")
    return lambda value: field.get_db_prep_save(value, connection)


def _db_date(day: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def scan_apply(
    *,
    today: dt.date | None = None,
    solution_ids: Iterable[int] | None = None,
    report: ScanReport | None = None,
) -> ScanReport:
    """Bring signals and findings up to date for every live solution (or some)."""
    import time

    report = report or ScanReport()
    today = today or clock.today()
    t0 = time.perf_counter()
    ctx = context_load(today=today)
    ids = None if solution_ids is None else sorted(set(solution_ids))
    wanted_signals: dict[Key, dict[str, Any]] = {}
    wanted_findings: dict[Key, tuple[str, dict[str, Any]]] = {}
    for row in solution_rows(ids):
        report.solutions += 1
        sid, env_id = row[0], row[2]
        for code, detail in signals_for(row, ctx).items():
            if not _exempt(sid, env_id, code, ctx):
                wanted_signals[(sid, str(code))] = detail
        for code, pair in findings_for(row, ctx).items():
            if not _exempt(sid, env_id, code, ctx):
                wanted_findings[(sid, str(code))] = pair
    t1 = time.perf_counter()
    report.timings_ms["read_and_compute"] = round((t1 - t0) * 1000, 1)
    _reconcile_signals(wanted_signals, ids, today, report)
    _reconcile_findings(wanted_findings, ids, today, report)
    report.timings_ms["write"] = round((time.perf_counter() - t1) * 1000, 1)
    return report


def _existing(model: type[Signal] | type[Finding], ids: list[int] | None, *fields: str) -> Any:
    qs = model.objects.order_by()
    if ids is not None:
        qs = qs.filter(solution_id__in=ids)
    return qs.values_list("id", "solution_id", "code", *fields).iterator(chunk_size=CHUNK)


def _reconcile_signals(
    wanted: dict[Key, dict[str, Any]], ids: list[int] | None, today: dt.date, report: ScanReport
) -> None:
    reopened: list[Signal] = []
    snooze_over: list[Signal] = []
    updated: list[Signal] = []
    touch: list[int] = []
    resolve: list[int] = []
    seen: set[Key] = set()
    for pk, sid, code, status, detail, last_seen, snoozed in _existing(
        Signal, ids, "status", "detail", "last_seen", "snoozed_until"
    ):
        key = (sid, code)
        seen.add(key)
        want = wanted.get(key)
        active = status in ACTIVE_SIGNAL
        if want is None:
            if active:
                resolve.append(pk)
            continue
        if not active:  # came back: a fresh signal on the same row
            reopened.append(
                Signal(
                    pk=pk,
                    status=SignalStatus.OPEN,
                    detail=want,
                    first_seen=today,
                    last_seen=today,
                    resolved_at=None,
                    snoozed_until=None,
                    notified_at=None,
                )
            )
        elif status == SignalStatus.SNOOZED and snoozed is not None and snoozed < today:
            snooze_over.append(
                Signal(pk=pk, status=SignalStatus.OPEN, detail=want, last_seen=today)
            )
        elif detail != want:
            updated.append(Signal(pk=pk, detail=want, last_seen=today))
        elif last_seen < today:
            touch.append(pk)
    day, detail_db = _db_date(today), _db_detail(Signal)
    new = [
        (sid, code, SignalStatus.OPEN.value, detail_db(detail), day, day)
        for (sid, code), detail in wanted.items()
        if (sid, code) not in seen
    ]
    _insert(Signal, ("solution", "code", "status", "detail", "first_seen", "last_seen"), new)
    Signal.objects.bulk_update(
        reopened,
        [
            "status",
            "detail",
            "first_seen",
            "last_seen",
            "resolved_at",
            "snoozed_until",
            "notified_at",
        ],
        batch_size=UPDATE_BATCH,
    )
    for signal in snooze_over:
        signal.snoozed_until = None
        signal.notified_at = None
    Signal.objects.bulk_update(
        snooze_over,
        ["status", "detail", "last_seen", "snoozed_until", "notified_at"],
        batch_size=UPDATE_BATCH,
    )
    Signal.objects.bulk_update(updated, ["detail", "last_seen"], batch_size=UPDATE_BATCH)
    for chunk in _chunks(touch):
        Signal.objects.filter(pk__in=chunk).update(last_seen=today)
    for chunk in _chunks(resolve):
        Signal.objects.filter(pk__in=chunk).update(status=SignalStatus.RESOLVED, resolved_at=today)
    changed = len(reopened) + len(snooze_over) + len(updated)
    report.signals_created += len(new)
    report.signals_updated += changed
    report.signals_resolved += len(resolve)
    report.touched += len(touch)


def _reconcile_findings(
    wanted: dict[Key, tuple[str, dict[str, Any]]],
    ids: list[int] | None,
    today: dt.date,
    report: ScanReport,
) -> None:
    reopened: list[Finding] = []
    rest: list[Finding] = []
    touch: list[int] = []
    resolve: list[int] = []
    seen: set[Key] = set()
    for pk, sid, code, status, severity, detail, last_seen, expires in _existing(
        Finding, ids, "status", "severity", "detail", "last_seen", "waiver_expires"
    ):
        key = (sid, code)
        seen.add(key)
        want = wanted.get(key)
        if want is None:
            if status != FindingStatus.RESOLVED:
                resolve.append(pk)
            continue
        want_severity, want_detail = want
        if status == FindingStatus.RESOLVED:
            reopened.append(
                Finding(
                    pk=pk,
                    status=FindingStatus.OPEN,
                    severity=want_severity,
                    detail=want_detail,
                    first_seen=today,
                    last_seen=today,
                    resolved_at=None,
                )
            )
        elif status == FindingStatus.WAIVED and expires is not None and expires < today:
            rest.append(
                Finding(
                    pk=pk,
                    status=FindingStatus.OPEN,
                    severity=want_severity,
                    detail=want_detail,
                    last_seen=today,
                )
            )
        elif detail != want_detail or severity != want_severity:
            rest.append(
                Finding(
                    pk=pk,
                    status=status,
                    severity=want_severity,
                    detail=want_detail,
                    last_seen=today,
                )
            )
        elif last_seen < today:
            touch.append(pk)
    day, detail_db = _db_date(today), _db_detail(Finding)
    new = [
        (sid, code, str(severity), FindingStatus.OPEN.value, detail_db(detail), day, day, "")
        for (sid, code), (severity, detail) in wanted.items()
        if (sid, code) not in seen
    ]
    _insert(
        Finding,
        (
            "solution",
            "code",
            "severity",
            "status",
            "detail",
            "first_seen",
            "last_seen",
            "waiver_reason",
        ),
        new,
    )
    Finding.objects.bulk_update(
        reopened,
        ["status", "severity", "detail", "first_seen", "last_seen", "resolved_at"],
        batch_size=UPDATE_BATCH,
    )
    Finding.objects.bulk_update(
        rest, ["status", "severity", "detail", "last_seen"], batch_size=UPDATE_BATCH
    )
    changed = len(reopened) + len(rest)
    for chunk in _chunks(touch):
        Finding.objects.filter(pk__in=chunk).update(last_seen=today)
    for chunk in _chunks(resolve):
        Finding.objects.filter(pk__in=chunk).update(
            status=FindingStatus.RESOLVED, resolved_at=today
        )
    report.findings_created += len(new)
    report.findings_updated += changed
    report.findings_resolved += len(resolve)
    report.touched += len(touch)
