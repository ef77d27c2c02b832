from __future__ import annotations

import errno
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from tierdesk.demo.builder import DEMO_PERSONAS, build
from tierdesk.notify.mailbox import mail_route

READY_WITHIN_S = 180


def _extensions() -> list[tuple[str, Callable[..., dict[str, int]]]]:
    """The apps that add their own demo data on top of the organisation and inventory,
    in dependency order. Each is deterministic and creates nothing the second time."""
    from tierdesk.desk.demo import clocks_build
    from tierdesk.desk.demo import demo_build as desk_demo
    from tierdesk.governance.demo import demo_build as governance_demo
    from tierdesk.insights.demo import demo_build as insights_demo
    from tierdesk.knowledge.demo import demo_build as knowledge_demo
    from tierdesk.sla.demo import demo_build as sla_demo

    return [
        ("governance", governance_demo),
        ("desk", desk_demo),
        ("service levels", sla_demo),
        ("clocks", clocks_build),
        ("knowledge base", lambda size: knowledge_demo()),
        ("automation candidates", insights_demo),
    ]


def _browsable(host: str) -> str:
    """The host to type into a browser for a bind address."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - naming, not binding
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def accounts_text() -> list[str]:
    width = max(len(username) for username, _persona in DEMO_PERSONAS)
    return [f"  {username:<{width}}  {persona}" for username, persona in DEMO_PERSONAS]


def banner(url: str) -> str:
    """What a newcomer needs, once: where to go, who to sign in as, where mail goes."""
    with translation.override("en"):
        mail = str(mail_route())
    rule = "─" * 72
    return "\n".join(
        [
            rule,
            f"tierdesk demo is ready: {url}",
            "",
            "Sign in as one of these people (password for every one: demo):",
            *accounts_text(),
            "",
            f"Mail: {mail}",
            f"      What was sent to whom, and how: {url}notifications/outbox/ "
            "(as admin or platform).",
            f"Another port: make demo PORT=8080    Stop: Ctrl+C    Data: {settings.DATA_DIR}",
            rule,
        ]
    )


def _port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno in {errno.EADDRINUSE, errno.EACCES}
    return False


def _announce_when_ready(url: str, out: TextIO) -> None:
    """Wait in the background until the server answers, then print the banner once."""

    def wait() -> None:
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        time.sleep(0.5)  # after the server's own start-up lines
                        out.write(f"\n{banner(url)}\n")
                        out.flush()
                        return
            except OSError:
                time.sleep(0.3)

    threading.Thread(target=wait, name="demo-banner", daemon=True).start()


class Command(BaseCommand):
    help = (
        "Build the demo organisation (once), then serve tierdesk and print where to go "
        "and who to sign in as. E-mail is kept (files in the data directory and the "
        "outbox page), never printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed-only", action="store_true", help="build, then exit")
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--port", type=int, default=8000, help="port to listen on (make demo PORT=8080)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not options["seed_only"] and _port_taken(host, port):
            raise CommandError(
                f"Port {port} is already in use. Pick another one: "
                f"make demo PORT={port + 80}  (or tierdesk demo --port {port + 80})"
            )
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
        if options["seed_only"]:
            self.stdout.write("Demo accounts (password 'demo'):")
            self.stdout.write("\n".join(accounts_text()))
            self.stdout.write("Serve it with: tierdesk demo (or make demo)")
            return
        self.stdout.write("Starting the server…")
        _announce_when_ready(f"http://{_browsable(host)}:{port}/", sys.stdout)
        call_command("serve", host=host, port=port)
