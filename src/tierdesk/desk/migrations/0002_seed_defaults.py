"""Every install starts with the priority matrix, the help-desk scope and the request
catalog (connector usage, environment, app access)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from tierdesk.desk.defaults import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
