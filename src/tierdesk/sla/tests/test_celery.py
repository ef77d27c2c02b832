"""Through a real Redis and a real Celery worker (started by .ci/run): a breach
notification goes out exactly once, even with sweeps sent three at a time.

The worker and this test share the database named by TIERDESK_DATABASE_URL /
TIERDESK_DATA_DIR and the mail sink TIERDESK_TEST_MAIL_SINK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(
        not os.environ.get("TIERDESK_REDIS_URL") or not os.environ.get("TIERDESK_TEST_MAIL_SINK"),
        reason="needs TIERDESK_REDIS_URL, a running Celery worker and a mail sink (.ci/run)",
    ),
]


def _worker(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tierdesk.sla.tests.worker", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_breach_goes_out_exactly_once_through_celery_and_redis():
    from tierdesk.celery import app

    sink = Path(os.environ["TIERDESK_TEST_MAIL_SINK"])
    sink.unlink(missing_ok=True)
    _worker("setup", "2")
    # Three sweeps at once race for the same due clocks; then the outbox, twice.
    results = [app.send_task("tierdesk.sla_sweep") for _ in range(3)]
    fired = [r.get(timeout=120) for r in results]
    for _ in range(2):
        app.send_task("tierdesk.outbox_deliver").get(timeout=120)
    counts = json.loads(_worker("counts"))
    # Filed in 2025, so every clock of both tickets is overdue; each breached once.
    breached = sum(f["fired"].get("breached", 0) for f in fired)
    assert breached == counts["breached"] == counts["breach_events"] == counts["clocks"] == 8
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    # Its people chose no language: the mail speaks the site's (Korean by default).
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        breached_words = translation.gettext("SLA breached")
    breaches = [m for m in lines if breached_words in m["subject"]]
    assert breaches, lines
    mails = Counter((m["to"][0], m["subject"], m["body"]) for m in lines)
    assert mails == Counter(tuple(row) for row in counts["outbox"])
    assert counts["sent"] == counts["notifications"] == len(lines)
