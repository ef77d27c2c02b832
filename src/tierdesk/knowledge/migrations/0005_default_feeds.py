"""Every install subscribes to the product blogs the guidance says to follow: Power Apps,
Power Automate and Copilot Studio (their RSS feeds; editable on /knowledge/feeds/)."""

from typing import Any

from django.db import migrations

DEFAULT_FEEDS = [
    ("Power Apps 블로그", "https://www.microsoft.com/en-us/power-platform/blog/power-apps/feed/"),
    (
        "Power Automate 블로그",
        "https://www.microsoft.com/en-us/power-platform/blog/power-automate/feed/",
    ),
    (
        "Copilot Studio 블로그",
        "https://www.microsoft.com/en-us/microsoft-copilot/blog/copilot-studio/feed/",
    ),
]


def forwards(apps: Any, schema_editor: Any) -> None:
    feed = apps.get_model("knowledge", "FeedSubscription")
    for name, url in DEFAULT_FEEDS:
        feed.objects.get_or_create(url=url, defaults={"name": name, "topic": "platform"})


def backwards(apps: Any, schema_editor: Any) -> None:
    feed = apps.get_model("knowledge", "FeedSubscription")
    feed.objects.filter(url__in=[url for _, url in DEFAULT_FEEDS], items__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_loops_attachments_feeds")]

    operations = [migrations.RunPython(forwards, backwards)]
