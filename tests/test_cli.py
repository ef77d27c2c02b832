"""The `tierdesk` command as a user runs it: a real process, a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TIERDESK = Path(sys.executable).with_name("tierdesk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env["TIERDESK_DATA_DIR"] = str(data_dir)
    return env


def test_demo_seed_only_then_serve_with_gunicorn(tmp_path: Path) -> None:
    env = _env(tmp_path)
    seeded = subprocess.run(
        [str(TIERDESK), "demo", "--seed-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "Built the demo organisation" in seeded.stdout
    for account in (
        "admin",
        "platform",
        "agent",
        "maker",
        "member",
        "partner",
        "manager",
        "requester",
    ):
        assert f"  {account} " in seeded.stdout
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
        server.terminate()
        server.wait(timeout=30)


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
