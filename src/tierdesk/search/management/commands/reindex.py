"""`tierdesk reindex [KIND …]`: build the search index of every (or the named) kind of
document afresh — after an upgrade that changes what is indexed (docs/search.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tierdesk.search import services


class Command(BaseCommand):
    help = "Build the search index afresh for every kind of document, or the kinds named."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kinds", nargs="*", help=f"kinds: {', '.join(services.kinds())}")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["kinds"] or services.kinds()
        unknown = sorted(set(wanted) - set(services.kinds()))
        if unknown:
            raise CommandError(
                f"unknown kind(s): {', '.join(unknown)}; known: {', '.join(services.kinds())}"
            )
        for kind in wanted:
            started = time.perf_counter()
            count = services.reindex(kind)
            seconds = time.perf_counter() - started
            self.stdout.write(f"{kind}: {count:,} documents indexed in {seconds:.1f} s")
