"""The `tierdesk` command as a user runs it: a real process, a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tierdesk.cli import defaults

TIERDESK = Path(sys.executable).with_name("tierdesk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env["TIERDESK_DATA_DIR"] = str(data_dir)
    return env


ACCOUNTS = ("admin", "platform", "agent", "maker", "member", "partner", "manager", "requester")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One demo organisation for the tests of this module (building it takes a while)."""
    data_dir = tmp_path_factory.mktemp("demo")
    seeded = subprocess.run(
        [str(TIERDESK), "demo", "--seed-only"],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    yield data_dir, seeded.stdout


def _stop(server: subprocess.Popen[str]) -> str:
    server.terminate()
    try:
        out, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        out, _ = server.communicate()
    return out or ""


def test_demo_seed_only_then_serve_with_gunicorn(seeded: tuple[Path, str]) -> None:
    data_dir, stdout = seeded
    env = _env(data_dir)
    assert "Built the demo organisation" in stdout
    for account in ACCOUNTS:
        assert f"  {account} " in stdout
    again = subprocess.run(
        [str(TIERDESK), "demo", "--seed-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "already here" in again.stdout

    port = _free_port()
    server = subprocess.Popen(
        [str(TIERDESK), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "server did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
            page = r.read().decode()
            assert "tierdesk" in page and r.headers["Server"].startswith("gunicorn")
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/tierdesk/app.css", timeout=5
        ) as r:
            assert r.status == 200
    finally:
        _stop(server)


def test_demo_says_where_to_go_and_who_to_be_and_keeps_mail(seeded: tuple[Path, str]) -> None:
    """`make demo PORT=…` as a newcomer runs it: one banner once the server answers (the
    address, every account with who they are, where mail goes); no e-mail in the terminal,
    the e-mail kept as files in the data directory instead."""
    data_dir, _stdout = seeded
    port = _free_port()
    server = subprocess.Popen(
        [str(TIERDESK), "demo", "--port", str(port)],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(server.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("Another port:") for line in list(seen)):
            assert server.poll() is None, "".join(seen)
            assert time.monotonic() < deadline, "no banner within 120 s:\n" + "".join(seen)
            time.sleep(0.3)
        mail = data_dir / "mail"
        while not list(mail.glob("*/*.eml")):  # the scheduler delivers what the demo queued
            assert time.monotonic() < deadline, "no mail kept within 120 s"
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(seen)
    url = f"http://127.0.0.1:{port}/"
    banner = output[output.index("tierdesk demo is ready") :]
    assert banner.startswith(f"tierdesk demo is ready: {url}")
    assert output.count("tierdesk demo is ready") == 1
    assert "password for every one: demo" in banner
    for account in ACCOUNTS:
        assert f"\n  {account} " in banner, account
    assert f"E-mail is kept as files in {mail}" in banner
    assert f"{url}notifications/outbox/" in banner and "make demo PORT=" in banner
    # Not one e-mail in the terminal.
    for header in ("Subject:", "Content-Transfer-Encoding", "X-Tierdesk-Key", "MIME-Version"):
        assert header not in output, header
    kept = next(iter(mail.glob("*/*.eml"))).read_text()
    assert "Subject:" in kept and "X-Tierdesk-Key:" in kept


def test_demo_help_and_a_port_in_use(tmp_path: Path) -> None:
    helped = subprocess.run(
        [str(TIERDESK), "demo", "--help"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--port" in helped.stdout and "make demo PORT=8080" in helped.stdout
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = subprocess.run(
            [str(TIERDESK), "demo", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert refused.returncode != 0
    assert f"Port {port} is already in use" in refused.stderr and "PORT=" in refused.stderr


def test_defaults_keep_mail_and_point_demo_links_at_its_port() -> None:
    assert defaults(["serve"]) == {"TIERDESK_EMAIL_BACKEND": "tierdesk.notify.mailbox.EmailBackend"}
    assert defaults(["demo", "--port", "8080"])["TIERDESK_BASE_URL"] == "http://127.0.0.1:8080"
    assert defaults(["demo", "--host=0.0.0.0"])["TIERDESK_BASE_URL"] == "http://127.0.0.1:8000"


def test_token_prints_lists_and_revokes_tokens(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([str(TIERDESK), "migrate", "-v", "0"], env=env, check=True, timeout=120)
    subprocess.run(
        [
            str(TIERDESK),
            "shell",
            "-c",
            "from tierdesk.accounts.models import User; "
            "User.objects.create_user('ops', password='x')",
        ],
        env=env,
        check=True,
        timeout=60,
    )

    def token(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(TIERDESK), "token", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    first = token("ops").stdout.strip()
    second = token("ops", "--days", "7").stdout.strip()
    # 64 hex characters, a new one every time (only digests are stored).
    assert len(first) == len(second) == 64 and first != second
    listed = token("ops", "--list").stdout
    assert first[:15] in listed and second[:15] in listed
    assert first not in listed and second not in listed  # no secrets
    assert "revoked 1 token" in token("ops", "--revoke", first[:8]).stderr
    listed = token("ops", "--list").stdout
    assert first[:15] not in listed and second[:15] in listed
    assert "revoked 1 token" in token("ops", "--revoke-all").stderr
    assert "has no API tokens" in token("ops", "--list").stderr
    missing = subprocess.run(
        [str(TIERDESK), "token", "ghost"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode != 0 and "no user named 'ghost'" in missing.stderr
