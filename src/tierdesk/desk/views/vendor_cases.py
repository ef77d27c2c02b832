"""Vendor and partner cases: the platform team's list (by status) and the update a
platform engineer makes from the ticket page (`ladder.vendor_case_update`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, PLATFORM_STAFF
from tierdesk.desk import forms, ladder, selectors
from tierdesk.desk.choices import VENDOR_CASE_OPEN_STATUSES, VendorCaseStatus

PAGE = 200


class VendorCaseListView(RoleRequiredMixin, View):
    allowed_roles = PLATFORM_STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        status = request.GET.get("status", "active")
        qs = selectors.vendor_cases_visible_to(user)
        if status in VendorCaseStatus.values:
            qs = qs.filter(status=status)
        elif status != "all":
            status = "active"
            qs = qs.filter(status__in=VENDOR_CASE_OPEN_STATUSES)
        cases = list(qs.order_by("-updated_at", "-id")[: PAGE + 1])
        return render(
            request,
            "desk/vendor_cases.html",
            {
                "cases": cases[:PAGE],
                "more": len(cases) > PAGE,
                "status": status,
                "statuses": [
                    ("active", _("Not closed")),
                    *VendorCaseStatus.choices,
                    ("all", _("All")),
                ],
            },
        )


class VendorCaseUpdateView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        case = selectors.vendor_case_get_for_user(user, pk)
        form = forms.VendorCaseUpdateForm(request.POST, prefix=f"case{case.pk}")
        if not form.is_valid():
            form = forms.VendorCaseUpdateForm(request.POST)  # posted without the prefix
        if not form.is_valid():
            messages.error(request, _("Choose a case status."))
            return redirect("desk:ticket-detail", pk=case.ticket_id)
        data = form.cleaned_data
        try:
            ladder.vendor_case_update(
                case=case,
                actor=user,
                status=data["status"],
                external_number=data["external_number"],
                note=data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Case updated."))
        return redirect("desk:ticket-detail", pk=case.ticket_id)
