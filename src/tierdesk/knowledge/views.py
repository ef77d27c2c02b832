"""The knowledge base's pages. Every read asks `selectors.articles_visible_to` (hidden is
missing: 404); every write calls one service, which decides by its named rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import ANY_USER, WRITERS
from tierdesk.desk.choices import Topic
from tierdesk.desk.selectors import tickets_visible_to
from tierdesk.inventory.selectors import solutions_visible_to
from tierdesk.knowledge import attachments, finding, forms, selectors, services
from tierdesk.knowledge.choices import ArticleStatus, Audience, Language
from tierdesk.knowledge.diff import diff_html
from tierdesk.knowledge.models import Article, ArticleAttachment

PAGE_SIZE = 50
FILTERS = {
    "topic": Topic,
    "audience": Audience,
    "status": ArticleStatus,
    "language": Language,
}


def _filters(request: HttpRequest) -> dict[str, str]:
    """The list's filters; a value that is not one of the choices is ignored."""
    chosen = {}
    for name, choices in FILTERS.items():
        value = request.GET.get(name, "")
        if value in choices.values:
            chosen[name] = value
    return chosen


class ArticleListView(RoleRequiredMixin, View):
    """Articles the user may read, filtered; with words, ranked by the search engine."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        chosen = _filters(request)
        q = " ".join(request.GET.get("q", "").split())[:200]
        qs = selectors.articles_visible_to(user).filter(**chosen)
        writer = selectors.reads_everything(user)
        if "status" not in chosen and not writer:
            qs = qs.filter(status=ArticleStatus.PUBLISHED)
        results: list[Any]
        if q:
            results = finding.articles_search(qs, q)
        else:
            rows = qs.select_related("owner", "owner_team").order_by("-updated_at", "-id")
            results = [finding.Found(a, "", "") for a in rows[:PAGE_SIZE]]
        filters = [
            {
                "name": name,
                "label": label,
                "choices": choices.choices,
                "value": chosen.get(name, ""),
            }
            for name, label, choices in (
                ("topic", _("Topic"), Topic),
                ("audience", _("Audience"), Audience),
                ("status", _("Status"), ArticleStatus),
                ("language", _("Language"), Language),
            )
        ]
        return render(
            request,
            "knowledge/article_list.html",
            {
                "results": results,
                "q": q,
                "filters": filters,
                "filtered": bool(q or chosen),
                "can_create": selectors.can_create_article(user),
                "can_report": selectors.can_read_knowledge_report(user),
            },
        )


class ReviewQueueView(RoleRequiredMixin, View):
    """ "내가 검토할 문서": the owner's articles due for review and those waiting in review."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        queue = selectors.review_queue(request_user(request))
        return render(
            request,
            "knowledge/review_queue.html",
            {**queue, "window": selectors.REVIEW_WINDOW_DAYS, "today": clock.today()},
        )


def _form_page(
    request: HttpRequest,
    form: forms.ArticleForm,
    article: Article | None,
    status: int = 200,
    upload_form: forms.AttachmentForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "article": article}
    user = request_user(request)
    if article is not None and selectors.can_attach_to_article(user, article):
        context["upload_form"] = upload_form or forms.AttachmentForm()
        context["attachments"] = _attachment_rows(article)
        context["can_attach"] = True
    return render(request, "knowledge/article_form.html", context, status=status)


def _attachment_rows(article: Article, *, embed: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "attachment": a,
            "url": attachments.download_url(a, embed=embed),
            "image": attachments.is_image(a),
            "markdown": attachments.markdown_for(a),
        }
        for a in selectors.attachments_of(article)
    ]


