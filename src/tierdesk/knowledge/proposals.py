"""The platform team → help desk loop: a ticket resolved past the help desk becomes a
proposed article, the topic's knowledge owner edits and publishes it, and coverage per
topic shows which escalations already have an article.

Who does what (the named rules, each asked by its service):

- `can_propose_article`: the platform team and admins — who work a ticket once it has
  reached the platform team, a partner or the vendor — on a resolved or closed ticket
  that went past the help desk (`escalated_past_help_desk`) and has no open or published
  proposal yet. Managers write nothing.
- `can_publish_proposal` / `can_decline_proposal`: the topic's knowledge owner
  (`TopicOwner`: the person, or a member of the team); when the topic has none, every
  knowledge writer (`selectors.can_create_article`); admins always. Only while it is open.
- `can_manage_topic_owners`: admins and the leads of a platform team.
- `can_see_coverage`: knowledge writers and managers.

Proposals are internal: only who reads every article (`selectors.reads_everything`: the
help desk, the platform team, admins and managers) sees them, and only those of tickets
they may see. Anything else answers as missing (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import require, roles_of
from tierdesk.common.roles import PLATFORM_STAFF, Role
from tierdesk.desk import selectors as desk_selectors
from tierdesk.desk.choices import PAST_HELP_DESK, MessageKind, TicketEventType, TicketStatus, Topic
from tierdesk.desk.models import Ticket, TicketMessage
from tierdesk.knowledge import selectors, services
from tierdesk.knowledge.choices import ArticleStatus, Language, ProposalStatus
from tierdesk.knowledge.models import Article, ArticleProposal, TopicOwner
from tierdesk.notify import services as notify

"""The rungs above the help desk: a ticket that reached one was escalated past it."""
OWNER_TEAM_KINDS = (TeamKind.HELP_DESK, TeamKind.PLATFORM)
"""A topic's owner team writes articles: the help desk or the platform team."""
RESOLUTION_REPLIES = 2
"""How many of the resolver's last public replies the proposal's resolution quotes."""
TEXT_MAX = 10_000
COVERAGE_PERIODS = (30, 90, 365)
COVERAGE_DEFAULT_DAYS = 90
UNCOVERED_SHOWN = 10

HEADINGS: dict[str, tuple[str, str]] = {
    "ko": ("질문", "해결 방법"),
    "en": ("Question", "Resolution"),
}
"""The article's own headings, in the article's language (not the reader's)."""


# ---------------------------------------------------------------- escalated past the desk


def escalated_q() -> Q:
    """Tickets that reached the platform team, a partner or the vendor at some point
    (`Ticket.reached_past_help_desk`, kept by the desk's services). Written as `IN` so
    SQLite's planner takes it as an equality on the index `desk_past_desk_resolved`."""
    return Q(reached_past_help_desk__in=[True])


def escalated_past_help_desk(ticket: Ticket) -> bool:
    return ticket.reached_past_help_desk or ticket.level in PAST_HELP_DESK


def _resolved(ticket: Ticket) -> bool:
    return not ticket.is_open and ticket.status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}


