"""Production settings come from the environment alone, and Django's deployment checklist
(`tierdesk check --deploy`) has nothing to say about them."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "TIERDESK_SECRET_KEY": secrets.token_urlsafe(50),
    "TIERDESK_ALLOWED_HOSTS": "tierdesk.example.com",
    "TIERDESK_BASE_URL": "https://tierdesk.example.com",
    "TIERDESK_HTTPS": "1",
    "TIERDESK_SECURE_COOKIES": "1",
    "TIERDESK_TRUSTED_PROXIES": "10.0.0.0/8",
}


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixture
    return subprocess.run(
        [sys.executable, "-m", "tierdesk", *args],
        env={**clean, "TIERDESK_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(tmp_path: Path, env: dict[str, str], *names: str) -> dict[str, object]:
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    done = _run(tmp_path, env, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_check_deploy_security_is_clean_under_production_settings(tmp_path: Path) -> None:
    """Django's deployment checklist and the security libraries' own checks."""
    done = _run(
        tmp_path, PRODUCTION, "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    """Everything `check --deploy` runs, drf-spectacular's schema check included."""
    done = _run(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_check_deploy_warns_about_the_embedded_defaults(tmp_path: Path) -> None:
    """The check is not silenced wholesale: without HTTPS it says what is missing."""
    done = _run(tmp_path, {}, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr + done.stdout


def test_https_turns_on_redirects_hsts_and_secure_cookies(tmp_path: Path) -> None:
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "USE_X_FORWARDED_HOST",
        "TIERDESK_BASE_URL",
        "CSRF_TRUSTED_ORIGINS",
    )
    on = _settings(tmp_path, {"TIERDESK_HTTPS": "1", "TIERDESK_PROXY_COUNT": "1"}, *names)
    assert on == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": True,
        "TIERDESK_BASE_URL": "http://127.0.0.1:8000",
        "CSRF_TRUSTED_ORIGINS": ["http://127.0.0.1:8000"],
    }
    off = _settings(tmp_path, {}, *names)
    assert off["SECURE_SSL_REDIRECT"] is False and off["SECURE_HSTS_SECONDS"] == 0
    assert off["SESSION_COOKIE_SECURE"] is False and off["SECURE_PROXY_SSL_HEADER"] is None
    # Secure cookies alone, as before TIERDESK_HTTPS existed.
    cookies = _settings(tmp_path, {"TIERDESK_SECURE_COOKIES": "1"}, *names)
    assert cookies["SESSION_COOKIE_SECURE"] is True and cookies["SECURE_SSL_REDIRECT"] is False


def test_wrong_security_settings_stop_the_start(tmp_path: Path) -> None:
    for env, message in (
        ({"TIERDESK_BASE_URL": "tierdesk.example.com"}, "TIERDESK_BASE_URL"),
        ({"TIERDESK_BASE_URL": "https://x.example/sub/"}, "TIERDESK_BASE_URL"),
        ({"TIERDESK_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"}, "TIERDESK_TRUSTED_PROXIES"),
        ({"TIERDESK_PROXY_COUNT": "one"}, "TIERDESK_PROXY_COUNT"),
        ({"TIERDESK_TOKEN_DAYS": "0"}, "TIERDESK_TOKEN_DAYS"),
    ):
        done = _run(tmp_path, env, "check")
        assert done.returncode != 0 and message in done.stderr, env
    trailing = _settings(
        tmp_path, {"TIERDESK_BASE_URL": "https://tierdesk.example.com/"}, "TIERDESK_BASE_URL"
    )
    assert trailing == {"TIERDESK_BASE_URL": "https://tierdesk.example.com"}
