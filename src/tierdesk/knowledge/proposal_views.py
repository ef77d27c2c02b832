"""The proposal loop's pages: "문서 제안" from a resolved escalation, the owners' queue,
one proposal made into an article or declined, topic owners and coverage per topic.
Every read asks `proposals` (hidden is missing: 404); every write calls one service,
which decides by its named rule; the views check the same rule first only to show the
form (or refuse before reading a form)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import request_user
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.desk import selectors as desk_selectors
from tierdesk.desk.choices import Topic
from tierdesk.desk.models import Ticket
from tierdesk.knowledge import proposal_forms, proposals
from tierdesk.knowledge.choices import Language
from tierdesk.knowledge.forms import ArticleForm
from tierdesk.knowledge.models import ArticleProposal


def _errors_to_form(form: Any, error: ValidationError, request: HttpRequest | None = None) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        if request is not None:  # decided meanwhile: the page no longer shows the form
            messages.error(request, " ".join(error.messages))
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _language(request: HttpRequest) -> str:
    code = getattr(request, "LANGUAGE_CODE", "ko")
    return code if code in Language.values else Language.KO


# ---------------------------------------------------------------------------- proposing


class ProposeView(RoleRequiredMixin, View):
    """The proposal form, prefilled from the ticket (`proposals.proposal_initial`)."""

    allowed_roles = ANY_USER

    def _ticket(self, request: HttpRequest, ticket_pk: int) -> tuple[User, Ticket]:
        user = request_user(request)
        ticket = desk_selectors.ticket_get_for_user(user, ticket_pk)
        if not proposals.sees_proposals(user):
            raise Http404  # internal: a requester never meets proposals
        # Only to show the form: proposal_create itself refuses whoever may not propose.
        if not proposals.can_propose_article(user, ticket):
            raise PermissionDenied(_("This ticket cannot be proposed as an article now."))
        return user, ticket

    def _page(
        self, request: HttpRequest, ticket: Ticket, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "knowledge/proposal_form.html",
            {"ticket": ticket, "form": form},
            status=status,
        )

    def get(self, request: HttpRequest, ticket_pk: int) -> HttpResponse:
        _user, ticket = self._ticket(request, ticket_pk)
        form = proposal_forms.ProposalForm(initial=proposals.proposal_initial(ticket))
        return self._page(request, ticket, form)

    def post(self, request: HttpRequest, ticket_pk: int) -> HttpResponse:
        user, ticket = self._ticket(request, ticket_pk)
        form = proposal_forms.ProposalForm(request.POST)
        if form.is_valid():
            try:
                proposals.proposal_create(actor=user, ticket=ticket, data=form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request, _("Proposed: the topic's knowledge owner sees it in their queue.")
                )
                return redirect("desk:ticket-detail", pk=ticket.pk)
        return self._page(request, ticket, form, status=400)


# ------------------------------------------------------------------------------ the queue


class ProposalQueueView(RoleRequiredMixin, View):
    """ "문서 제안": the open proposals waiting for me, the other open ones, the latest
    decided."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not proposals.sees_proposals(user):
            raise PermissionDenied
        return render(
            request,
            "knowledge/proposal_list.html",
            {
                **proposals.proposal_queue(user),
                "can_manage_owners": proposals.can_manage_topic_owners(user),
                "can_see_coverage": proposals.can_see_coverage(user),
            },
        )


# ------------------------------------------------------------------------- one proposal


