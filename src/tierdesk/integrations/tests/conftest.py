"""A webhook receiver on 127.0.0.1 for the integrations tests: a real HTTP server; and
names resolved from a fixed table (`names`), never through DNS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tierdesk.common import egress


class Receiver:
    """A webhook receiver on 127.0.0.1: records what it gets, answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.location = ""  # sent as Location (a redirect) when set
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append((dict(self.headers.items()), self.rfile.read(length)))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture(autouse=True)
def names() -> Iterator[dict[str, list[str]]]:
    """The only names that resolve in these tests, and to what (change it inside a test:
    the next lookup answers the new address)."""
    table: dict[str, list[str]] = {"localhost": ["127.0.0.1", "::1"]}
    with egress.resolving(table):
        yield table
