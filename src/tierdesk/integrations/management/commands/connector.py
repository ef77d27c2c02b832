"""`tierdesk connector [--out DIR] [--auth apikey|aad]`: write the Power Platform custom
connector (apiDefinition.swagger.json and apiProperties.json) generated from the live
API, for make.powerapps.com → Custom connectors → Import an OpenAPI file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tierdesk.integrations import connector


class Command(BaseCommand):
    help = "Write the Power Platform custom connector files (OpenAPI 2.0 and apiProperties)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="connector", help="Directory to write to.")
        parser.add_argument(
            "--auth",
            choices=["apikey", "aad"],
            default=None,
            help="API token (default, TIERDESK_CONNECTOR_AUTH) or OAuth 2.0 with Entra ID.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for path in connector.write(Path(options["out"]), auth=options["auth"]):
            self.stdout.write(str(path))
