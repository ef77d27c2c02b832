"""Indexes for the ticket search's filters (desk.ticket_filters): a level, a topic or a
resolved range is an index range, so a rare one is not a scan of every ticket."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("desk", "0007_index_tickets_for_search")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["level", "created_at", "id"], name="desk_level_created"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["topic", "created_at", "id"], name="desk_topic_created"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["resolved_at"], name="desk_resolved"),
        ),
    ]
