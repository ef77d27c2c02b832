from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import api_tokens_of
from tierdesk.accounts.services import TokenRefused, api_token_create, api_tokens_revoke


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (tokens are stored hashed, so an existing one "
        "cannot be shown again; it expires after TIERDESK_TOKEN_DAYS). --list shows the "
        "user's tokens without their secrets; --revoke PREFIX / --revoke-all revoke them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--list", action="store_true", help="List the tokens: key prefix, created, expiry."
        )
        what.add_argument(
            "--revoke", metavar="PREFIX", help="Revoke the token whose key starts with PREFIX."
        )
        what.add_argument("--revoke-all", action="store_true", help="Revoke all the tokens.")
        parser.add_argument(
            "--days", type=int, help="Days the new token is valid (default TIERDESK_TOKEN_DAYS)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        try:
            if options["list"]:
                self._list(user)
            elif options["revoke"] is not None or options["revoke_all"]:
                count = api_tokens_revoke(user=user, prefix=options["revoke"])
                self.stderr.write(f"revoked {count} token(s) of {user.username}")
            else:
                instance, token = api_token_create(user=user, days=options["days"])
                self.stdout.write(token)
                self.stderr.write(
                    f"token {instance.token_key} for {user.username}, expires "
                    f"{timezone.localtime(instance.expiry):%Y-%m-%d %H:%M %Z}"
                )
        except TokenRefused as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, user: User) -> None:
        tokens = list(api_tokens_of(user))
        if not tokens:
            self.stderr.write(f"{user.username} has no API tokens")
            return
        self.stdout.write(f"{'KEY':<16} {'CREATED':<17} EXPIRES")
        for token in tokens:
            expiry = (
                f"{timezone.localtime(token.expiry):%Y-%m-%d %H:%M}" if token.expiry else "never"
            )
            self.stdout.write(
                f"{token.token_key:<16} {timezone.localtime(token.created):%Y-%m-%d %H:%M} {expiry}"
            )