def _detail(
    request: HttpRequest,
    user: User,
    proposal: ArticleProposal,
    *,
    article_form: ArticleForm | None = None,
    decline_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    can_publish = proposals.can_publish_proposal(user, proposal)
    can_decline = proposals.can_decline_proposal(user, proposal)
    if can_publish and article_form is None:
        article_form = ArticleForm(
            user=user,
            initial=proposals.article_initial(user, proposal, fallback=_language(request)),
        )
    if can_decline and decline_form is None:
        decline_form = proposal_forms.DeclineForm()
    return render(
        request,
        "knowledge/proposal_detail.html",
        {
            "proposal": proposal,
            "ticket": proposal.ticket,
            "owner": proposals.topic_owner(proposal.topic),
            "headings": proposals.HEADINGS,
            "article_form": article_form if can_publish else None,
            "decline_form": decline_form if can_decline else None,
        },
        status=status,
    )


class ProposalDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        return _detail(request, user, proposals.proposal_get_for_user(user, pk))


class ProposalPublishView(RoleRequiredMixin, View):
    """POST the article form: the article is written, linked to the ticket and published."""

    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        proposal = proposals.proposal_get_for_user(user, pk)
        # Refuse before reading the form; proposal_publish asks the same rule.
        if not proposals.can_publish_proposal(user, proposal):
            raise PermissionDenied(_("Only the topic's knowledge owner and admins publish it."))
        form = ArticleForm(request.POST, user=user)
        if form.is_valid():
            try:
                article = proposals.proposal_publish(
                    actor=user,
                    proposal=proposal,
                    data=form.article_data(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _errors_to_form(form, error, request)
            else:
                messages.success(
                    request, _("Published: the article is linked to the ticket and readers see it.")
                )
                return redirect("knowledge:article", pk=article.pk)
        proposal.refresh_from_db()
        return _detail(request, user, proposal, article_form=form, status=400)


class ProposalDeclineView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        proposal = proposals.proposal_get_for_user(user, pk)
        if not proposals.can_decline_proposal(user, proposal):
            raise PermissionDenied(_("Only the topic's knowledge owner and admins decline it."))
        form = proposal_forms.DeclineForm(request.POST)
        if form.is_valid():
            try:
                proposals.proposal_decline(
                    actor=user, proposal=proposal, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                _errors_to_form(form, error, request)
            else:
                messages.success(request, _("Declined: the proposer sees your note."))
                return redirect("knowledge:proposals")
        proposal.refresh_from_db()
        return _detail(request, user, proposal, decline_form=form, status=400)


# ---------------------------------------------------------------------------- topic owners


class TopicOwnersView(RoleRequiredMixin, View):
    """Each topic's knowledge owner; admins and platform team leads change them."""

    allowed_roles = ANY_USER

    def _page(self, request: HttpRequest, user: User, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "knowledge/topic_owners.html",
            {"rows": proposals.topic_owner_rows(), "form": form},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not proposals.sees_proposals(user):
            raise PermissionDenied
        form = None
        if proposals.can_manage_topic_owners(user):
            topic = request.GET.get("topic", "")
            initial: dict[str, Any] = {}
            if topic in Topic.values:
                owner = proposals.topic_owner(topic)
                initial = {"topic": topic, "owner": owner.person, "owner_team": owner.team}
            form = proposal_forms.TopicOwnerForm(user=user, initial=initial)
        return self._page(request, user, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not proposals.can_manage_topic_owners(user):
            raise PermissionDenied(_("Only admins and platform team leads name knowledge owners."))
        form = proposal_forms.TopicOwnerForm(request.POST, user=user)
        if form.is_valid():
            try:
                proposals.topic_owner_set(
                    actor=user,
                    topic=form.cleaned_data["topic"],
                    owner=form.cleaned_data.get("owner"),
                    owner_team=form.cleaned_data.get("owner_team"),
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Knowledge owner saved."))
                return redirect("knowledge:topic-owners")
        return self._page(request, user, form, status=400)


# ------------------------------------------------------------------------------- coverage


class CoverageView(RoleRequiredMixin, View):
    """Per topic: escalations resolved in the period, with and without an article."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        if not proposals.can_see_coverage(user):
            raise PermissionDenied
        days = proposals.coverage_days(request.GET.get("days", ""))
        rows = proposals.coverage(user, days=days)
        total = sum(r.escalations for r in rows)
        covered = sum(r.covered for r in rows)
        return render(
            request,
            "knowledge/coverage.html",
            {
                "rows": rows,
                "days": days,
                "periods": proposals.COVERAGE_PERIODS,
                "total": total,
                "covered": covered,
                "uncovered": total - covered,
                "percent": round(100 * covered / total) if total else None,
            },
        )
