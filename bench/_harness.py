"""Plumbing shared by the benchmarks: one child process per database (settings are read
once per process), a PostgreSQL database made on demand, and the RESULT line a child
prints for its parent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

RESULT = "RESULT "


def ensure_postgres_database(url: str, *, fresh: bool = False) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def database_env(
    database: str, *, data_dir: Path, default_postgres_url: str, fresh: bool = False
) -> dict[str, str]:
    """The environment a child needs to run tierdesk on `database` ("sqlite"/"postgres")."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tierdesk.settings", TIERDESK_LOG_LEVEL="WARNING")
    env["TIERDESK_DATA_DIR"] = str(data_dir / database)
    env.pop("TIERDESK_DATABASE_URL", None)
    if database == "postgres":
        url = os.environ.get("TIERDESK_BENCH_POSTGRES_URL", default_postgres_url)
        ensure_postgres_database(url, fresh=fresh)
        env["TIERDESK_DATABASE_URL"] = url
    return env


def run_child(script: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `script args` in a child, echo its lines, return the dict it printed as RESULT."""
    proc = subprocess.run(
        [sys.executable, script, *args], env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    result: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line)
    if proc.returncode != 0:
        raise SystemExit(f"{Path(script).name} {' '.join(args)} failed (exit {proc.returncode})")
    return result


def print_result(figures: dict[str, Any]) -> None:
    print(RESULT + json.dumps(figures), flush=True)


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (`pct` in 0–100) of `values`: p95 of 20 is the 19th."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil, at least the first
    return ordered[int(rank) - 1]


def stream_child(script: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """`run_child`, echoing the child's lines as they come (for long builds)."""
    proc = subprocess.Popen(
        [sys.executable, script, *args], env=env, stdout=subprocess.PIPE, text=True
    )
    result: dict[str, Any] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0:
        raise SystemExit(f"{Path(script).name} {' '.join(args)} failed (exit {proc.returncode})")
    return result
