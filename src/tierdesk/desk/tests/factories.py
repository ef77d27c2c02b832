from __future__ import annotations

from typing import Any

from tierdesk.accounts.models import User
from tierdesk.desk import services
from tierdesk.desk.models import Ticket
from tierdesk.inventory.models import Solution


def ticket(
    *,
    requester: User,
    solution: Solution | None = None,
    subject: str = "앱이 열리지 않아요",
    **kw: Any,
) -> Ticket:
    """A ticket filed through the service, so it is routed like a real one."""
    return services.ticket_create(requester=requester, solution=solution, subject=subject, **kw)
