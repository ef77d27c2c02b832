"""Import benchmark: 100,000 solutions and 3,000,000 usage rows from the data export.

Generates a data-export folder into bench/.data/ (once; reused), then for each database
imports it into a fresh schema in a child process, measuring wall time and peak RSS, and
compares with a plain `executemany` of the same resulting rows into the same tables.

    .venv/bin/python bench/import_bench.py --database sqlite|postgres|both

Prints readable lines and ends with one line of JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data"
DEFAULT_PG = "postgres://postgres@127.0.0.1:54329/tierdesk_importbench"


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate(folder: Path, solutions: int, usage_rows: int, days: int) -> None:
    marker = folder / ".complete"
    if marker.exists():
        return
    rng = random.Random(20260101)
    envs = [guid(rng) for _ in range(50)]
    makers = [guid(rng) for _ in range(5000)]
    apps = int(solutions * 0.7)
    flows = solutions - apps
    start = dt.date(2026, 10, 1)
    meta = folder / start.isoformat() / "powerapps" / "Metadata"
    (meta / "Environments").mkdir(parents=True, exist_ok=True)
    with (meta / "Environments" / "europe.json").open("w") as fh:
        for i, env in enumerate(envs):
            fh.write(
                json.dumps(
                    {
                        "Environmentid": env,
                        "name": f"환경 {i}",
                        "environmenttype": "Production",
                        "Environmentregion": "europe",
                        "createdTime": "2024-01-01T00:00:00Z",
                    }
                )
                + "\n"
            )
    app_ids: list[tuple[str, str]] = []
    (meta / "Applications").mkdir(parents=True, exist_ok=True)
    with (meta / "Applications" / "europe.json").open("w") as fh:
        for i in range(apps):
            env, app = envs[i % len(envs)], guid(rng)
            app_ids.append((env, app))
            fh.write(
                json.dumps(
                    {
                        "resourceId": app,
                        "environmentId": env,
                        "name": f"앱 {i}",
                        "subType": "Canvas",
                        "lifecycleState": "Published",
                        "owner": makers[i % len(makers)],
                        "createdTime": "2024-02-01T09:00:00Z",
                        "lastModifiedTime": "2025-05-03T14:10:00Z",
                        "sharedUsers": i % 40,
                        "sharedGroups": i % 3,
                    }
                )
                + "\n"
            )
    flow_ids: list[tuple[str, str]] = []
    fmeta = folder / start.isoformat() / "powerautomate" / "Metadata" / "Flows"
    fmeta.mkdir(parents=True, exist_ok=True)
    with (fmeta / "europe.json").open("w") as fh:
        for i in range(flows):
            env, flow = envs[i % len(envs)], guid(rng)
            flow_ids.append((env, flow))
            fh.write(
                json.dumps(
                    {
                        "resourceId": flow,
                        "environmentId": env,
                        "name": f"흐름 {i}",
                        "lifecycleState": "Started",
                        "events_created_principalId": makers[i % len(makers)],
                        "events_created_timestamp": "2024-03-01T09:00:00Z",
                    }
                )
                + "\n"
            )
    users = [guid(rng) for _ in range(20000)]
    app_rows = usage_rows * 2 // 3
    flow_rows = usage_rows - app_rows
    statuses = ["Succeeded"] * 9 + ["Failed"]
    for d in range(days):
        day = start + dt.timedelta(days=d)
        for kind, n in (("powerapps", app_rows // days), ("powerautomate", flow_rows // days)):
            target = folder / day.isoformat() / kind / "KPI" / "Usage"
            target.mkdir(parents=True, exist_ok=True)
            lines = []
            for _ in range(n):
                ts = f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
                if kind == "powerapps":
                    env, app = app_ids[int(len(app_ids) * rng.random() ** 2)]
                    lines.append(
                        f'{{"AppId":"{app}","environmentId":"{env}","ObjectID":"{users[rng.randrange(len(users))]}",'
                        f'"SessionId":"{guid(rng)}","timeaccessed":"{ts}","Country":"KR","platform":"Web"}}\n'
                    )
                else:
                    env, flow = flow_ids[int(len(flow_ids) * rng.random() ** 2)]
                    lines.append(
                        f'{{"resourceId":"{flow}","environmentId":"{env}","timeaccessed":"{ts}",'
                        f'"status":"{rng.choice(statuses)}","runs":{rng.randrange(1, 5)}}}\n'
                    )
            (target / "usage.json").write_text("".join(lines))
    marker.write_text("ok")


def child(database: str, folder: str) -> None:
    """Runs in a fresh process: migrate an empty database, import, measure, baseline."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tierdesk.inventory.importers import services

    call_command("migrate", verbosity=0)
    # Keep the engine's Result to report its per-step timings.
    results = []
    run_import = services.run_import

    def recording(*args: Any, **kwargs: Any) -> Any:
        results.append(run_import(*args, **kwargs))
        return results[-1]

    services.run_import = recording
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    run = services.import_run_execute(paths=[Path(folder)], actor=None, source="bench")
    import_s = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert run.status == "succeeded", run.errors[:5]
    counts = run.counts
    from tierdesk.inventory.models import UsageFact

    fact_rows = UsageFact.objects.count()
    # Baseline: the same resulting rows, re-inserted with plain executemany through the
    # database's Python driver (sqlite3 on SQLite, psycopg 3 on PostgreSQL), 10,000 rows
    # per call, in one transaction.
    tables = ["inventory_solution", "inventory_usagefact", "inventory_solutionevent"]
    written = 0
    baseline = 0.0
    with transaction.atomic(), connection.cursor() as cur:
        for table in tables:
            cur.execute(f"CREATE TEMP TABLE shadow_{table} AS SELECT * FROM {table}")
        for table in reversed(tables):
            cur.execute(f"DELETE FROM {table}")
        for table in tables:
            cur.execute(f"SELECT * FROM shadow_{table} LIMIT 0")
            cols = [c[0] for c in cur.description]
            sql = (
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
            )
            last = -1
            while True:
                cur.execute(
                    f"SELECT * FROM shadow_{table} WHERE id > %s ORDER BY id LIMIT 10000", [last]
                )
                rows = cur.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                t = time.monotonic()
                cur.executemany(sql, rows)
                baseline += time.monotonic() - t
                written += len(rows)
        transaction.set_rollback(True)
    rows_in = counts.get("rows_read", 0)
    print(
        json.dumps(
            {
                "import_s": round(import_s, 1),
                "rows_per_s": int(rows_in / import_s),
                "peak_rss_mb": round(peak, 0),
                "rss_after_setup_mb": round(rss_before, 0),
                "executemany_s": round(baseline, 1),
                "ratio_to_executemany": round(import_s / baseline, 1) if baseline else None,
                "rows_read": rows_in,
                "solutions": counts.get("solutions_created", 0),
                "usage_facts": fact_rows,
                "rows_in_baseline": written,
                "baseline": f"{connection.vendor} executemany via "
                f"{'sqlite3' if connection.vendor == 'sqlite' else 'psycopg 3'}",
                "timings_s": {
                    k: v for k, v in results[-1].timings.items() if not k.endswith("_rss_mb")
                },
            }
        )
    )


