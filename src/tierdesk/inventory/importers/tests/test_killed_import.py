"""Kill `tierdesk import` with SIGKILL in the middle of a real import, as a crashed or
restarted server would: nothing of it is kept, its run shows as interrupted, the next
import records that and imports everything. Real separate processes against a database
of their own (a SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

SOLUTIONS = 2000
USAGE_LINES = 20_000


def _database(tmp_path: Path) -> tuple[str, Any]:
    """The database URL for the child processes and a function reading the runs' status."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = "tierdesk_killed_import"
        params = {
            "host": db["HOST"],
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"],
        }
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")

        def statuses() -> list[str]:
            with psycopg.connect(**params, dbname=name, autocommit=True) as conn:
                return [
                    r[0] for r in conn.execute("SELECT status FROM inventory_importrun ORDER BY id")
                ]

        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}", statuses
    path = tmp_path / "killed.sqlite3"

    def statuses_sqlite() -> list[str]:
        try:
            conn = sqlite3.connect(path, timeout=5)
            try:
                return [
                    r[0] for r in conn.execute("SELECT status FROM inventory_importrun ORDER BY id")
                ]
            finally:
                conn.close()
        except sqlite3.Error:
            return []

    return f"sqlite://{path}", statuses_sqlite


def _export(folder: Path) -> None:
    """A data-export folder: SOLUTIONS apps and USAGE_LINES app-usage lines over a day."""
    rng = random.Random(7)
    env = "9e7d6c5b-4a39-4821-b0fe-dcba98765432"
    day = folder / "2025-05-03" / "powerapps"
    (day / "Environments").mkdir(parents=True)
    (day / "Applications").mkdir()
    (day / "Usage").mkdir()
    (day / "Environments" / "asia.json").write_text(
        json.dumps({"environmentId": env, "name": "영업 운영", "environmentType": "Production"})
        + "\n",
        encoding="utf-8",
    )
    apps = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(SOLUTIONS)]
    with (day / "Applications" / "asia.json").open("w", encoding="utf-8") as fh:
        for i, app in enumerate(apps):
            fh.write(
                json.dumps(
                    {
                        "resourceId": app,
                        "environmentId": env,
                        "name": f"앱 {i}",
                        "subType": "Canvas",
                        "createdTime": "2024-01-01T00:00:00Z",
                    }
                )
                + "\n"
            )
    users = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(500)]
    with (day / "Usage" / "usage.json").open("w", encoding="utf-8") as fh:
        for i in range(USAGE_LINES):
            fh.write(
                f'{{"appId":"{apps[i % SOLUTIONS]}","environmentId":"{env}",'
                f'"objectId":"{users[i % 500]}",'
                f'"sessionId":"{uuid.UUID(int=i, version=4)}",'
                f'"timeAccessed":"2025-05-03T{i % 24:02d}:00:00Z"}}\n'
            )


def _tierdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tierdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tierdesk.inventory.importers.tests.runcheck", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _check(env: dict[str, str]) -> dict[str, Any]:
    done = _worker(env, "check")
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_killed_import_keeps_nothing_and_shows_as_interrupted(tmp_path: Path) -> None:
    url, statuses = _database(tmp_path)
    env = {
        **os.environ,
        "TIERDESK_DATA_DIR": str(tmp_path / "data"),
        "TIERDESK_DATABASE_URL": url,
        "TIERDESK_REDIS_URL": "",
    }
    export = tmp_path / "export"
    _export(export)
    _tierdesk(env, "migrate", "-v0")
    # Killed while reading and checking …
    died = _worker(env, "import", str(export), "--die-at", "reading")
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    assert _check(env) == {"runs": [["running", "interrupted"]], "solutions": 0, "facts": 0}
    # … and while writing, its solutions written and the transaction open.
    died = _worker(env, "import", str(export), "--die-at", "facts")
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    seen = _check(env)
    assert seen["solutions"] == 0 and seen["facts"] == 0
    assert [effective for _stored, effective in seen["runs"]] == ["interrupted"] * 2
    # The next import records both as interrupted and imports everything.
    _tierdesk(env, "import", str(export), "--no-progress")
    seen = _check(env)
    assert seen["runs"] == [
        ["interrupted", "interrupted"],
        ["interrupted", "interrupted"],
        ["succeeded", "succeeded"],
    ]
    assert seen["solutions"] == SOLUTIONS and seen["facts"] == SOLUTIONS
    assert statuses() == ["interrupted", "interrupted", "succeeded"]
