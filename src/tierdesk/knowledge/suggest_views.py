"""The request form's suggestions: an HTML fragment of articles for the typed words, the
"this solved it" button, and the page an embedded form's article link opens."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from tierdesk.accounts.selectors import request_user
from tierdesk.common.security import client_ip
from tierdesk.desk.models import DeskSettings
from tierdesk.knowledge import attachments, deflection, selectors, views


def _embed(request: HttpRequest) -> tuple[bool, str]:
    """Whether the fragment is for an embedded form, and that solution's platform id."""
    platform_id = request.GET.get("embed", "") or request.POST.get("embed", "")
    if not platform_id:
        return False, ""
    solution = deflection.embed_solution(platform_id)
    return True, solution.platform_id if solution is not None else ""


ANONYMOUS_PER_HOUR = 1200
"""Suggestions for people not signed in, per client address and hour (the embedded form
asks once per pause in typing)."""


def _too_many(request: HttpRequest) -> bool:
    key = f"kb:suggest:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=3600)
    try:
        return int(cache.incr(key)) > ANONYMOUS_PER_HOUR
    except ValueError:
        cache.set(key, 1, timeout=3600)
        return False


def _id(value: str) -> int | None:
    if value.isascii() and value.isdigit() and 0 < len(value) <= 18:
        return int(value)
    return None


class SuggestView(View):
    """GET /knowledge/suggest/?text=…&embed=<platform id>: at most three articles."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and _too_many(request):
            return HttpResponse("", status=429)
        embed, platform_id = _embed(request)
        text = request.GET.get("text", "")
        found = deflection.suggestions(request.user, text, embed=embed)
        signed_in = request.user.is_authenticated
        # Not signed in (the framed form: no session, no CSRF cookie): a signed token for
        # "this solved it", only on a real solution's embedded form that takes requests
        # from people not signed in (otherwise its form asks them to sign in first).
        token = ""
        if found and not signed_in and platform_id and DeskSettings.load().allow_anonymous_embed:
            token = deflection.embed_solved_token([s.article.pk for s in found], platform_id)
        return render(
            request,
            "knowledge/_suggestions.html",
            {
                "found": found,
                # links for someone not signed in open the public article page too
                "embed": embed or not signed_in,
                "platform_id": platform_id,
                "shown": ",".join(str(s.article.pk) for s in found),
                "can_solve": signed_in or bool(token),
                "solved_token": token,
                "solved_url": reverse("knowledge:suggest-solved-embed") if token else "",
            },
        )


class SolvedView(View):
    """POST /knowledge/suggest/solved/ (article, text, embed): records a deflection; no
    ticket is filed."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in to tell us an article solved it."))
        user = request_user(request)
        pk = _id(request.POST.get("article", ""))
        if pk is None:
            return HttpResponse(_("Choose an article."), status=400, content_type="text/plain")
        embed, platform_id = _embed(request)
        article = deflection.offered_to(user, embed=embed).filter(pk=pk).first()
        if article is None:
            # not offered to this user here: missing, or readable but not offerable
            article = selectors.articles_visible_to(user).filter(pk=pk).first()
            if article is None:
                raise Http404
        deflection.deflection_solved(
            actor=user,
            article=article,
            text=request.POST.get("text", ""),
            embed_platform_id=platform_id,
        )
        return render(request, "knowledge/_solved.html", {"article": article})


class EmbedArticleView(View):
    """GET /knowledge/suggest/article/?id=N: a published anonymous-audience article, for
    the links of the embedded form (opened in a new tab, no one need be signed in)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        pk = _id(request.GET.get("id", ""))
        if pk is None:
            return HttpResponse(_("Choose an article."), status=400, content_type="text/plain")
        article = selectors.articles_for_embed().filter(pk=pk).first()
        if article is None:
            raise Http404
        files = list(selectors.attachments_of(article))
        body_html = mark_safe(  # noqa: S308 - nh3 output
            attachments.render_body(article, embed=True, attachments=files)
        )
        rows = [{"attachment": a, "url": attachments.download_url(a, embed=True)} for a in files]
        return render(
            request,
            "knowledge/embed_article.html",
            {"article": article, "body_html": body_html, "attachments": rows},
        )


class EmbedAttachmentView(View):
    """GET /knowledge/suggest/article/<id>/attachments/<id>/: a file of a published
    anonymous-audience article, for the embedded form's article page (no one need be signed
    in); any other article's files answer 404, as missing ones do."""

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
        if not request.user.is_authenticated and _too_many(request):
            return HttpResponse("", status=429)
        return views.file_response(selectors.attachment_get_for_embed(pk, attachment_pk))


@method_decorator(csrf_exempt, name="dispatch")
class EmbedSolvedView(View):
    """POST /knowledge/suggest/solved/embed/ (token, article, text): "this solved it" from
    the embedded form, where the browser withholds the CSRF cookie. The signed token the
    suggestions carried stands in for it (`deflection.deflection_solved_embed`); records one
    deflection and nothing else; throttled with the suggestions."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and _too_many(request):
            return HttpResponse(
                _("Too many requests: try again later."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
        claim = deflection.embed_solved_read(request.POST.get("token", ""))
        if claim is None:
            return HttpResponse(
                _("This page is too old: type your request again to see the articles."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        pk = _id(request.POST.get("article", ""))
        if pk is None:
            return HttpResponse(_("Choose an article."), status=400, content_type="text/plain")
        article = selectors.articles_for_embed().filter(pk=pk).first()
        if article is None:
            raise Http404
        actor = request_user(request) if request.user.is_authenticated else None
        try:
            deflection.deflection_solved_embed(
                claim=claim, article=article, actor=actor, text=request.POST.get("text", "")
            )
        except ValidationError as error:
            return HttpResponse(
                " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        return render(request, "knowledge/_solved.html", {"article": article})
