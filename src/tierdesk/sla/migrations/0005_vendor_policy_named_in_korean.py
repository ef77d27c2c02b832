"""The vendor's underpinning contract, like the other policies every install starts with
(0004), is named in Korean; an install that kept the English name gets the new one."""

from typing import Any

from django.db import migrations


def rename(apps: Any, schema_editor: Any) -> None:
    policy = apps.get_model("sla", "SlaPolicy")
    if not policy.objects.filter(name="공급업체 지원", kind="underpinning").exists():
        policy.objects.filter(name="Vendor support", kind="underpinning").update(
            name="공급업체 지원"
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_default_names_in_korean")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
