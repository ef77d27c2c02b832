from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tierdesk.demo.builder import DEMO_ACCOUNTS, build


def _extensions() -> list[tuple[str, Callable[..., dict[str, int]]]]:
    """The apps that add their own demo data on top of the organisation and inventory,
    in dependency order. Each is deterministic and creates nothing the second time."""
    from tierdesk.desk.demo import clocks_build
    from tierdesk.desk.demo import demo_build as desk_demo
    from tierdesk.governance.demo import demo_build as governance_demo
    from tierdesk.sla.demo import demo_build as sla_demo

    return [
        ("governance", governance_demo),
        ("desk", desk_demo),
        ("service levels", sla_demo),
        ("clocks", clocks_build),
    ]


class Command(BaseCommand):
    help = "Build the demo organisation (once), print its accounts, then serve tierdesk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed-only", action="store_true", help="build, then exit")
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        report = build(size=options["size"], progress=self.stdout.write)
        took = time.perf_counter() - started
        if report.created:
            self.stdout.write(
                f"Built the demo organisation ({options['size']}): {report.solutions:,} "
                f"solutions, {report.environments} environments, {report.usage_facts:,} "
                f"usage facts in {took:.1f}s."
            )
        else:
            self.stdout.write(
                f"The demo organisation is already here ({report.solutions:,} solutions)."
            )
        for name, extend in _extensions():
            counts = extend(size=options["size"])
            made = ", ".join(f"{n:,} {what}" for what, n in counts.items() if n)
            self.stdout.write(f"{name}: {made or 'already here'}")
        self.stdout.write("Demo accounts (password 'demo'):")
        for username, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {description}")
        if not options["seed_only"]:
            call_command("serve", host=options["host"], port=options["port"])
