"""Tickets filed before ticket search went through the search engine are indexed once
(subject and description; `tierdesk reindex ticket` does the same by hand)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def index_tickets(apps: Any, schema_editor: Any) -> None:
    from tierdesk.search import services as search

    Ticket = apps.get_model("desk", "Ticket")
    rows = Ticket.objects.using(schema_editor.connection.alias).order_by().values_list(
        "pk", "subject", "description"
    )
    search.index_many(
        "ticket", ((pk, subject, description, "") for pk, subject, description in rows.iterator(chunk_size=2000))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0006_level_changed_at_and_vendor_case_status_from_history"),
        ("search", "0002_fulltext"),
    ]

    operations = [migrations.RunPython(index_tickets, migrations.RunPython.noop, elidable=True)]
