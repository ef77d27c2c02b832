"""The `tierdesk` command: every Django management command, plus `serve`, `demo`,
`token` and (from the apps) `import`, `scan`, `sweep`."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["tierdesk", *(args or ["help"])])


if __name__ == "__main__":
    main()
