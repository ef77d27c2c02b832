"""`tierdesk fetch_feeds`: fetch every enabled product-update feed now (what the daily job
does), or the ones named by id; new posts become review tasks for the articles they touch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tierdesk.knowledge import feeds
from tierdesk.knowledge.models import FeedSubscription


class Command(BaseCommand):
    help = "Fetch the product-update feeds now (conditional requests) and make review tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Feed ids (default: every enabled)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        if ids:
            found = list(FeedSubscription.objects.filter(pk__in=ids).order_by("id"))
            missing = sorted(set(ids) - {f.pk for f in found})
            if missing:
                raise CommandError(f"no feed with id {', '.join(map(str, missing))}")
        else:
            found = list(FeedSubscription.objects.filter(enabled=True).order_by("id"))
        failed = 0
        for feed in found:
            result = feeds.feed_fetch(feed=feed, actor=None)
            if result.error:
                failed += 1
                self.stderr.write(f"{feed.pk} {feed.name}: {result.error}")
            elif result.not_modified:
                self.stdout.write(f"{feed.pk} {feed.name}: not modified")
            else:
                self.stdout.write(
                    f"{feed.pk} {feed.name}: {result.new_items} new items, "
                    f"{result.tasks} review tasks"
                )
        self.stdout.write(f"{len(found)} feeds fetched, {failed} failed")