def _errors_to_form(form: forms.ArticleForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


class ArticleCreateView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def _user(self, request: HttpRequest) -> User:
        user = request_user(request)
        # Only to show the form: article_create itself refuses whoever may not write.
        if not selectors.can_create_article(user):
            raise PermissionDenied
        return user

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self._user(request)
        initial = {
            "language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in Language.values else "ko"
        }
        initial.update({k: v for k, v in _filters(request).items() if k != "status"})
        return _form_page(request, forms.ArticleForm(user=user, initial=initial), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self._user(request)
        form = forms.ArticleForm(request.POST, user=user)
        if form.is_valid():
            try:
                article = services.article_create(
                    actor=user, data=form.article_data(), note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("knowledge:article", pk=article.pk)
        return _form_page(request, form, None, status=400)


class ArticleDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        services.article_viewed(article)
        return render(request, "knowledge/article_detail.html", _detail(user, article))


class ArticleVoteView(RoleRequiredMixin, View):
    """POST helpful=yes|no: "was this helpful?" (`can_vote_article`)."""

    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        answer = request.POST.get("helpful", "")
        if answer not in {"yes", "no"}:
            messages.error(request, _("Answer yes or no."))
            return render(
                request, "knowledge/article_detail.html", _detail(user, article), status=400
            )
        services.article_vote(article=article, actor=user, helpful=answer == "yes")
        messages.success(request, _("Thank you: the article's owner sees the answers."))
        return redirect("knowledge:article", pk=article.pk)


def _detail(user: User, article: Article, **extra: Any) -> dict[str, Any]:
    visible = selectors.articles_visible_to(user)
    files = list(selectors.attachments_of(article))
    body_html = attachments.render_body(article, attachments=files)
    return {
        "article": article,
        "body_html": mark_safe(body_html),  # noqa: S308 - nh3 output
        "attachments": _attachment_rows(article),
        "other": selectors.other_language(article, visible),
        "translation_of": article.translation_of_id,
        "solutions": article.solutions.filter(
            pk__in=solutions_visible_to(user).values("pk")
        ).order_by("name")[:50],
        "request_types": article.request_types.order_by("name"),
        "tickets": article.tickets.filter(pk__in=tickets_visible_to(user).values("pk")).order_by(
            "-created_at"
        )[:50],
        "revisions": selectors.revisions_of(article)[:100],
        "can_edit": selectors.can_edit_article(user, article),
        "moves": selectors.article_moves(user, article),
        "is_writer": selectors.reads_everything(user) or selectors.is_owner(user, article),
        "can_vote": selectors.can_vote_article(user, article),
        "votes": selectors.votes_of(article),
        **extra,
    }


class ArticleEditView(RoleRequiredMixin, View):
    """Edit with the version read; a stale edit shows both versions and lets the editor
    apply theirs on top of the current one."""

    allowed_roles = WRITERS

    def _article(self, request: HttpRequest, pk: int) -> tuple[User, Article]:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        # Only to show the form: article_update itself refuses whoever may not edit.
        if not selectors.can_edit_article(user, article):
            raise PermissionDenied
        return user, article

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user, article = self._article(request, pk)
        form = forms.ArticleForm(user=user, initial=forms.ArticleForm.initial_for(article))
        return _form_page(request, form, article)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user, article = self._article(request, pk)
        form = forms.ArticleForm(request.POST, user=user)
        if not form.is_valid():
            return _form_page(request, form, article, status=400)
        expected = form.cleaned_data.get("version")
        if expected is None:
            form.add_error(None, _("This form is out of date: open the article and edit again."))
            return _form_page(request, form, article, status=400)
        data = form.article_data()
        try:
            services.article_update(
                article=article,
                actor=user,
                expected_version=expected,
                data=data,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return _form_page(request, form, article, status=400)
        except VersionConflict as conflict:
            return _conflict(request, user, conflict.current, form)
        messages.success(request, _("Article saved."))
        return redirect("knowledge:article", pk=article.pk)


def _conflict(
    request: HttpRequest, user: User, current: Article, form: forms.ArticleForm
) -> HttpResponse:
    """Both versions side by side; the form holds the editor's text with the current
    version, so sending it again applies theirs on top."""
    mine = form.cleaned_data
    rows = []
    for name in ("title", "body", "topic", "audience", "language", "review_by"):
        theirs, yours = getattr(current, name), mine.get(name)
        rows.append(
            {
                "label": form.fields[name].label,
                "current": theirs,
                "yours": yours,
                "differs": theirs != yours,
                "diff": mark_safe(diff_html(str(theirs or ""), str(yours or ""))),  # noqa: S308 - escaped
            }
        )
    data = request.POST.copy()
    data["version"] = str(current.version)
    merge = forms.ArticleForm(data, user=user)
    merge.is_valid()
    return render(
        request,
        "knowledge/article_conflict.html",
        {"article": current, "rows": rows, "form": merge},
        status=409,
    )


class ArticleMoveView(RoleRequiredMixin, View):
    """Submit for review, publish, retire: one service each."""

    allowed_roles = WRITERS
    move = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        try:
            services.MOVES[self.move](article=article, actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(
                request, "knowledge/article_detail.html", _detail(user, article), status=400
            )
        done = {
            "submit": _("Sent for review."),
            "publish": _("Published: readers see it now."),
            "retire": _("Retired: readers no longer see it."),
        }
        messages.success(request, done[self.move])
        return redirect("knowledge:article", pk=article.pk)


class RevisionView(RoleRequiredMixin, View):
    """One revision and what changed since the one before it."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        if not (selectors.reads_everything(user) or selectors.is_owner(user, article)):
            raise Http404  # readers see the article, its writers its history
        revision = selectors.revision_get(article, number)
        previous = article.revisions.filter(number__lt=number).order_by("-number").first()
        before_title = previous.title if previous else ""
        before_body = previous.body if previous else ""
        return render(
            request,
            "knowledge/revision.html",
            {
                "article": article,
                "revision": revision,
                "previous": previous,
                "title_diff": mark_safe(diff_html(before_title, revision.title)),  # noqa: S308
                "body_diff": mark_safe(diff_html(before_body, revision.body)),  # noqa: S308
            },
        )


# ------------------------------------------------------------------ attachments


def file_response(attachment: ArticleAttachment) -> FileResponse:
    """The stored file: images inline (the article shows them), everything else as a
    download; never sniffed, never run as a page, never cached by a shared cache."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=not attachments.is_image(attachment),
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class AttachmentDownloadView(RoleRequiredMixin, View):
    """GET an article's file: only after `can_read` (hidden and missing alike: 404)."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        found = selectors.attachment_get_for_user(request_user(request), pk, attachment_pk)
        return file_response(found)


class AttachmentUploadView(RoleRequiredMixin, View):
    """POST a file to an article (`services.article_attach`); back to the edit page."""

    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        article = selectors.article_get_for_user(user, pk)
        upload_form = forms.AttachmentForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                added = services.article_attach(
                    article=article, actor=user, upload=upload_form.cleaned_data["file"]
                )
            except ValidationError as error:
                for problem in error.message_dict.get("file", error.messages):
                    upload_form.add_error("file", problem)
            else:
                messages.success(
                    request,
                    _("Attached. To show it in the article, put %(markdown)s in the body.")
                    % {"markdown": attachments.markdown_for(added)},
                )
                return redirect("knowledge:edit", pk=article.pk)
        if not selectors.can_attach_to_article(user, article):
            raise PermissionDenied  # (the service refuses; the form page would too)
        form = forms.ArticleForm(user=user, initial=forms.ArticleForm.initial_for(article))
        return _form_page(request, form, article, status=400, upload_form=upload_form)


class AttachmentRemoveView(RoleRequiredMixin, View):
    """POST: delete an article's file (`services.article_attachment_remove`)."""

    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        user = request_user(request)
        found = selectors.attachment_get_for_user(user, pk, attachment_pk)
        services.article_attachment_remove(attachment=found, actor=user)
        messages.success(
            request,
            _("Removed “%(name)s”. References to it in the body no longer show.")
            % {"name": found.name},
        )
        return redirect("knowledge:edit", pk=pk)
