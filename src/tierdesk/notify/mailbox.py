"""Where e-mail goes when no mail server is configured: kept as `.eml` files in the data
directory (`<data dir>/mail/<date>/`), one per message, never printed to the terminal.
`tierdesk` commands use it unless TIERDESK_EMAIL_BACKEND says otherwise (`tierdesk.cli`);
the outbox page shows the same messages with their delivery state."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.common import clock

BACKEND = "tierdesk.notify.mailbox.EmailBackend"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def mail_dir() -> Path:
    configured = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "mail"


class EmailBackend(BaseEmailBackend):
    """Writes each message as an RFC 5322 file any mail program opens."""

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path) if file_path else mail_dir()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        now = timezone.localtime(clock.now())
        folder = self.folder / f"{now:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            key = str(message.extra_headers.get("X-Tierdesk-Key", "")) or uuid.uuid4().hex
            name = f"{now:%H%M%S}-{_UNSAFE.sub('_', key)[:120]}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


def mail_route() -> str:
    """Where e-mail goes, in one sentence (the demo banner, the outbox page)."""
    backend = settings.EMAIL_BACKEND
    if backend == BACKEND:
        return _("E-mail is kept as files in %(folder)s, not sent.") % {"folder": mail_dir()}
    if backend.endswith("smtp.EmailBackend"):
        return _("E-mail is sent through %(host)s:%(port)s.") % {
            "host": settings.EMAIL_HOST,
            "port": settings.EMAIL_PORT,
        }
    if backend.endswith("console.EmailBackend"):
        return _("E-mail is printed to the server's terminal, not sent.")
    if backend.endswith("locmem.EmailBackend") or backend.endswith("dummy.EmailBackend"):
        return _("E-mail is not sent (test mode).")
    return _("E-mail goes through %(backend)s.") % {"backend": backend}
