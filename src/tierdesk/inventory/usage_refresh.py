# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""The solutions' latest usage columns, set-based: the one implementation of the rules,
used by `inventory.services` and by the importers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from tierdesk.inventory.models import (
    Solution,
    UsageFact,
)

IN_CHUNK = 500  # ids per UPDATE … WHERE id IN (…)


def solutions_refresh_latest_usage(*, solution_ids: Iterable[int]) -> int:
    """Copy each solution's latest usage onto it: the newest non-null sharing figure
    (ties on a day broken by source), the most users in a day and the sessions + runs of
    the 30 days up to its newest fact, the latest use ever; nulls when it has no facts.
    One UPDATE with correlated sub-queries per 500 solutions (PostgreSQL: one grouped
    pass), never reading the facts into Python."""
    ids = sorted(set(solution_ids))
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        return _refresh_postgresql(ids)
    q = connection.ops.quote_name
    sol = q(Solution._meta.db_table)
    fact = q(UsageFact._meta.db_table)
    own = f"f.{q('solution_id')} = {sol}.{q('id')}"
    as_of = f"(SELECT MAX(f.{q('date')}) FROM {fact} f WHERE {own})"
    window = (
        f"date(({as_of}), '-30 days')" if connection.vendor == "sqlite" else f"(({as_of}) - 30)"
    )

    def newest(measure: str) -> str:
        return (
            f"(SELECT f.{q(measure)} FROM {fact} f WHERE {own} AND f.{q(measure)} IS NOT NULL "
            f"ORDER BY f.{q('date')} DESC, f.{q('source')} DESC LIMIT 1)"
        )

    in_window = f"{own} AND f.{q('date')} > {window}"
    sets = {
        "usage_as_of": as_of,
        "shared_users": newest("shared_users"),
        "shared_groups": newest("shared_groups"),
        "shared_with_tenant": newest("shared_with_tenant"),
        "peak_daily_users_30d": (
            f"(SELECT MAX(f.{q('unique_users')}) FROM {fact} f WHERE {in_window})"
        ),
        "launches_30d": (
            f"(SELECT SUM(COALESCE(f.{q('sessions')}, 0) + COALESCE(f.{q('flow_runs')}, 0)) "
            f"FROM {fact} f WHERE {in_window} AND (f.{q('sessions')} IS NOT NULL "
            f"OR f.{q('flow_runs')} IS NOT NULL))"
        ),
        "last_used_at": f"(SELECT MAX(f.{q('last_used_at')}) FROM {fact} f WHERE {own})",
    }
    assignments = ", ".join(f"{q(k)} = {v}" for k, v in sets.items())
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            cursor.execute(
                f"UPDATE {sol} SET {assignments} "
                f"WHERE {q('id')} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            updated += cursor.rowcount
    return updated


def _refresh_postgresql(ids: list[int]) -> int:
    """The same rules in one grouped pass over the facts of all the solutions (PostgreSQL
    plans correlated sub-queries over freshly written, unanalysed facts poorly): the ids go
    by COPY into a temporary table joined by hash. Every id is updated, with nulls when it
    has no facts, as the correlated form does."""
    q = connection.ops.quote_name
    sol = q(Solution._meta.db_table)
    fact = q(UsageFact._meta.db_table)
    sid, date, source = q("solution_id"), q("date"), q("source")

    def newest(measure: str) -> str:
        return (
            f"n_{measure} AS (SELECT DISTINCT ON ({sid}) {sid}, {q(measure)} AS v FROM f "
            f"WHERE {q(measure)} IS NOT NULL ORDER BY {sid}, {date} DESC, {source} DESC)"
        )

    sharing = ("shared_users", "shared_groups", "shared_with_tenant")
    sql = (
        f"WITH f AS MATERIALIZED (SELECT x.* FROM {fact} x "
        f"JOIN tierdesk_refresh_ids i ON i.id = x.{sid}), "
        f"m AS (SELECT {sid}, MAX({date}) AS as_of, MAX({q('last_used_at')}) AS last_used "
        f"FROM f GROUP BY {sid}), "
        f"w AS (SELECT f.{sid}, MAX(f.{q('unique_users')}) AS peak, "
        f"SUM(COALESCE(f.{q('sessions')}, 0) + COALESCE(f.{q('flow_runs')}, 0)) "
        f"FILTER (WHERE f.{q('sessions')} IS NOT NULL OR f.{q('flow_runs')} IS NOT NULL) "
        f"AS launches FROM f JOIN m ON m.{sid} = f.{sid} WHERE f.{date} > m.as_of - 30 "
        f"GROUP BY f.{sid}), "
        + ", ".join(newest(m) for m in sharing)
        + f" UPDATE {sol} SET {q('usage_as_of')} = m.as_of, "
        + ", ".join(f"{q(m)} = n_{m}.v" for m in sharing)
        + f", {q('peak_daily_users_30d')} = w.peak, {q('launches_30d')} = w.launches, "
        f"{q('last_used_at')} = m.last_used "
        f"FROM tierdesk_refresh_ids ids LEFT JOIN m ON m.{sid} = ids.id "
        f"LEFT JOIN w ON w.{sid} = ids.id "
        + " ".join(f"LEFT JOIN n_{m} ON n_{m}.{sid} = ids.id" for m in sharing)
        + f" WHERE {sol}.{q('id')} = ids.id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tierdesk_refresh_ids (id bigint PRIMARY KEY) "
            "ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE tierdesk_refresh_ids")
        with cursor.cursor.copy("COPY tierdesk_refresh_ids (id) FROM STDIN") as copy:
            for pk in ids:
                copy.write_row((pk,))
        cursor.execute("ANALYZE tierdesk_refresh_ids")
        cursor.execute(sql)
        return int(cursor.rowcount)
