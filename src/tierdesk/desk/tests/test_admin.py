"""The desk's admin screens: every registered model's changelist (and add page where
adding is allowed) opens for an admin; nobody else gets in; tickets are read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from conftest import Org
from tierdesk.desk import services
from tierdesk.desk.models import (
    DeskSettings,
    DeskTeamChannel,
    EscalationPath,
    EscalationStep,
    HelpDeskScope,
    PriorityRule,
    RequestType,
    Ticket,
    VendorCase,
)

CONFIGURABLE = [
    DeskSettings,
    PriorityRule,
    HelpDeskScope,
    EscalationPath,
    EscalationStep,
    RequestType,
    DeskTeamChannel,
]
READ_ONLY = [Ticket, VendorCase]


def _url(model: type[Model], page: str) -> str:
    return reverse(f"admin:desk_{model._meta.model_name}_{page}")


def test_every_configurable_model_is_registered() -> None:
    for model in [*CONFIGURABLE, *READ_ONLY]:
        assert admin.site.is_registered(model), model


@pytest.mark.django_db
def test_admin_opens_every_changelist_and_add_page(org: Org) -> None:
    DeskSettings.objects.all().delete()  # so the one-row settings may be added
    client = Client()
    client.force_login(org.users["admin"])
    for model in [*CONFIGURABLE, *READ_ONLY]:
        assert client.get(_url(model, "changelist")).status_code == 200, model
    for model in CONFIGURABLE:
        assert client.get(_url(model, "add")).status_code == 200, model


@pytest.mark.django_db
def test_admin_opens_existing_rows(org: Org) -> None:
    ticket = services.ticket_create(requester=org.users["requester"], subject="Printer")
    client = Client()
    client.force_login(org.users["admin"])
    for obj in [
        DeskSettings.load(),
        PriorityRule.objects.first(),
        HelpDeskScope.objects.first(),
        RequestType.objects.first(),
        ticket,
    ]:
        assert obj is not None
        url = reverse(f"admin:desk_{obj._meta.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200, url
    assert str(ticket.number).encode() in client.get(_url(Ticket, "changelist")).content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["platform", "agent", "manager", "maker", "requester", "partner"])
def test_nobody_but_admins_gets_in(org: Org, role: str) -> None:
    client = Client()
    client.force_login(org.users[role])
    for model in [*CONFIGURABLE, *READ_ONLY]:
        for page in ("changelist", "add"):
            response = client.get(_url(model, page))
            assert response.status_code == 302, (role, model, page)
            assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login() -> None:
    response = Client().get(_url(Ticket, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_tickets_cannot_be_added_changed_or_deleted_in_the_admin(org: Org) -> None:
    ticket = services.ticket_create(requester=org.users["requester"], subject="Printer")
    client = Client()
    client.force_login(org.users["admin"])
    assert client.get(_url(Ticket, "add")).status_code == 403
    change = reverse("admin:desk_ticket_change", args=[ticket.pk])
    response = client.post(change, {"subject": "Hijacked", "status": "closed"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.subject == "Printer"
    assert client.post(reverse("admin:desk_ticket_delete", args=[ticket.pk])).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


@pytest.mark.django_db
def test_settings_row_cannot_be_added_twice_or_deleted(org: Org) -> None:
    row = DeskSettings.load()
    client = Client()
    client.force_login(org.users["admin"])
    assert client.get(_url(DeskSettings, "add")).status_code == 403
    delete = reverse("admin:desk_desksettings_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DeskSettings.objects.filter(pk=row.pk).exists()
