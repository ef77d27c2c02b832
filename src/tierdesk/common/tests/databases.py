"""A database of its own for a test that runs tierdesk in another process (a poller or a
worker killed on purpose): a fresh PostgreSQL database beside the test's when the suite
runs on PostgreSQL, else a SQLite file in the test's folder."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def separate_database_url(tmp_path: Path, name: str) -> str:
    """`TIERDESK_DATABASE_URL` for the other process: PostgreSQL database `name` (dropped
    and created anew) on the test database's server, or `<tmp_path>/<name>.sqlite3`."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        admin = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        )
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    return f"sqlite://{tmp_path / (name + '.sqlite3')}"
