"""A separate process for the killed-import test. `python -m
tierdesk.inventory.importers.tests.runcheck check` prints the import runs (stored and
effective status) and how many solutions and usage facts exist, as JSON; `… import PATH
--die-at STEP` runs a real import and kills its own process with SIGKILL when pass 2
reaches STEP (`facts`: solutions written, transaction open) or when pass 1 has read its
first file (`reading`). The database comes from TIERDESK_DATABASE_URL / TIERDESK_DATA_DIR
like any tierdesk process."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import django


def check() -> None:
    from tierdesk.inventory.importers.models import ImportRun
    from tierdesk.inventory.importers.runs import effective_status
    from tierdesk.inventory.models import Solution, UsageFact

    print(
        json.dumps(
            {
                "runs": [
                    [run.status, effective_status(run)] for run in ImportRun.objects.order_by("pk")
                ],
                "solutions": Solution.objects.count(),
                "facts": UsageFact.objects.count(),
            }
        )
    )


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def run_import(path: str, die_at: str) -> None:
    from tierdesk.inventory.importers.engine.write import Writer
    from tierdesk.inventory.importers.services import import_run_execute

    progress = None
    if die_at == "facts":
        Writer.facts = lambda self: die()  # type: ignore[method-assign]
    elif die_at == "reading":

        def progress(label: str, n: int) -> None:
            die()

    def report(label: str, n: int) -> None:
        if progress is not None:
            progress(label, n)

    import_run_execute(paths=[Path(path)], actor=None, progress=report)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    django.setup()
    if argv[0] == "check":
        check()
    else:
        args: dict[str, Any] = {"die_at": ""}
        if "--die-at" in argv:
            args["die_at"] = argv[argv.index("--die-at") + 1]
        run_import(argv[1], args["die_at"])


if __name__ == "__main__":
    main(sys.argv[1:])
