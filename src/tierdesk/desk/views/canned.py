"""Canned responses ("답변 템플릿"): agents insert them on the ticket page; team leads
manage their team's, the platform team and admins every one (`services.canned_response_*`
decide, by `selectors.can_manage_canned_responses`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import DESK_CONSOLE, WRITERS
from tierdesk.desk import forms, selectors, services
from tierdesk.desk.models import CannedResponse


class CannedListView(RoleRequiredMixin, View):
    allowed_roles = DESK_CONSOLE

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        rows = [
            {"item": c, "manage": selectors.can_manage_canned_responses(user, c.team)}
            for c in selectors.canned_responses_for(user)
        ]
        return render(
            request,
            "desk/canned_list.html",
            {
                "rows": rows,
                "can_add": selectors.may_manage_some_canned_responses(user),
                "variables": services.CANNED_VARIABLES,
            },
        )


def _form(user: User, data: Any = None, initial: Any = None) -> forms.CannedResponseForm:
    return forms.CannedResponseForm(
        data,
        initial=initial,
        teams=selectors.canned_teams_managed_by(user),
        allow_global=selectors.can_manage_canned_responses(user),
    )


def _save(request: HttpRequest, user: User, instance: CannedResponse | None) -> HttpResponse | None:
    if not selectors.may_manage_some_canned_responses(user):
        raise PermissionDenied
    form = _form(user, request.POST)
    if form.is_valid():
        try:
            services.canned_response_save(actor=user, instance=instance, data=form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Canned response saved."))
            return redirect("desk:canned-list")
    return render(
        request,
        "desk/canned_form.html",
        {"form": form, "item": instance, "variables": services.CANNED_VARIABLES},
        status=400,
    )


class CannedCreateView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not selectors.may_manage_some_canned_responses(user):
            raise PermissionDenied
        return render(
            request,
            "desk/canned_form.html",
            {"form": _form(user), "item": None, "variables": services.CANNED_VARIABLES},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        # The service decides (a lead only for their own team).
        response = _save(request, user, None)
        assert response is not None
        return response


class CannedEditView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def _item(self, user: User, pk: int) -> CannedResponse:
        found = selectors.canned_response_get_for_user(user, pk)
        if not selectors.can_manage_canned_responses(user, found.team):
            raise PermissionDenied
        return found

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        found = self._item(user, pk)
        form = _form(user, initial=forms.CannedResponseForm.initial_for(found))
        return render(
            request,
            "desk/canned_form.html",
            {"form": form, "item": found, "variables": services.CANNED_VARIABLES},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        found = selectors.canned_response_get_for_user(user, pk)
        response = _save(request, user, found)
        assert response is not None
        return response


class CannedDeleteView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        found = selectors.canned_response_get_for_user(user, pk)
        if not selectors.can_manage_canned_responses(user, found.team):
            raise PermissionDenied
        return render(request, "desk/canned_confirm_delete.html", {"item": found})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        found = selectors.canned_response_get_for_user(user, pk)
        services.canned_response_delete(actor=user, instance=found)
        messages.success(request, _("Canned response deleted."))
        return redirect("desk:canned-list")
