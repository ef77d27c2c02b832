"""Pages: the notification centre (everyone's own in-app notifications) and the outbox
(what tierdesk sent to whom, through which channel, and how delivery went: admins and the
platform team)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.ids import form_id
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.notify import selectors, services
from tierdesk.notify.choices import Channel, DeliveryStatus
from tierdesk.notify.mailbox import mail_route

INBOX_PAGE = 25
OUTBOX_PAGE = 50


def _local(url: str) -> bool:
    return (
        bool(url)
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None, require_https=False)
    )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the page the form was on (the centre, a filtered page of it), never off-site."""
    target = request.POST.get("next", "")
    return HttpResponseRedirect(target if _local(target) else reverse("notify:inbox"))


class InboxView(RoleRequiredMixin, TemplateView):
    """The notification centre: the signed-in person's notifications, newest first."""

    allowed_roles = ANY_USER
    template_name = "notify/inbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        show = "unread" if self.request.GET.get("show") == "unread" else "all"
        items = selectors.inbox_of(user)
        if show == "unread":
            items = items.filter(read_at__isnull=True)
        page = Paginator(items, INBOX_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            show=show,
            unread=selectors.unread_count_of_request(self.request),
            query=f"show={show}" if show == "unread" else "",
            here=self.request.get_full_path(),
        )
        return context


class InboxOpenView(RoleRequiredMixin, View):
    """Following a notification's link marks it read (as mail clients and GitHub do) and
    goes where it leads. Someone else's notification is missing (404)."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
        services.inbox_mark_read(item=item, actor=request_user(request))
        return HttpResponseRedirect(item.url if _local(item.url) else reverse("notify:inbox"))


class InboxReadView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
        services.inbox_mark_read(item=item, actor=request_user(request))
        return _back(request)


class InboxReadAllView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.inbox_mark_all_read(actor=request_user(request))
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s notification marked read.",
                    "%(count)s notifications marked read.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("Nothing was unread."))
        return _back(request)


class OutboxView(RoleRequiredMixin, TemplateView):
    """Every message tierdesk sent or will send, newest first, with filters by channel,
    delivery state and recipient. Pages by offset without counting a table that may hold
    millions of rows."""

    allowed_roles = selectors.OUTBOX_READERS
    template_name = "notify/outbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        channel = get.get("channel", "")
        channel = channel if channel in Channel.values else ""
        query = get.get("q", "").strip()[:200]
        page = max(1, min(form_id(get.get("page")) or 1, 10_000))
        user = self.request.user
        if channel == Channel.IN_APP:
            status = get.get("status", "")
            status = status if status in ("read", "unread") else ""
            statuses: list[tuple[str, Any]] = [("unread", _("Unread")), ("read", _("Read"))]
            rows: Any = selectors.inbox_rows(user, status=status, query=query)
        else:
            status = get.get("status", "")
            status = status if status in DeliveryStatus.values else ""
            statuses = list(DeliveryStatus.choices)
            rows = selectors.outbox_rows(user, channel=channel, status=status, query=query)
        start = (page - 1) * OUTBOX_PAGE
        found = list(rows[start : start + OUTBOX_PAGE + 1])
        params = "&".join(f"{k}={v}" for k, v in (("channel", channel), ("status", status)) if v)
        context.update(
            rows=found[:OUTBOX_PAGE],
            in_app=channel == Channel.IN_APP,
            channel=channel,
            status=status,
            q=query,
            channels=list(Channel.choices),
            statuses=statuses,
            page_number=page,
            has_next=len(found) > OUTBOX_PAGE,
            params=params,
            filtered=bool(channel or status or query),
            mail_route=mail_route(),
        )
        return context


class OutboxDetailView(RoleRequiredMixin, TemplateView):
    """One message: to whom, how, its delivery history and its text as sent."""

    allowed_roles = selectors.OUTBOX_READERS
    template_name = "notify/outbox_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notification = get_object_or_404(selectors.outbox_rows(self.request.user), pk=kwargs["pk"])
        context.update(notification=notification, failed=bool(notification.last_error))
        return context
