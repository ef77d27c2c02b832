"""`{% connector_snippets solution as found %}`: copy-ready Power Fx and a Power Automate
example for a solution's page, naming the solution by its platform id (the app's or the
flow's GUID) as the connector's FileTicket operation takes it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from tierdesk.integrations.connector import TITLE

register = template.Library()


def _quoted(text: str) -> str:
    """A Power Fx text literal: double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


@register.simple_tag
def connector_snippets(solution: Any) -> dict[str, str]:
    platform_id = str(getattr(solution, "platform_id", "") or "")
    subject = _("Describe the problem")
    # Power Apps passes a body's required fields in order and the others as a record.
    call = (
        f"{TITLE}.FileTicket({_quoted(subject)}, "
        f"{{description: TextInput1.Text, solution_platform_id: {_quoted(platform_id)}}})"
    )
    flow = "\n".join(
        [
            _("1. Trigger: tierdesk — When a ticket changes."),
            _("2. Condition: ticket solution_platform_id is equal to %(id)s.")
            % {"id": platform_id},
            _(
                "3. Action: Post a message in a chat or channel (Microsoft Teams) with ticket "
                "number, subject, status and url."
            ),
            _(
                "Or, to file a request from a flow: tierdesk — File a ticket, Subject and "
                "solution_platform_id %(id)s."
            )
            % {"id": platform_id},
        ]
    )
    return {"call": call, "flow": flow}
