"""Pages of integrations: the Power Platform page (the custom connector to download,
how to use it, the webhook subscriptions one may see) and the admins' webhook actions.
Every write goes through a service and its rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.links import absolute_url
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.integrations import connector, selectors, services
from tierdesk.integrations.choices import Origin
from tierdesk.integrations.forms import WebhookForm
from tierdesk.notify import webhooks


class IntegrationsView(RoleRequiredMixin, TemplateView):
    allowed_roles = ANY_USER
    template_name = "integrations/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            subscriptions=list(selectors.subscriptions_visible_to(user)[:200]),
            can_manage=selectors.can_manage_webhooks(user),
            form=kwargs.get("form") or WebhookForm(),
            api_base=absolute_url("/api/v1/"),
            signature_header=webhooks.SIGNATURE_HEADER,
            timestamp_header=webhooks.TIMESTAMP_HEADER,
        )
        return context


class ConnectorDownloadView(RoleRequiredMixin, View):
    """The two connector files in a zip, generated now from the live API."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(connector.zip_bytes(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="tierdesk-connector.zip"'
        return response


class WebhookAddView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                subscription = services.subscription_create(
                    actor=request_user(request),
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    name=form.cleaned_data["name"],
                    origin=Origin.ADMIN,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Webhook added. Its signing secret: %(secret)s — keep it now.")
                    % {"secret": subscription.secret},
                )
                return HttpResponseRedirect(reverse("integrations:home"))
        view = IntegrationsView()
        view.setup(request)
        return view.render_to_response(view.get_context_data(form=form), status=400)


class WebhookDeleteView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        subscription = selectors.subscription_get_for_user(user, pk)
        services.subscription_delete(actor=user, subscription=subscription)
        messages.success(request, _("Webhook removed."))
        return HttpResponseRedirect(reverse("integrations:home"))


class WebhookReactivateView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        subscription = selectors.subscription_get_for_user(user, pk)
        services.subscription_reactivate(actor=user, subscription=subscription)
        messages.success(request, _("Webhook turned on again."))
        return HttpResponseRedirect(reverse("integrations:home"))
