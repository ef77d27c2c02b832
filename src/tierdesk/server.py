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


def _post_worker_init(worker: Any) -> None:
    """Without Redis, one worker (whichever takes the lock) runs the in-process scheduler."""
    from tierdesk.scheduler import scheduler_start

    scheduler_start()


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    cpu = os.cpu_count() or 1
    TierdeskServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers or max(2, min(cpu * 2, 8)),
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 120,
            "accesslog": "-",
            "errorlog": "-",
            "preload_app": True,
            "post_worker_init": _post_worker_init,
        }
    ).run()
