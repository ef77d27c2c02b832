"""The `tierdesk` command: every Django management command, plus `serve`, `demo`,
`token` and (from the apps) `import`, `scan`, `sweep`.

Two defaults are set here, before the settings are read, and only when the environment
does not set them: e-mail is kept as files in the data directory (`<data dir>/mail/`)
rather than printed to the terminal when no mail server is configured; and the demo's
links (e-mail, Teams) point at the host and port it serves on."""

from __future__ import annotations

import os
import sys

MAIL_KEPT = "tierdesk.notify.mailbox.EmailBackend"


def _option(args: list[str], name: str, default: str) -> str:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return default


def defaults(args: list[str]) -> dict[str, str]:
    """The environment defaults for a command line (applied with setdefault)."""
    found = {"TIERDESK_EMAIL_BACKEND": MAIL_KEPT}
    if args[:1] == ["demo"]:
        host = _option(args, "--host", "127.0.0.1")
        if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - naming, not binding
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        found["TIERDESK_BASE_URL"] = f"http://{host}:{_option(args, '--port', '8000')}"
    return found


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    for name, value in defaults(args).items():
        os.environ.setdefault(name, value)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tierdesk", *(args or ["help"])])


if __name__ == "__main__":
    main()