# ------------------------------------------------------------------------------ the rules


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _team_ids(user: Any) -> frozenset[int]:
    cached: frozenset[int] | None = getattr(user, "_kb_team_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("team_id", flat=True))
        user._kb_team_ids = cached
    return cached


def sees_proposals(user: Any) -> bool:
    """Proposals are internal: the help desk, the platform team, admins and managers."""
    return _signed_in(user) and selectors.reads_everything(user)


def _open_or_published(ticket: Ticket) -> bool:
    return ticket.proposals.filter(
        status__in=[ProposalStatus.OPEN, ProposalStatus.PUBLISHED]
    ).exists()


def can_propose_article(user: Any, ticket: Ticket) -> bool:
    """ "문서 제안" on a ticket: the platform team and admins, who work it once it went past
    the help desk; the ticket resolved or closed, escalated past the help desk, and not
    proposed already (an open or published proposal)."""
    if not _signed_in(user) or not roles_of(user) & PLATFORM_STAFF:
        return False
    if not desk_selectors.can_work(user, ticket) or not _resolved(ticket):
        return False
    return escalated_past_help_desk(ticket) and not _open_or_published(ticket)


@dataclass(frozen=True)
class Owner:
    """A topic's knowledge owner: a person, a team, both or neither (then every knowledge
    writer)."""

    person: User | None
    team: SupportTeam | None

    @property
    def named(self) -> bool:
        return self.person is not None or self.team is not None


def topic_owner(topic: str) -> Owner:
    row = TopicOwner.objects.select_related("owner", "owner_team").filter(topic=topic).first()
    if row is None:
        return Owner(None, None)
    person = row.owner if row.owner is not None and row.owner.is_active else None
    return Owner(person, row.owner_team)


def _owners() -> dict[str, Owner]:
    found = {topic: Owner(None, None) for topic in Topic.values}
    for row in TopicOwner.objects.select_related("owner", "owner_team"):
        person = row.owner if row.owner is not None and row.owner.is_active else None
        found[row.topic] = Owner(person, row.owner_team)
    return found


def owns_topic(user: Any, owner: Owner) -> bool:
    if not _signed_in(user):
        return False
    if owner.person is not None and owner.person.pk == user.pk:
        return True
    return owner.team is not None and owner.team.pk in _team_ids(user)


def _decides(user: Any, proposal: ArticleProposal) -> bool:
    if proposal.status != ProposalStatus.OPEN or not selectors.can_create_article(user):
        return False
    if Role.ADMIN in roles_of(user):
        return True
    owner = topic_owner(proposal.topic)
    return owns_topic(user, owner) if owner.named else True


def can_publish_proposal(user: Any, proposal: ArticleProposal) -> bool:
    """Make it an article and publish it: the topic's knowledge owner (the person or a
    member of the team), every knowledge writer when the topic has no owner, admins."""
    return _decides(user, proposal)


def can_decline_proposal(user: Any, proposal: ArticleProposal) -> bool:
    """Decline it with a note: whoever may publish it."""
    return _decides(user, proposal)


def _leads_platform(user: Any) -> bool:
    led = SupportTeam.objects.filter(kind=TeamKind.PLATFORM).filter(
        Q(lead=user) | Q(memberships__user=user, memberships__role=MembershipRole.LEAD)
    )
    return led.exists()


def can_manage_topic_owners(user: Any) -> bool:
    """Name a topic's knowledge owner: admins and the leads of a platform team."""
    if not _signed_in(user):
        return False
    if Role.ADMIN in roles_of(user):
        return True
    return Role.PLATFORM_ENGINEER in roles_of(user) and _leads_platform(user)


def can_see_coverage(user: Any) -> bool:
    """Coverage per topic: knowledge writers and managers."""
    return selectors.can_create_article(user) or (
        _signed_in(user) and Role.MANAGER in roles_of(user)
    )


# ------------------------------------------------------------------------------- reading


def proposals_visible_to(user: Any) -> QuerySet[ArticleProposal]:
    """Internal: who reads every article sees the proposals of the tickets they see."""
    if not sees_proposals(user):
        return ArticleProposal.objects.none()
    return ArticleProposal.objects.filter(
        ticket__in=desk_selectors.tickets_visible_to(user).values("pk")
    )


def proposal_get_for_user(user: Any, pk: int) -> ArticleProposal:
    found = (
        proposals_visible_to(user)
        .select_related("ticket", "proposed_by", "decided_by", "article")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _mine_q(user: Any, owners: dict[str, Owner]) -> Q | None:
    """Which topics' proposals wait for `user`: topics they own, and topics with no owner
    when they write articles. None: every topic (admins)."""
    if Role.ADMIN in roles_of(user):
        return None
    writer = selectors.can_create_article(user)
    topics = [
        topic
        for topic, owner in owners.items()
        if (owns_topic(user, owner) if owner.named else writer)
    ]
    return Q(topic__in=topics)


def proposal_queue(user: Any) -> dict[str, list[ArticleProposal]]:
    """{"mine": open proposals waiting for me, "others": the rest of the open ones I may
    see, "decided": the latest decided ones}."""
    visible = proposals_visible_to(user).select_related("ticket", "proposed_by")
    open_ = visible.filter(status=ProposalStatus.OPEN).order_by("created_at", "id")
    mine_q = _mine_q(user, _owners()) if sees_proposals(user) else Q(pk__in=[])
    if not selectors.can_create_article(user):
        mine_q = Q(pk__in=[])
    mine = open_ if mine_q is None else open_.filter(mine_q)
    others = open_.none() if mine_q is None else open_.exclude(mine_q)
    decided = visible.exclude(status=ProposalStatus.OPEN).select_related("article", "decided_by")
    return {
        "mine": list(mine[:200]),
        "others": list(others[:200]),
        "decided": list(decided.order_by("-decided_at", "-id")[:20]),
    }


def topic_owner_rows() -> list[dict[str, Any]]:
    owners = _owners()
    return [
        {"topic": topic, "label": label, "owner": owners[topic]} for topic, label in Topic.choices
    ]


# -------------------------------------------------------------------- what a ticket says


def _resolver_and_reason(ticket: Ticket) -> tuple[User | None, str]:
    event = (
        ticket.events.filter(type=TicketEventType.RESOLVED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return None, ""
    return event.actor, str((event.parameters or {}).get("reason", "") or "").strip()


def resolution_text(ticket: Ticket) -> str:
    """The resolver's last public replies (oldest first), then the reason given when the
    ticket was resolved, each once."""
    resolver, reason = _resolver_and_reason(ticket)
    replies = TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.REPLY)
    if resolver is not None:
        replies = replies.filter(author=resolver)
    elif ticket.requester_id is not None:
        replies = replies.exclude(author_id=ticket.requester_id)
    last = list(replies.order_by("-created_at", "-id")[:RESOLUTION_REPLIES])
    parts: list[str] = []
    for message in reversed(last):
        body = message.body.strip()
        if body and body not in parts:
            parts.append(body)
    if reason and reason not in parts:
        parts.append(reason)
    return "\n\n".join(parts)[:TEXT_MAX]


def proposal_initial(ticket: Ticket) -> dict[str, Any]:
    """The proposal form's values taken from the ticket."""
    return {
        "title": ticket.subject[:200],
        "question": (ticket.description.strip() or ticket.subject)[:TEXT_MAX],
        "resolution": resolution_text(ticket),
        "topic": ticket.topic,
    }


def article_language(proposal: ArticleProposal, fallback: str) -> str:
    language = (proposal.ticket.language or "")[:2]
    return language if language in Language.values else fallback


def article_body(question: str, resolution: str, language: str) -> str:
    """Markdown with the question and the resolution under headings in the article's
    language."""
    asked, answered = HEADINGS.get(language, HEADINGS["ko"])
    return f"## {asked}\n\n{question.strip()}\n\n## {answered}\n\n{resolution.strip()}\n"


def article_initial(user: Any, proposal: ArticleProposal, *, fallback: str) -> dict[str, Any]:
    """The article form's values for the owner who makes the proposal an article."""
    language = article_language(proposal, fallback)
    ticket = proposal.ticket
    owner = topic_owner(proposal.topic)
    solution = ticket.solution
    solutions = ""
    if (
        solution is not None
        and desk_selectors.solutions_nameable_by(user).filter(pk=solution.pk).exists()
    ):
        solutions = solution.platform_id
    return {
        "title": proposal.title,
        "body": article_body(proposal.question, proposal.resolution, language),
        "topic": proposal.topic,
        "audience": "internal",
        "language": language,
        "owner": user,
        "owner_team": owner.team,
        "tickets": ticket.number or str(ticket.pk),
        "solutions": solutions,
    }


def ticket_articles(user: Any, ticket: Ticket) -> list[Article]:
    """The published articles this ticket became (through a proposal or linked)."""
    return list(
        selectors.articles_published_for(user)
        .filter(Q(tickets=ticket) | Q(proposals__ticket=ticket))
        .distinct()
        .order_by("-published_at", "-id")[:10]
    )


# -------------------------------------------------------------------------------- writes


def _text(data: dict[str, Any], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    raw = str(data.get(name) or "")
    value = " ".join(raw.split()) if limit <= 200 else raw.strip()
    if not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("Keep it under %(n)s characters.") % {"n": limit}]
    return value


@transaction.atomic
def proposal_create(*, actor: User | None, ticket: Ticket, data: dict[str, Any]) -> ArticleProposal:
    """Propose an article from a resolved escalation. Refused unless
    `can_propose_article`."""
    if actor is not None:
        require(
            can_propose_article(actor, ticket),
            _("Only the platform team and admins propose an article from a resolved escalation."),
        )
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", 200, errors)
    question = _text(data, "question", TEXT_MAX, errors)
    resolution = _text(data, "resolution", TEXT_MAX, errors)
    topic = str(data.get("topic") or ticket.topic)
    if topic not in Topic.values:
        errors["topic"] = [_("Choose a topic.")]
    if errors:
        raise ValidationError(errors)
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if actor is not None and _open_or_published(ticket):
        raise ValidationError(_("This ticket has been proposed already."))
    return ArticleProposal.objects.create(
        ticket=ticket,
        topic=topic,
        title=title,
        question=question,
        resolution=resolution,
        proposed_by=actor,
        created_at=clock.now(),
    )


def _tell_proposer(proposal: ArticleProposal, actor: User | None, *, published: bool) -> None:
    person = proposal.proposed_by
    if person is None or not person.is_active or (actor is not None and person.pk == actor.pk):
        return
    with translation.override(person.mail_language):
        if published:
            subject = _("Your proposal became an article: %(title)s") % {
                "title": proposal.article.title if proposal.article else proposal.title
            }
            body = _("Ticket %(number)s is now a knowledge article.") % {
                "number": proposal.ticket.number or proposal.ticket_id
            }
            url = reverse("knowledge:article", args=[proposal.article_id])
        else:
            subject = _("Your proposal was declined: %(title)s") % {"title": proposal.title}
            body = proposal.decision_note
            url = reverse("knowledge:proposal", args=[proposal.pk])
    notify.inbox_post(
        recipient=person,
        key=f"kb-proposal:{proposal.pk}:{proposal.status}",
        subject=subject,
        url=url,
        body=body,
    )


def _lock_open(proposal: ArticleProposal) -> ArticleProposal:
    locked = ArticleProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(_("Someone has already decided on this proposal."))
    return locked


@transaction.atomic
def proposal_publish(
    *, actor: User, proposal: ArticleProposal, data: dict[str, Any], note: str = ""
) -> Article:
    """Write the article from the proposal (`services.article_create`, linked to the
    ticket), publish it (`services.article_publish`) and tell the proposer. Refused unless
    `can_publish_proposal`."""
    require(
        can_publish_proposal(actor, proposal),
        _("Only the topic's knowledge owner and admins publish this proposal."),
    )
    proposal = _lock_open(proposal)
    data = dict(data)
    tickets = list(data.get("tickets") or [])
    if proposal.ticket not in tickets:
        tickets.append(proposal.ticket)
    data["tickets"] = tickets
    article = services.article_create(actor=actor, data=data, note=note)
    if not selectors.can_edit_article(actor, article):
        raise ValidationError(
            {"owner": [_("You publish it: name yourself or a team you are in as an owner.")]}
        )
    article = services.article_publish(article=article, actor=actor)
    proposal.status = ProposalStatus.PUBLISHED
    proposal.article = article
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["status", "article", "decided_by", "decided_at"])
    _tell_proposer(proposal, actor, published=True)
    return article


@transaction.atomic
def proposal_decline(*, actor: User, proposal: ArticleProposal, note: str) -> ArticleProposal:
    """Decline with a note the proposer reads. Refused unless `can_decline_proposal`."""
    require(
        can_decline_proposal(actor, proposal),
        _("Only the topic's knowledge owner and admins decline this proposal."),
    )
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": [_("Say why, so the proposer knows.")]})
    if len(note) > 500:
        raise ValidationError({"note": [_("Keep it under %(n)s characters.") % {"n": 500}]})
    proposal = _lock_open(proposal)
    proposal.status = ProposalStatus.DECLINED
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _tell_proposer(proposal, actor, published=False)
    return proposal


@transaction.atomic
def topic_owner_set(
    *, actor: User | None, topic: str, owner: User | None, owner_team: SupportTeam | None
) -> TopicOwner | None:
    """Name a topic's knowledge owner (a person who writes articles, a help-desk or
    platform team, or both); neither removes it (every knowledge writer then). Refused
    unless `can_manage_topic_owners`."""
    if actor is not None:
        require(
            can_manage_topic_owners(actor),
            _("Only admins and platform team leads name knowledge owners."),
        )
    errors: dict[str, list[str]] = {}
    if topic not in Topic.values:
        errors["topic"] = [_("Choose a topic.")]
    if owner is not None and not selectors.can_create_article(owner):
        errors["owner"] = [
            _("A knowledge owner writes articles: the help desk, the platform team or an admin.")
        ]
    if owner_team is not None and owner_team.kind not in OWNER_TEAM_KINDS:
        errors["owner_team"] = [_("Choose the help desk or a platform team.")]
    if errors:
        raise ValidationError(errors)
    if owner is None and owner_team is None:
        TopicOwner.objects.filter(topic=topic).delete()
        return None
    row, _created = TopicOwner.objects.update_or_create(
        topic=topic, defaults={"owner": owner, "owner_team": owner_team}
    )
    return row


# ------------------------------------------------------------------------------ coverage


@dataclass
class TopicCoverage:
    topic: str
    label: str
    escalations: int
    covered: int
    uncovered_tickets: list[Ticket]

    @property
    def uncovered(self) -> int:
        return self.escalations - self.covered

    @property
    def percent(self) -> int | None:
        if not self.escalations:
            return None
        return round(100 * self.covered / self.escalations)


def coverage_days(raw: Any) -> int:
    try:
        days = int(str(raw))
    except ValueError:
        return COVERAGE_DEFAULT_DAYS
    return days if days in COVERAGE_PERIODS else COVERAGE_DEFAULT_DAYS


def coverage(user: Any, *, days: int) -> list[TopicCoverage]:
    """Per topic: escalations past the help desk resolved in the last `days` days among
    the tickets `user` sees, how many have a published article linked, and the newest
    uncovered ones."""
    since = clock.now() - timedelta(days=days)
    # the few tickets linked to a published article, as a subquery (not a test per ticket)
    linked = Article.tickets.through.objects.filter(article__status=ArticleStatus.PUBLISHED).values(
        "ticket_id"
    )
    tickets = (
        desk_selectors.tickets_visible_to(user)
        .filter(escalated_q())
        .filter(
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            is_open__in=[False],
            resolved_at__gte=since,
        )
        .order_by()
    )
    totals = {r["topic"]: r["n"] for r in tickets.values("topic").annotate(n=Count("id"))}
    covered = {
        r["topic"]: r["n"]
        for r in tickets.filter(pk__in=linked).values("topic").annotate(n=Count("id"))
    }
    rows = []
    for topic, label in Topic.choices:
        total = totals.get(topic, 0)
        done = covered.get(topic, 0)
        uncovered: list[Ticket] = []
        if total > done:
            uncovered = list(
                tickets.filter(topic=topic)
                .exclude(pk__in=linked)
                .order_by("-resolved_at", "-id")[:UNCOVERED_SHOWN]
            )
        rows.append(TopicCoverage(topic, str(label), total, done, uncovered))
    return rows
