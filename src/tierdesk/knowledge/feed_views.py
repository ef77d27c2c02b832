"""Pages of the product-update feeds and the review tasks they make. Reads ask
`feeds.feeds_visible_to` and `review_tasks.review_tasks_visible_to` (hidden is missing:
404); every write calls one service, which decides by its named rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.ids import form_id
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER, DESK_WORKERS, READ_ALL, WRITERS
from tierdesk.knowledge import feeds, review_tasks, selectors
from tierdesk.knowledge.choices import ReviewReason, ReviewTaskStatus
from tierdesk.knowledge.feed_forms import FeedForm
from tierdesk.knowledge.models import FeedItem, FeedSubscription, ReviewTask

FEED_READERS = READ_ALL | DESK_WORKERS
"""Who reads every article reads the feeds (`feeds.reads_feeds`); leads manage them."""
ITEMS_PER_FEED = 20
TASKS_SHOWN = 200
CLOSED_SHOWN = 20


# ---------------------------------------------------------------------------- feeds


def _feeds_page(request: HttpRequest, form: FeedForm, status: int = 200) -> HttpResponse:
    user = request_user(request)
    rows = feeds.feeds_visible_to(user).annotate(
        item_count=Count("items", distinct=True),
        task_count=Count("items__review_tasks", distinct=True),
    )
    return render(
        request,
        "knowledge/feed_list.html",
        {
            "feeds": rows.order_by("name", "id"),
            "form": form,
            "can_manage": feeds.can_manage_feeds(user),
        },
        status=status,
    )


class FeedListView(RoleRequiredMixin, View):
    """ "제품 업데이트 피드": the subscriptions, their last fetch and errors; leads add one."""

    allowed_roles = FEED_READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        if not feeds.reads_feeds(request_user(request)):
            raise Http404
        return _feeds_page(request, FeedForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = FeedForm(request.POST)
        if not form.is_valid():
            return _feeds_page(request, form, status=400)
        try:
            feed = feeds.feed_subscription_create(
                actor=user,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                topic=form.cleaned_data["topic"],
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
            return _feeds_page(request, form, status=400)
        messages.success(
            request,
            _("“%(name)s” added. Fetch it now, or wait for the daily fetch.") % {"name": feed.name},
        )
        return redirect("knowledge:feeds")


def _fetched_message(request: HttpRequest, feed: FeedSubscription, result: Any) -> None:
    if result.error:
        messages.error(
            request,
            _("“%(name)s” could not be fetched: %(error)s")
            % {"name": feed.name, "error": result.error},
        )
    elif result.not_modified:
        messages.info(
            request, _("“%(name)s” has not changed since the last fetch.") % {"name": feed.name}
        )
    else:
        posts = ngettext("%(n)s new post", "%(n)s new posts", result.new_items) % {
            "n": result.new_items
        }
        tasks = ngettext("%(n)s review task", "%(n)s review tasks", result.tasks) % {
            "n": result.tasks
        }
        messages.success(
            request,
            _("“%(name)s” fetched: %(posts)s, %(tasks)s.")
            % {"name": feed.name, "posts": posts, "tasks": tasks},
        )


class FeedActionView(RoleRequiredMixin, View):
    """POST: enable, disable, delete or fetch one subscription now."""

    allowed_roles = FEED_READERS
    ACTIONS = frozenset({"enable", "disable", "delete", "fetch"})

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        user = request_user(request)
        feed = feeds.feed_get_for_user(user, pk)
        if action == "fetch":
            result = feeds.feed_fetch(feed=feed, actor=user)
            _fetched_message(request, feed, result)
        elif action == "delete":
            feeds.feed_subscription_delete(feed=feed, actor=user)
            messages.success(request, _("“%(name)s” deleted.") % {"name": feed.name})
        else:
            feeds.feed_subscription_set_enabled(feed=feed, actor=user, enabled=action == "enable")
            if action == "enable":
                messages.success(request, _("“%(name)s” is fetched again.") % {"name": feed.name})
            else:
                messages.success(
                    request, _("“%(name)s” is no longer fetched.") % {"name": feed.name}
                )
        return redirect("knowledge:feeds")


class FeedItemsView(RoleRequiredMixin, View):
    """ "최근 제품 업데이트": each feed's newest posts and the review tasks each made."""

    allowed_roles = FEED_READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not feeds.reads_feeds(user):
            raise Http404
        subscriptions = feeds.feeds_visible_to(user).order_by("name", "id")
        chosen = form_id(request.GET.get("feed", ""))
        if chosen:
            subscriptions = subscriptions.filter(pk=chosen)
        groups = []
        for feed in subscriptions[:50]:
            items = (
                FeedItem.objects.filter(feed=feed)
                .annotate(task_count=Count("review_tasks"))
                .order_by("-published_at", "-id")[:ITEMS_PER_FEED]
            )
            groups.append({"feed": feed, "items": list(items)})
        return render(
            request,
            "knowledge/feed_items.html",
            {"groups": groups, "chosen": chosen, "can_manage": feeds.can_manage_feeds(user)},
        )


