from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tierdesk.desk.services import InboundMessage, ticket_inbound_email


def parse_eml(raw: bytes) -> InboundMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    sender: Any = message.get("From", "")
    addresses = getattr(sender, "addresses", None)
    address = addresses[0].addr_spec if addresses else str(sender)
    return InboundMessage(
        from_address=address,
        subject=str(message.get("Subject", "")),
        body=str(body),
        message_id=str(message.get("Message-ID", "")).strip(),
        in_reply_to=str(message.get("In-Reply-To", "")).strip(),
        references=tuple(str(message.get("References", "")).split()),
    )


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
