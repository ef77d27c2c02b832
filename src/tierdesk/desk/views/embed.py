"""The form a solution embeds (framed by a canvas app or a page)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from tierdesk.accounts.selectors import request_user
from tierdesk.common.security import client_ip
from tierdesk.desk import forms, services
from tierdesk.desk.choices import Channel
from tierdesk.desk.models import DeskSettings
from tierdesk.inventory.models import Solution


def _rate_limited(request: HttpRequest, limit: int) -> bool:
    """At most `limit` submissions per client address per hour (Django's cache): the real
    client behind the documented load balancer (`common.security.client_ip`)."""
    key = f"desk:embed:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


# csrf_exempt: the form is framed by other sites, where the browser withholds the CSRF
# cookie; session cookies are SameSite=Lax, so a cross-site POST is anonymous anyway and
# the honeypot, the signed fill time and the rate limit guard the anonymous path.


@method_decorator([xframe_options_exempt, csrf_exempt], name="dispatch")
class EmbedView(View):
    """The form a solution embeds: /desk/embed/<platform id>/?lang=ko."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        lang = request.GET.get("lang", "")
        if lang not in {"en", "ko"}:
            lang = translation.get_language() or "en"
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = super().dispatch(request, *args, **kwargs)
        # The site-wide policy, except who may frame this form (the desk's settings).
        response._csp_replace = {  # type: ignore[attr-defined]
            "frame-ancestors": DeskSettings.load().embed_frame_ancestors.split()
        }
        response["Content-Language"] = lang
        return response

    def _context(self, request: HttpRequest, solution: Solution, form: Any) -> dict[str, Any]:
        settings_row = DeskSettings.load()
        return {
            "solution": solution,
            "form": form,
            "anonymous_ok": settings_row.allow_anonymous_embed,
            "signed_in": request.user.is_authenticated,
            "lang": request.LANGUAGE_CODE,
        }

    def _solution(self, platform_id: str) -> Solution:
        solution = (
            Solution.objects.filter(platform_id__iexact=platform_id, is_deleted=False)
            .order_by("id")
            .first()
        )
        if solution is None:
            raise Http404("No such solution.")
        return solution

    def get(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        form = forms.EmbedForm(initial={"started": forms.EmbedForm.stamp()})
        return render(request, "desk/embed.html", self._context(request, solution, form))

    def post(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        settings_row = DeskSettings.load()
        form = forms.EmbedForm(request.POST)
        signed_in = request.user.is_authenticated
        if not signed_in and not settings_row.allow_anonymous_embed:
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=403
            )
        if _rate_limited(request, settings_row.embed_rate_limit):
            return HttpResponse(_("Too many requests. Try again later."), status=429)
        if not form.is_valid():
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=400
            )
        data = form.cleaned_data
        age = forms.EmbedForm.age_s(data["started"])
        if data["website"] or age < settings_row.embed_min_fill_seconds:
            # Looks automated: answer as if accepted, keep nothing.
            return render(request, "desk/embed_done.html", {"ticket": None}, status=200)
        if not signed_in and not data["email"]:
            form.add_error("email", _("Give an e-mail address so we can answer."))
            return render(
                request, "desk/embed.html", self._context(request, solution, form), status=400
            )
        user = request_user(request) if signed_in else None
        ticket = services.ticket_create(
            requester=user,
            actor=user,
            requester_name=data["name"],
            requester_email=data["email"],
            subject=data["subject"],
            description=data["description"],
            solution=solution,
            topic=data["topic"],
            urgency=data["urgency"],
            channel=Channel.EMBED,
            language=request.LANGUAGE_CODE,
        )
        return render(
            request, "desk/embed_done.html", {"ticket": ticket, "lang": request.LANGUAGE_CODE}
        )
