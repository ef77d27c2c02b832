"""Background work off the request workers (issue 15): without Redis, `tierdesk serve`
runs the scheduler in one process of its own, the gunicorn workers never sweep, and the
scheduler stops with the server — a real `tierdesk serve`, a real port, /proc read."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

TIERDESK = Path(sys.executable).with_name("tierdesk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env.update(TIERDESK_DATA_DIR=str(data_dir), TIERDESK_SWEEP_SECONDS="1")
    return env


def _children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _lock_holders(path: Path) -> set[int]:
    """Pids holding a flock on `path`, from /proc/locks (its inode)."""
    inode = path.stat().st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and parts[-3].endswith(f":{inode}"):
            holders.add(int(parts[-4]))
    return holders


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve")
    subprocess.run([str(TIERDESK), "migrate", "-v", "0"], env=_env(path), check=True, timeout=300)
    return path


@pytest.fixture
def served(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(TIERDESK), "serve", "--port", str(port), "--workers", "2"],
        env=_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def up() -> bool:
        assert server.poll() is None, (data_dir / "serve.log").read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return True
        except OSError:
            return False

    _wait(up, 120, "the server did not answer within 120 s")
    # The master starts the workers and the scheduler; wait until all three are there.
    _wait(lambda: len(_children(server.pid)) >= 3, 30, "no workers / scheduler")
    started = _children(server.pid)
    try:
        yield server, port
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)
        for pid in started:  # whatever a failed test left behind
            if _alive(pid) and "tierdesk" in _cmdline(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()


def _roles(master: int) -> tuple[list[int], list[int]]:
    children = _children(master)
    schedulers = [p for p in children if "tierdesk.scheduler" in _cmdline(p)]
    workers = [p for p in children if p not in schedulers]
    return schedulers, workers


def test_serve_runs_one_scheduler_process_and_the_workers_never_sweep(
    served: tuple[subprocess.Popen[str], int], data_dir: Path
) -> None:
    server, _port = served
    schedulers, workers = _roles(server.pid)
    assert len(schedulers) == 1, [_cmdline(p) for p in _children(server.pid)]
    assert len(workers) == 2
    (scheduler,) = schedulers
    # The machine's scheduler lock is held by the scheduler's process, by no worker.
    lock = data_dir / "scheduler.lock"
    _wait(lambda: lock.exists() and _lock_holders(lock) == {scheduler}, 30, "lock not taken")
    assert not set(workers) & _lock_holders(lock)
    time.sleep(2.5)  # a few rounds (TIERDESK_SWEEP_SECONDS=1): still one, still its own
    assert _roles(server.pid)[0] == [scheduler]
    assert _lock_holders(lock) == {scheduler}

    # Stopping `tierdesk serve` stops the scheduler too.
    server.terminate()
    server.wait(timeout=60)
    _wait(lambda: not _alive(scheduler), 30, "the scheduler outlived the server")
    log = (data_dir / "serve.log").read_text()
    assert log.count("scheduler process") >= 2 and "stopped after" in log


def test_the_scheduler_ends_when_the_server_is_killed(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    server, _port = served
    schedulers, workers = _roles(server.pid)
    assert len(schedulers) == 1
    os.kill(server.pid, signal.SIGKILL)  # no hook runs: the scheduler notices by itself
    server.wait(timeout=10)
    _wait(lambda: not _alive(schedulers[0]), 15, "the scheduler outlived a killed server")
    for pid in workers:  # gunicorn's workers notice their master is gone, too
        _wait(lambda pid=pid: not _alive(pid), 60, "a worker outlived a killed server")


def test_the_scheduler_process_exits_at_once_with_redis_or_without_its_parent(
    settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tierdesk import scheduler

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert scheduler.scheduler_process_run(parent=os.getppid()) == 0
    assert not scheduler.SchedulerProcess().start()
    settings.REDIS_URL = ""
    monkeypatch.setattr(scheduler, "_started", {})
    started = time.monotonic()
    # A parent that is not ours (our own pid never is): an orphan ends before any round.
    assert scheduler.scheduler_process_run(parent=os.getpid()) == 0
    assert time.monotonic() - started < 5
    assert "thread" not in scheduler._started
