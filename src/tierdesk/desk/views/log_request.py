"""요청 대신 접수: the help desk or the platform team logs a request someone made by phone,
in person, in a chat or by e-mail, for that person. The ticket records the channel and
who logged it; the requester is told and follows it like any request of theirs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import DESK_WORKERS
from tierdesk.desk import forms, services


class LogRequestView(RoleRequiredMixin, View):
    allowed_roles = DESK_WORKERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.LogRequestForm(user=request_user(request))
        return render(request, "desk/log_request.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = forms.LogRequestForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            requester = data["requester"]
            try:
                ticket = services.ticket_create(
                    requester=requester,
                    actor=user,
                    subject=data["subject"],
                    description=data["description"],
                    solution=data["solution"],
                    topic=data["topic"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    channel=data["channel"],
                    language=(
                        requester.preferred_language
                        or translation.get_language()
                        or settings.LANGUAGE_CODE
                    ),
                    check_solution=True,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    _("Logged as %(number)s for %(who)s.")
                    % {"number": ticket.number, "who": requester},
                )
                return redirect("desk:ticket-detail", pk=ticket.pk)
        return render(request, "desk/log_request.html", {"form": form}, status=400)
