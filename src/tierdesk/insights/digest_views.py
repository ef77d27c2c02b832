"""/insights/digest/: a manager previews their weekly digest (the numbers and changed
recommendations the next one would carry); an admin previews any manager's with
?manager=ID. Reads only; every figure and rule comes from `insights.digest`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.roles import Role
from tierdesk.insights import coe, digest
from tierdesk.insights.models import DigestSent

LABELS = {"week": _("Week"), "manager": _("Manager")}


def read(viewer: Any, params: Any) -> tuple[User | None, Any]:
    """The manager whose digest the viewer asked for (None: an admin who is no manager
    and named nobody) and the week's Monday. Someone the viewer may not preview answers
    404 like someone who does not exist; a bad week raises `coe.BadParameter`."""
    raw = (params.get("week") or "").strip()
    try:
        week = digest.parse_week(raw) if raw else digest.last_week()
    except ValueError:
        raise coe.BadParameter("week") from None
    wanted = (params.get("manager") or "").strip()
    if wanted:
        if not wanted.isdigit() or len(wanted) > 18:
            raise Http404
        manager = User.objects.filter(pk=int(wanted)).first()
        if manager is None or not digest.can_preview(viewer, manager):
            raise Http404
        return manager, week
    if viewer.is_manager and digest.can_preview(viewer, viewer):
        return viewer, week
    return None, week


class DigestView(RoleRequiredMixin, View):
    allowed_roles = digest.READERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        viewer = request_user(request)
        try:
            manager, week = read(viewer, request.GET)
        except coe.BadParameter as error:
            name = str(error)
            return render(
                request,
                "insights/coe_bad_request.html",
                {"parameter": LABELS.get(name, name), "retry": request.path},
                status=400,
            )
        is_admin = Role.ADMIN in roles_of(viewer)
        context: dict[str, Any] = {
            "week_label": digest.week_label(week),
            "is_admin": is_admin,
            "managers": digest.managers() if is_admin else [],
        }
        if manager is not None:
            d = digest.build(manager, week)
            context.update(
                d=d,
                manager=manager,
                sent=DigestSent.objects.filter(manager=manager, week=week).first(),
            )
        return render(request, "insights/digest.html", context)
