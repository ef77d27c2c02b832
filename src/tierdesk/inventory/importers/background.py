"""Imports started from the upload page run in a thread of the web process, so the page
can show the run (and its progress) at once. The thread owns the uploaded files and
removes them when it ends; a thread killed with its process leaves a run that shows as
interrupted (see `runs`)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connection
from django.utils import translation

from tierdesk.inventory.importers.models import ImportRun
from tierdesk.inventory.importers.services import import_run_execute
from tierdesk.inventory.importers.uploads import discard

log = logging.getLogger(__name__)


def import_run_in_background(
    *, run: ImportRun, folder: Path, language: str, **kwargs: Any
) -> threading.Thread:
    """Run `import_run_execute(run=run, paths=[folder], **kwargs)` in a daemon thread, its
    messages in `language` (the person's who started it), and remove `folder` afterwards,
    whatever happens."""

    def work() -> None:
        close_old_connections()
        try:
            with translation.override(language):
                import_run_execute(run=run, paths=[folder], **kwargs)
        except Exception:  # the run is recorded as interrupted by import_run_execute
            log.exception("import run %s failed", run.pk)
        finally:
            discard(folder)
            connection.close()

    thread = threading.Thread(target=work, name=f"tierdesk-import-{run.pk}", daemon=True)
    thread.start()
    return thread


def sync_run_in_background(*, run: ImportRun, actor: Any, language: str) -> threading.Thread:
    """Carry on a begun live sync (`sync.sync_execute(run=run)`) in a daemon thread, its
    messages in `language`."""
    from tierdesk.inventory.importers.sync import sync_execute

    def work() -> None:
        close_old_connections()
        try:
            with translation.override(language):
                sync_execute(run=run, actor=actor, interface=run.interface)
        except Exception:  # recorded as interrupted by sync_execute
            log.exception("sync run %s failed", run.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name=f"tierdesk-sync-{run.pk}", daemon=True)
    thread.start()
    return thread
