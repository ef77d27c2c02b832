"""Serve tierdesk with gunicorn, a production-grade WSGI server (never Django's
development server)."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class TierdeskServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from tierdesk.wsgi import application

        return application


_SCHEDULER: dict[str, Any] = {}


def _when_ready(server: Any) -> None:
    """Without Redis, the master starts the scheduler in a process of its own; the
    workers only serve requests (tierdesk.scheduler)."""
    from tierdesk.scheduler import SchedulerProcess

    scheduler = SchedulerProcess()
    if scheduler.start():
        _SCHEDULER["process"] = scheduler


def _on_exit(server: Any) -> None:
    scheduler = _SCHEDULER.pop("process", None)
    if scheduler is not None:
        scheduler.stop()


def _proxy_options() -> dict[str, Any]:
    """Behind a load balancer (TIERDESK_TRUSTED_PROXIES / TIERDESK_PROXY_COUNT), gunicorn
    believes the same proxies as Django does and its access log names the client the
    proxy saw, not the proxy."""
    from django.conf import settings

    if not settings.TIERDESK_BEHIND_PROXY:
        return {}
    return {
        "forwarded_allow_ips": ",".join(settings.TIERDESK_TRUSTED_PROXIES) or "*",
        "access_log_format": (
            '%({x-forwarded-for}i)s via %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
        ),
    }


def web_threads() -> int:
    """Request threads per worker (`TIERDESK_WEB_THREADS`, else by database).

    SQLite: one. Its writers take turns on one lock, and two requests of one process
    also take turns on Python's GIL: a request that holds the write lock while the other
    thread runs makes it wait, then sleep in SQLite's busy handler (up to 100 ms a try).
    Measured with bench/peer_bench.py (2 workers, 4 clients, 400 creations): one thread
    filed 135-142 tickets/s with p99 74-127 ms, four threads 73-106/s with p99 542-757 ms.
    PostgreSQL: four, since a request waiting on the database lets another run: one
    thread filed 39/s (p99 216 ms), four 82/s (p99 103 ms). docs/performance.md."""
    configured = os.environ.get("TIERDESK_WEB_THREADS", "").strip()
    if configured:
        return max(1, int(configured))
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return 1 if engine.endswith("sqlite3") else 4


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    cpu = os.cpu_count() or 1
    TierdeskServer(
        {
            **_proxy_options(),
            "bind": f"{host}:{port}",
            "workers": workers or max(2, min(cpu * 2, 8)),
            "threads": web_threads(),
            "worker_class": "gthread",
            "timeout": 120,
            "accesslog": "-",
            "errorlog": "-",
            "preload_app": True,
            "when_ready": _when_ready,
            "on_exit": _on_exit,
        }
    ).run()
