"""How many request threads each gunicorn worker runs (tierdesk.server.web_threads): one
on SQLite, four on PostgreSQL, or what TIERDESK_WEB_THREADS says (figures behind the
choice: docs/performance.md, "Filing side by side with the peer")."""

from __future__ import annotations

from typing import Any

from tierdesk.server import web_threads


def test_sqlite_serves_one_request_per_worker(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TIERDESK_WEB_THREADS", raising=False)
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
    assert web_threads() == 1


def test_postgresql_serves_four(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TIERDESK_WEB_THREADS", raising=False)
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}
    assert web_threads() == 4


def test_the_environment_decides_when_set(settings: Any, monkeypatch: Any) -> None:
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
    monkeypatch.setenv("TIERDESK_WEB_THREADS", "8")
    assert web_threads() == 8
    monkeypatch.setenv("TIERDESK_WEB_THREADS", "0")
    assert web_threads() == 1