# ---------------------------------------------------------------------------- review tasks


class ReviewTaskListView(RoleRequiredMixin, View):
    """ "검토 작업": the open tasks the user owns (knowledge leads: every one), the
    recently closed ones below."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        visible = review_tasks.review_tasks_visible_to(user).select_related(
            "article", "article__owner", "article__owner_team", "feed_item__feed"
        )
        item = form_id(request.GET.get("item", ""))
        if item:
            visible = visible.filter(feed_item_id=item)
        open_tasks = visible.filter(status=ReviewTaskStatus.OPEN).order_by("-created_at", "-id")
        closed = visible.exclude(status=ReviewTaskStatus.OPEN).order_by("-closed_at", "-id")
        shown = list(open_tasks[:TASKS_SHOWN])
        for task in shown:
            task.may_close = review_tasks.can_close_review_task(user, task)  # type: ignore[attr-defined]
        return render(
            request,
            "knowledge/review_task_list.html",
            {
                "open_tasks": shown,
                "closed_tasks": list(closed[:CLOSED_SHOWN]),
                "item": item,
                "all_tasks": review_tasks.sees_all_review_tasks(user),
                "reads_feeds": feeds.reads_feeds(user),
            },
        )


def _task_page(
    request: HttpRequest, task: ReviewTask, status: int = 200, error: str = ""
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "knowledge/review_task_detail.html",
        {
            "task": task,
            "article": task.article,
            "item": task.feed_item,
            "is_open": task.status == ReviewTaskStatus.OPEN,
            "can_close": review_tasks.can_close_review_task(user, task),
            "can_edit": selectors.can_edit_article(user, task.article),
            "due": task.reason == ReviewReason.REVIEW_DUE,
            "error": error,
        },
        status=status,
    )


class ReviewTaskDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = review_tasks.review_task_get_for_user(request_user(request), pk)
        return _task_page(request, task)


class ReviewTaskCloseView(RoleRequiredMixin, View):
    """POST done ("검토 완료") or dismiss ("해당 없음")."""

    allowed_roles = WRITERS
    OUTCOMES = {"done": ReviewTaskStatus.DONE, "dismiss": ReviewTaskStatus.DISMISSED}

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        outcome = self.OUTCOMES.get(action)
        if outcome is None:
            raise Http404
        user = request_user(request)
        task = review_tasks.review_task_get_for_user(user, pk)
        try:
            task = review_tasks.review_task_close(task=task, actor=user, status=outcome)
        except ValidationError as error:
            return _task_page(request, task, status=400, error=" ".join(error.messages))
        if outcome == ReviewTaskStatus.DONE:
            task.article.refresh_from_db()
            if task.reason == ReviewReason.REVIEW_DUE and task.article.review_by is not None:
                messages.success(
                    request,
                    _("Marked reviewed. The next review is due on %(date)s.")
                    % {"date": date_format(task.article.review_by, "SHORT_DATE_FORMAT")},
                )
            else:
                messages.success(request, _("Marked reviewed: the article is still true."))
        else:
            messages.success(request, _("Marked not affected by this update."))
        return redirect("knowledge:review-tasks")
