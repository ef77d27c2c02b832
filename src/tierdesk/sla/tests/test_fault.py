"""Kill the worker in the middle of a sweep, start it again: every notification goes out
exactly once and none is lost. The sweep runs in real separate processes against a
database of their own (a SQLite file, or a fresh PostgreSQL database when the suite runs
on PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tierdesk.common.tests.databases import separate_database_url

TICKETS = 40


def _database_url(tmp_path: Path) -> str:
    return separate_database_url(tmp_path, "tierdesk_sla_fault")


def _run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tierdesk.sla.tests.worker", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if ok:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_a_killed_sweep_loses_nothing_and_sends_nothing_twice(tmp_path):
    sink = tmp_path / "mail.jsonl"
    env = {
        **os.environ,
        "TIERDESK_DATA_DIR": str(tmp_path / "data"),
        "TIERDESK_DATABASE_URL": _database_url(tmp_path),
        "TIERDESK_EMAIL_BACKEND": "tierdesk.sla.tests.sink.JsonLinesBackend",
        "TIERDESK_TEST_MAIL_SINK": str(sink),
        "TIERDESK_REDIS_URL": "",
    }
    _run(env, "setup", str(TICKETS))
    # Killed inside the first batch (after claiming, before the commit) …
    died = _run(env, "sweep", "claimed:60", ok=False)
    assert died.returncode == 17, died.stderr[-2000:]
    # … then again right after a batch committed, …
    died = _run(env, "sweep", "committed:1", ok=False)
    assert died.returncode == 17, died.stderr[-2000:]
    # … then killed while paging escalation steps, …
    died = _run(env, "sweep", "escalated:3", ok=False)
    assert died.returncode == 17, died.stderr[-2000:]
    # … then a worker that lives, and another sweep that finds nothing left.
    _run(env, "sweep")
    _run(env, "sweep")
    _run(env, "deliver")
    _run(env, "deliver")
    counts = json.loads(_run(env, "counts").stdout)
    # First response and resolution (24×7), the platform team's operational first
    # response (office hours) are breached; its resolution clock is not due yet.
    assert counts["clocks"] == TICKETS * 4
    assert counts["breached"] == counts["breach_events"] == TICKETS * 3
    assert counts["runs"] == TICKETS and counts["steps"] == TICKETS * 3
    assert counts["overdue_left"] == 0
    assert counts["notifications"] == counts["sent"] > 0
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(lines) == counts["sent"]  # none lost
    # Each queued notification arrived once: the mails are exactly the outbox rows.
    sent = Counter((m["to"][0], m["subject"], m["body"]) for m in lines)
    assert sent == Counter(tuple(row) for row in counts["outbox"])
    assert len(counts["outbox"]) == counts["notifications"]


@pytest.mark.skipif(sys.platform != "linux", reason="process kill semantics")
def test_the_worker_helper_refuses_unknown_commands(tmp_path):
    env = {**os.environ, "TIERDESK_DATA_DIR": str(tmp_path)}
    done = _run(env, "nonsense", ok=False)
    assert done.returncode != 0
