"""What the persona tests share: the demo organisation served by the real `tierdesk serve`,
a Korean Chromium per persona, and the checks every visited page must pass.

Each page a persona visits is checked as a reviewer would: axe-core (from the npm registry,
`scripts/ensure-axe`) finds no serious or critical violation; at 390 px the page does not
scroll sideways; a screenshot is written to `var/screenshots/` (or
`$TIERDESK_SCREENSHOTS`) at the width of the context, so a person can look."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parents[2]
TIERDESK = ROOT / ".venv" / "bin" / "tierdesk"
AXE = ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("TIERDESK_SCREENSHOTS", ROOT / "var" / "screenshots"))
WIDE, NARROW = 1400, 390
DEMO_PASSWORD = "demo"  # the README's demo password
# The rules axe-core runs: WCAG 2.1 A and AA, plus its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]


@contextmanager
def demo_server(data_dir: Path) -> Iterator[DemoServer]:
    """`tierdesk demo --seed-only` then `tierdesk serve` on a free port, on SQLite in
    `data_dir` — what a newcomer runs, not the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env |= {"TIERDESK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    subprocess.run([str(TIERDESK), "demo", "--seed-only"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (data_dir / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(TIERDESK), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (http only)
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data_dir / "serve.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield DemoServer(url=url, data_dir=data_dir, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class Visit:
    """The checks of one visited page, kept so a test can report them all at once."""

    name: str
    width: int
    violations: list[str] = field(default_factory=list)


class Persona:
    """One person in a Korean Chromium at one width, signed in to the demo."""

    def __init__(self, browser: Browser, server: DemoServer, username: str, width: int) -> None:
        height = 900 if width >= 1000 else 844
        self.context = browser.new_context(
            locale="ko-KR",
            viewport={"width": width, "height": height},
            base_url=server.url,
        )
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.username, self.width, self.server = username, width, server
        self.visits: list[Visit] = []

    def sign_in(self) -> None:
        """Every demo account's password is "demo" (README)."""
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", self.username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    def check(self, name: str, *, no_sideways_scroll: bool = False) -> Visit:
        """axe-core, the sideways-scroll check and a screenshot of the page as it is now."""
        page = self.page
        page.wait_for_load_state("networkidle")
        visit = Visit(name=name, width=self.width)
        # Evaluated through the DevTools protocol: the page's CSP (no inline script) holds.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        result: dict[str, Any] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        for violation in result["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [" ".join(n["target"]) for n in violation["nodes"][:3]]
                visit.violations.append(
                    f"{name}@{self.width}: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} — {targets}"
                )
        if no_sideways_scroll:
            wide = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if wide > 0:
                visit.violations.append(f"{name}@{self.width}: scrolls sideways by {wide} px")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{self.username}-{name}-{self.width}.png"), full_page=True
        )
        self.visits.append(visit)
        return visit

    def problems(self) -> list[str]:
        return [v for visit in self.visits for v in visit.violations]

    def close(self) -> None:
        self.context.close()
