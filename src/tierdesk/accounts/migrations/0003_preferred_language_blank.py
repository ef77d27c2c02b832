"""A user who has not chosen a language sees the one their browser asks for: the
preferred language may be empty, and is by default. English was the default before, so
nobody's "en" tells a choice from the default: every "en" becomes empty (the browser
decides; a person who wants English picks it once in the language switch)."""

from typing import Any

from django.db import migrations, models


def forget_default_english(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "User").objects.filter(preferred_language="en").update(
        preferred_language=""
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_tokens_hashed")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="preferred_language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("ko", "한국어")],
                default="",
                help_text="Empty: the language the browser asks for.",
                max_length=8,
                verbose_name="preferred language",
            ),
        ),
        migrations.RunPython(forget_default_english, migrations.RunPython.noop),
    ]
