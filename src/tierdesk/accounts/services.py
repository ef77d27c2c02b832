"""Writes about people, teams and API tokens."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from tierdesk.accounts import selectors
from tierdesk.accounts.choices import Language, MembershipRole
from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership, User
from tierdesk.common.permissions import require
from tierdesk.common.records import record_delete, record_save

log = logging.getLogger(__name__)


def user_set_language(*, user: User, language: str) -> User:
    """Keep `language` as the user's choice; empty forgets it (the browser decides)."""
    if language and language not in Language.values:
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


class TokenRefused(ValueError):
    """An API token that may not be created or revoked as asked; the message says why."""


def api_token_create(*, user: User, days: int | None = None) -> tuple[Any, str]:
    """A new API token for `user`: returns the stored row (its SHA-512 digest, the first
    15 characters as `token_key`, the expiry) and the token itself, which is shown once
    and kept nowhere. Expires after `days`, else TIERDESK_TOKEN_DAYS."""
    if not user.is_active:
        raise TokenRefused(f"user {user.username!r} is inactive and cannot use the API")
    if days is not None and days < 1:
        raise TokenRefused("a token must be valid for at least one day")
    if days is None:
        instance, token = AuthToken.objects.create(user=user)  # REST_KNOX["TOKEN_TTL"]
    else:
        instance, token = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=days))
    log.info("API token %s… created for %s, expires %s", instance.token_key, user, instance.expiry)
    return instance, token


def api_token_revoke(*, token: Any) -> None:
    """Revoke one token (the one a request came with)."""
    log.info("API token %s… of %s revoked", token.token_key, token.user)
    token.delete()


def api_tokens_revoke(*, user: User, prefix: str | None = None) -> int:
    """Revoke `user`'s tokens: the one whose key starts with `prefix`, or all of them.
    A prefix that matches several tokens is refused rather than revoking them all."""
    tokens = AuthToken.objects.filter(user=user)
    if prefix is not None:
        if not prefix:
            raise TokenRefused("give the first characters of the token to revoke")
        tokens = tokens.filter(token_key__startswith=prefix[:15])
        count = tokens.count()
        if count == 0:
            raise TokenRefused(f"{user.username!r} has no token starting with {prefix!r}")
        if count > 1:
            raise TokenRefused(f"{prefix!r} starts {count} tokens; give more characters")
    deleted, _per_model = tokens.delete()
    if deleted:
        log.info("%d API token(s) of %s revoked", deleted, user)
    return int(deleted)


def _organisation_editor(actor: User) -> None:
    require(
        selectors.can_manage_organisation(actor),
        _("Only an admin changes business units and support teams."),
    )


def business_unit_save(
    *, actor: User, instance: BusinessUnit | None, data: Mapping[str, Any]
) -> BusinessUnit:
    _organisation_editor(actor)
    return record_save(BusinessUnit, instance, data)


def business_unit_delete(*, actor: User, instance: BusinessUnit) -> None:
    _organisation_editor(actor)
    record_delete(instance)


def team_save(*, actor: User, instance: SupportTeam | None, data: Mapping[str, Any]) -> SupportTeam:
    _organisation_editor(actor)
    return record_save(SupportTeam, instance, data)


def team_delete(*, actor: User, instance: SupportTeam) -> None:
    _organisation_editor(actor)
    record_delete(instance)
