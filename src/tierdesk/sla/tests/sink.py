"""A fake mail server for tests that run other processes: every message sent becomes one
JSON line in the file named by TIERDESK_TEST_MAIL_SINK."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class JsonLinesBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        path = os.environ["TIERDESK_TEST_MAIL_SINK"]
        with open(path, "a", encoding="utf-8") as sink:
            for message in email_messages:
                line = {"to": list(message.to), "subject": message.subject, "body": message.body}
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
        return len(email_messages)
