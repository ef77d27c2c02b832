"""Desk pages: the requester's portal, the agent console, the ticket page, the expert
bypass form and the form a solution embeds. Who sees which ticket is decided by
`selectors`, never here."""

from tierdesk.desk.views.embed import EmbedView
from tierdesk.desk.views.portal import BypassView, PortalView, SearchView, TicketCreateView
from tierdesk.desk.views.queue import QueueExportView, QueueView
from tierdesk.desk.views.ticket import (
    AttachmentDownloadView,
    TicketDetailView,
    TicketEditView,
    TicketMoveView,
    TicketPostView,
)

__all__ = [
    "AttachmentDownloadView",
    "BypassView",
    "EmbedView",
    "PortalView",
    "QueueExportView",
    "QueueView",
    "SearchView",
    "TicketCreateView",
    "TicketDetailView",
    "TicketEditView",
    "TicketMoveView",
    "TicketPostView",
]
