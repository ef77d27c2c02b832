from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from tierdesk.desk.defaults import seed


class Command(BaseCommand):
    help = "Create the desk's default priority matrix, help-desk scope and request catalog."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed(apps)
        self.stdout.write(", ".join(f"{k}: {v} created" for k, v in created.items()))
