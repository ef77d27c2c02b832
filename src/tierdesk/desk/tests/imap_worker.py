"""A separate process for the killed-poller test: migrate, poll the mailbox
(TIERDESK_IMAP_*) and die at a named point, report counts. Run as
`python -m tierdesk.desk.tests.imap_worker COMMAND`; the database comes from
TIERDESK_DATABASE_URL / TIERDESK_DATA_DIR like any tierdesk process."""

from __future__ import annotations

import json
import os
import sys

import django


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def poll(die_at: str) -> None:
    from tierdesk.desk import imap_poll

    if die_at:
        point, _, n = die_at.partition(":")

        def hook(name: str, count: int) -> None:
            if name == point and count >= int(n):
                os._exit(17)  # killed: no commit, no clean-up, no logout

        imap_poll.fault_hook = hook
    print(json.dumps(imap_poll.mail_poll().as_dict()))


def counts() -> None:
    from tierdesk.desk.mailbox_models import MailboxMessage
    from tierdesk.desk.models import Ticket

    print(
        json.dumps(
            {
                "tickets": Ticket.objects.count(),
                "subjects": list(Ticket.objects.values_list("subject", flat=True)),
                "records": MailboxMessage.objects.count(),
            }
        )
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    django.setup()
    command, *rest = sys.argv[1:] or ["?"]
    if command == "setup":
        setup()
    elif command == "poll":
        poll(rest[0] if rest else "")
    elif command == "counts":
        counts()
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
