from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tierdesk.desk.intake import mail_parse
from tierdesk.desk.services import InboundMessage, ticket_inbound_email


def parse_eml(raw: bytes) -> InboundMessage:
    """The one mail parser (`desk.intake.mail_parse`), which the mailbox poller uses too."""
    return mail_parse(raw).message


class Command(BaseCommand):
    help = "Thread replies received by e-mail (.eml files) into their tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["paths"]:
            reply = ticket_inbound_email(message=parse_eml(path.read_bytes()))
            if reply is None:
                self.stdout.write(f"{path}: not threaded (no ticket, or sender may not see it)")
            else:
                self.stdout.write(f"{path}: added to {reply.ticket.number}")
