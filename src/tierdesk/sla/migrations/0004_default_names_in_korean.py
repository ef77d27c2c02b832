"""The calendars and policies every install starts with are named in Korean (sla/defaults.py).
Earlier installs got English names; those nobody changed are renamed, so `sla_seed` finds
them under their new names and a Korean page shows no English policy name."""

from typing import Any

from django.db import migrations

POLICIES = {
    ("Critical P1", "sla"): "핵심 P1",
    ("Critical P2", "sla"): "핵심 P2",
    ("Critical", "sla"): "핵심",
    ("Important P1", "sla"): "중요 P1",
    ("Important P2", "sla"): "중요 P2",
    ("Important", "sla"): "중요",
    ("Productivity", "sla"): "생산성",
    ("Default", "sla"): "기본",
    ("Help desk → platform team", "ola"): "헬프데스크 → 전담 플랫폼 팀",
    ("Partner contract", "underpinning"): "파트너 계약",
}
CALENDARS = {"kr-office": ("Office hours (Seoul)", "업무 시간(서울)")}


def rename(apps: Any, schema_editor: Any) -> None:
    policy = apps.get_model("sla", "SlaPolicy")
    calendar = apps.get_model("sla", "BusinessCalendar")
    for (old, kind), new in POLICIES.items():
        if not policy.objects.filter(name=new, kind=kind).exists():
            policy.objects.filter(name=old, kind=kind).update(name=new)
    for code, (old, new) in CALENDARS.items():
        calendar.objects.filter(code=code, name=old).update(name=new)


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_priority_choices_owned_by_sla")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
