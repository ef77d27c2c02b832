"""On PostgreSQL, the solution picker's "name contains" search reads a trigram index
(pg_trgm, a trusted contrib extension since PostgreSQL 13) instead of scanning every name.
It works for Hangul when the database's LC_CTYPE treats Hangul as letters (C.UTF-8, ko_KR,
en_US.UTF-8 — not plain "C"; ../shared/reference/korean-search.md). Where the extension
cannot be created the migration leaves the index out and the search scans, as before.
SQLite needs nothing: its scan of 100,000 names stays within the picker's budget."""

from typing import Any

from django.db import DatabaseError, migrations, transaction

INDEX = "inv_sol_live_lname_trgm"


def _create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON inventory_solution "
                "USING gin (lower(name) gin_trgm_ops) WHERE NOT is_deleted"
            )
    except DatabaseError:  # no right to create the extension: the search scans instead
        pass


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0007_solution_name_lower_index")]

    operations = [migrations.RunPython(_create, _drop)]
