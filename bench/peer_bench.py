"""Filing a ticket side by side with the Python peer (issue 15): django-helpdesk 2.6 and
tierdesk, one after the other on this machine, each under gunicorn with 2 workers and 4
clients, then tierdesk's floor (one insert through the same stack, `bench.urls` /
`bench.probe`, installed only by the benchmark's own settings, never in the product).

Installs nothing: the peer's venv is made beforehand, outside the repository, as
../shared/peer/README.md says (`python3 -m venv $PEER_VENV; $PEER_VENV/bin/pip install
"django-helpdesk==2.6.*" "psycopg[binary]" gunicorn`).

    python bench/peer_bench.py --peer-venv PATH [--peer-data PATH]
        [--database sqlite|postgres] [--requests N] [--fresh]

The peer always runs on SQLite in --peer-data (its reference figure); `--database` picks
tierdesk's database (PostgreSQL: TIERDESK_BENCH_POSTGRES_URL). The peer files through its
own REST API (`POST /api/tickets/`, DRF token), tierdesk through `POST /api/v1/tickets/`
(API token), the same loader for both (desk_bench's). Ends with one line of JSON: rates,
p50/p95/p99/max of each, `ratio_create_to_peer` and `ratio_create_to_floor`."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from desk_bench import (
    CLIENTS,
    DATA,
    ROOT,
    _free_port,
    _load,
    create_and_floor,
    stop_server,
    tierdesk_env,
    wait_until_up,
)

PEER = ROOT.parent / "shared" / "peer"
FIGURES = ("per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms")


def _peer_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIERDESK_", "DJANGO_"))}
    env.pop("PYTHONPATH", None)  # the peer's venv has its own Django; keep ours out of it
    env.update(HD_DATA_DIR=str(data), DATABASE_URL=f"sqlite:///{data / 'hd.sqlite3'}")
    return env


def peer_create(venv: Path, data: Path, requests: int, *, fresh: bool) -> dict[str, Any]:
    """Migrate and bootstrap the peer, serve it with gunicorn (2 workers), time `requests`
    ticket creations through its REST API with 4 clients."""
    if fresh and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    env = _peer_env(data.resolve())
    python = str(venv / "bin" / "python")
    manage = str(PEER / "helpdesk_host" / "manage.py")
    subprocess.run([python, manage, "migrate", "-v", "0"], env=env, cwd=PEER, check=True)
    out = subprocess.run(
        [python, manage, "bootstrap_peer"],
        env=env,
        cwd=PEER,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    token = re.search(r"^TOKEN (\S+)$", out, re.M)
    queue = re.search(r"\((\d+), 'support'\)", out)
    if not token or not queue:
        raise SystemExit(f"bootstrap_peer said nothing usable:\n{out}")
    port = _free_port()
    server = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "--chdir",
            str(PEER / "helpdesk_host"),
            "hdhost.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=PEER,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/tickets/"

    def bodies(count: int, tag: str) -> list[dict[str, Any]]:
        return [
            {
                "queue": int(queue.group(1)),
                "title": f"{tag} {i}: 저장이 안 돼요",
                "description": "The app does not save.",
                "submitter_email": f"maker{i % 50}@example.com",
                "priority": 3,
            }
            for i in range(count)
        ]

    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server)
        _load(url, token.group(1), bodies(4 * CLIENTS, "warm-up"))
        figures = _load(url, token.group(1), bodies(requests, "bench"))
    finally:
        stop_server(server)
    print(
        f"  [peer]   create {figures['per_s']:7.1f}/s   p50 {figures['p50_ms']:6.1f} ms   "
        f"p95 {figures['p95_ms']:6.1f} ms   p99 {figures['p99_ms']:6.1f} ms"
    )
    return {f"peer_{key}": round(figures[key], 1) for key in FIGURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--peer-venv", type=Path, required=True)
    parser.add_argument("--peer-data", type=Path, default=DATA.parent / "peer_bench" / "peer")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=400, help="per measured run")
    parser.add_argument("--fresh", action="store_true", help="start from empty databases")
    args = parser.parse_args()
    if not (args.peer_venv / "bin" / "gunicorn").exists():
        raise SystemExit(f"{args.peer_venv}: no gunicorn; make the peer's venv first (README)")
    print(
        f"peer (sqlite) then tierdesk ({args.database}): "
        f"{args.requests} creations, {CLIENTS} clients"
    )
    results: dict[str, Any] = {"database": args.database, "requests": args.requests}
    results.update(peer_create(args.peer_venv, args.peer_data, args.requests, fresh=args.fresh))
    env = tierdesk_env(args.database, fresh=args.fresh)
    results.update(create_and_floor(args.database, env, args.requests))
    results["ratio_create_to_peer"] = round(results["create_per_s"] / results["peer_per_s"], 2)
    results["p99_vs_peer"] = round(results["create_p99_ms"] / results["peer_p99_ms"], 2)
    print(
        f"  tierdesk files {results['ratio_create_to_peer']:.2f}× the peer's rate (aim ≥ 5×), "
        f"{results['ratio_create_to_floor']:.2f}× the floor (aim ≥ 0.5×), p99 "
        f"{results['create_p99_ms']:.0f} ms against the peer's {results['peer_p99_ms']:.0f} ms"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
