from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tierdesk.settings import database_from_url


def test_database_url_parsing() -> None:
    db = database_from_url("postgres://td:p%40ss@db.internal:5433/tierdesk?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "td",
        "p@ss",
        "db.internal",
        "5433",
        "tierdesk",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ValueError, match="unsupported scheme"):
        database_from_url("mysql://x/y")


def test_fresh_data_dir_gets_sqlite_wal_and_one_secret_key(tmp_path: Path) -> None:
    script = (
        "import django, os; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode');"
        "print(settings.SECRET_KEY, settings.DATABASES['default']['NAME'], c.fetchone()[0])"
    )
    env = {
        "TIERDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tierdesk.settings",
        "PATH": "/usr/bin:/bin",
    }
    first = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    second = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    key, db_name, journal = first.stdout.split()
    assert second.stdout.split()[0] == key and len(key) >= 50
    assert db_name == str(tmp_path / "tierdesk.sqlite3")
    assert journal == "wal"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
