"""API tokens move to django-rest-knox (stored as digests, expiring). The plain-text keys
of DRF's authtoken table would stay readable in the database and its backups, so the
table goes: every old token stops working; `tierdesk token USERNAME` issues new ones
(docs/production.md, "API tokens")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP TABLE IF EXISTS authtoken_token",
                # The app is gone: forget its migrations, so adding it back starts afresh.
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
