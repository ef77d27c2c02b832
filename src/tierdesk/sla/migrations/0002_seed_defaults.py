from django.db import migrations


def forwards(apps, schema_editor):
    from tierdesk.sla.defaults import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
