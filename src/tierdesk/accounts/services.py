"""Writes about people and teams."""

from __future__ import annotations

from django.db import transaction

from tierdesk.accounts.choices import Language, MembershipRole
from tierdesk.accounts.models import SupportTeam, TeamMembership, User


def user_set_language(*, user: User, language: str) -> User:
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}; expected one of {Language.values}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def team_add_member(
    *, team: SupportTeam, user: User, role: str = MembershipRole.MEMBER
) -> TeamMembership:
    membership, created = TeamMembership.objects.get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if role == MembershipRole.LEAD and team.lead_id != user.pk:
        team.lead = user
        team.save(update_fields=["lead"])
    return membership
