"""The form a solution embeds (framed by a canvas app or a page).

It never loses a request and never pretends: a submission that looks automated (the
honeypot filled, sent faster than a person types, an unsigned form) gets a page that
keeps what was typed and asks to send it again, with a signed retry stamp so the
resubmission passes; "thank you" is shown only for a ticket that exists."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from tierdesk.accounts.selectors import request_user
from tierdesk.common.security import client_ip
from tierdesk.desk import extensions, intake, selectors, services
from tierdesk.desk.choices import Channel
from tierdesk.desk.models import DeskSettings, Ticket
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


def _send_again_message(verdict: intake.Verdict) -> str:
    if verdict == intake.Verdict.HONEYPOT:
        return _(
            "Your request was not sent: a hidden field that only automated programs fill in "
            "had a value (your browser's autofill may have done it). Check your request below "
            "and send it again."
        )
    if verdict == intake.Verdict.TOO_FAST:
        return _(
            "Your request was not sent yet: it arrived faster than a person usually types, so "
            "we ask once more. Everything you wrote is below; check it and send it again."
        )
    return _(
        "Your request was not sent yet: this form was too old or incomplete. Everything you "
        "wrote is below; check it and send it again."
    )


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
            "max_screenshots": intake.MAX_SCREENSHOTS,
            "max_screenshot_mb": intake.MAX_SCREENSHOT_MB,
            "request_panels": extensions.request_form_panels(
                request_user(request) if request.user.is_authenticated else None,
                embed=True,
                solution=solution,
            ),
        }

    def _page(
        self,
        request: HttpRequest,
        solution: Solution,
        form: Any,
        *,
        status: int = 200,
        notice: str = "",
        notice_kind: str = "warning",
    ) -> HttpResponse:
        context = self._context(request, solution, form)
        context.update({"notice": notice, "notice_kind": notice_kind})
        return render(request, "desk/embed.html", context, status=status)

    def _solution(self, platform_id: str) -> Solution:
        solution = (
            Solution.objects.filter(platform_id__iexact=platform_id, is_deleted=False)
            .order_by("id")
            .first()
        )
        if solution is None:
            raise Http404("No such solution.")
        return solution

    def _url(self, request: HttpRequest, solution: Solution, **query: str) -> str:
        base = reverse("desk:embed", args=[solution.platform_id])
        return f"{base}?{urlencode({'lang': request.LANGUAGE_CODE, **query})}"

    def get(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        if "done" in request.GET:
            return self._done(request, solution, request.GET.get("done", ""))
        form = intake.EmbedIntakeForm(initial={"started": intake.stamp()})
        return self._page(request, solution, form)

    def _done(self, request: HttpRequest, solution: Solution, token: str) -> HttpResponse:
        found = intake.done_read(token)
        if found is None:
            raise Http404("No such request.")
        ticket, refused = found
        user = request.user
        can_see = bool(
            user.is_authenticated and selectors.tickets_visible_to(user).filter(pk=ticket.pk)
        )
        return render(
            request,
            "desk/embed_done.html",
            {
                "ticket": ticket,
                "can_see": can_see,
                "email": ticket.requester_email,
                "refused": refused,
                "again": self._url(request, solution),
                "solution": solution,
                "lang": request.LANGUAGE_CODE,
            },
        )

    def post(self, request: HttpRequest, platform_id: str) -> HttpResponse:
        solution = self._solution(platform_id)
        settings_row = DeskSettings.load()
        form = intake.EmbedIntakeForm(request.POST, request.FILES)
        signed_in = request.user.is_authenticated
        if not signed_in and not settings_row.allow_anonymous_embed:
            return self._page(request, solution, form, status=403)
        if _rate_limited(request, settings_row.embed_rate_limit):
            message = _(
                "Too many requests were sent from your network in the last hour, so this one "
                "was not sent. Keep this page open and send it again later."
            )
            return self._page(request, solution, form, status=429, notice=message)
        sent = intake.stamp_read(request.POST.get("started", ""))
        verdict = intake.embed_verdict(
            honeypot=request.POST.get("website", ""),
            sent=sent,
            min_seconds=settings_row.embed_min_fill_seconds,
        )
        if verdict != intake.Verdict.OK:
            kept = request.POST.copy()
            kept["website"] = ""
            kept["started"] = intake.stamp(retry=True)
            again = intake.EmbedIntakeForm(kept)
            message = _send_again_message(verdict)
            if request.FILES:
                message += " " + _("Choose your screenshots again: files cannot be kept.")
            return self._page(request, solution, again, status=400, notice=message)
        if not form.is_valid():
            return self._page(request, solution, form, status=400)
        data: dict[str, Any] = form.cleaned_data
        if not signed_in and not data["email"]:
            form.add_error("email", _("Give an e-mail address so we can answer."))
            return self._page(request, solution, form, status=400)
        earlier = intake.nonce_claim(sent.nonce)
        first = Ticket.objects.filter(pk=earlier).first() if earlier else None
        if first is not None:  # the same form sent twice: one ticket
            return redirect(self._done_url(request, solution, first, []))
        user = request_user(request) if signed_in else None
        ticket = None
        try:
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
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return self._page(request, solution, form, status=400)
        finally:
            intake.nonce_filed(sent.nonce, ticket)
        extensions.after_request_filed(ticket, request.POST)
        _kept, refused = intake.screenshots_attach(ticket=ticket, uploads=data["screenshots"])
        return redirect(self._done_url(request, solution, ticket, refused))

    def _done_url(
        self, request: HttpRequest, solution: Solution, ticket: Ticket, refused: list[str]
    ) -> str:
        return self._url(request, solution, done=intake.done_token(ticket, refused))
