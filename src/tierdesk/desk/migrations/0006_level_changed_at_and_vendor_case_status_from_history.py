"""Fill the new fields from what the tickets' timelines already say.

- `Ticket.level_changed_at`: the latest event that moves a ticket to another level
  (redirect, escalation, de-escalation, hand back, hand over, partner or vendor case),
  else when it was filed. One UPDATE with a correlated subquery, however many tickets.
- `Ticket.logged_by`: for tickets an expert logged (bypass), who wrote their "created"
  event when that was not the requester.
- `VendorCase.status`: closed with its ticket; waiting on the vendor while the ticket
  waits on it; open otherwise. `updated_at` starts as when it was filed."""

from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

LEVEL_EVENTS = [
    "redirected",
    "escalated",
    "de_escalated",
    "handed_back",
    "handed_over",
    "partner_case_opened",
    "vendor_case_opened",
]


def forwards(apps, schema_editor):
    Ticket = apps.get_model("desk", "Ticket")
    TicketEvent = apps.get_model("desk", "TicketEvent")
    VendorCase = apps.get_model("desk", "VendorCase")
    latest = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), type__in=LEVEL_EVENTS)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    Ticket.objects.update(level_changed_at=Coalesce(Subquery(latest), F("created_at")))
    creator = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), type="created")
        .exclude(actor_id=None)
        .order_by("id")
        .values("actor_id")[:1]
    )
    Ticket.objects.filter(is_bypass=True).update(logged_by_id=Subquery(creator))
    Ticket.objects.filter(is_bypass=True, logged_by_id=F("requester_id")).update(logged_by_id=None)
    VendorCase.objects.update(updated_at=F("filed_at"))
    closed_ids = VendorCase.objects.filter(ticket__is_open=False).values_list("id", flat=True)
    for case in VendorCase.objects.filter(id__in=list(closed_ids)).select_related("ticket"):
        case.status = "closed"
        case.closed_at = case.ticket.resolved_at or case.filed_at
        case.save(update_fields=["status", "closed_at"])
    VendorCase.objects.filter(ticket__is_open=True, ticket__status="waiting_on_vendor").update(
        status="waiting_on_vendor"
    )
    VendorCase.objects.filter(
        Q(ticket__is_open=True) & ~Q(ticket__status="waiting_on_vendor")
    ).update(status="open")


class Migration(migrations.Migration):
    dependencies = [("desk", "0005_ticket_page_and_desk_model")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