def run_child(database: str, folder: Path) -> dict[str, object]:
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="tierdesk-bench-")
    env["TIERDESK_DATA_DIR"] = tmp
    if database == "sqlite":
        env["TIERDESK_DATABASE_URL"] = f"sqlite://{tmp}/bench.sqlite3"
    else:
        url = os.environ.get("TIERDESK_BENCH_POSTGRES_URL", DEFAULT_PG)
        env["TIERDESK_DATABASE_URL"] = url
        name = url.rsplit("/", 1)[-1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", database, "--folder", str(folder)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--solutions", type=int, default=100_000)
    parser.add_argument("--usage-rows", type=int, default=3_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--child", default=None)
    parser.add_argument("--folder", default=None)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    folder = DATA / f"export-{args.solutions}-{args.usage_rows}-{args.days}"
    t = time.monotonic()
    generate(folder, args.solutions, args.usage_rows, args.days)
    print(f"data: {folder} ready in {time.monotonic() - t:.1f} s")
    figures: dict[str, dict[str, object]] = {}
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        result = run_child(database, folder)
        figures[database] = result
        print(
            f"{database}: {result['rows_read']:,} rows in {result['import_s']} s "
            f"({result['rows_per_s']:,} rows/s), peak RSS {result['peak_rss_mb']} MB, "
            f"{result['solutions']:,} solutions, {result['usage_facts']:,} daily facts; "
            f"plain executemany of the same rows {result['executemany_s']} s "
            f"(ratio {result['ratio_to_executemany']}x; {result['baseline']})"
        )
        print(f"  steps (s): {json.dumps(result['timings_s'])}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
