from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import AccountKind, Language, MembershipRole, TeamKind

if TYPE_CHECKING:
    from tierdesk.common.roles import Role


class BusinessUnit(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person or a non-human account known to tierdesk.

    Imported makers who never sign in are inactive users matched by UPN or e-mail."""

    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    upn = models.CharField(
        _("user principal name"),
        max_length=254,
        blank=True,
        default="",
        help_text=_("Sign-in name on the platform, e.g. dana@contoso.com"),
    )
    external_id = models.CharField(
        _("directory object id"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("Entra object id, lower case"),
    )
    kind = models.CharField(
        _("account kind"), max_length=32, choices=AccountKind.choices, default=AccountKind.PERSON
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        default="",
        help_text=_("Empty: the language the browser asks for."),
    )
    business_unit = models.ForeignKey(
        BusinessUnit,
        verbose_name=_("business unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_manager = models.BooleanField(
        _("reads insights"),
        default=False,
        help_text=_("Managers read support insights across the organisation; they change nothing."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            models.Index(Lower("upn"), name="accounts_user_upn_lower"),
            models.Index(Lower("email"), name="accounts_user_email_lower"),
            models.Index(fields=["external_id"], name="accounts_user_external_id"),
        ]

    @property
    def mail_language(self) -> str:
        """The language tierdesk writes to this person in: their choice, else the site's
        (a browser's wish is known only during a request)."""
        return self.preferred_language or settings.LANGUAGE_CODE

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._password_changed = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password revokes every API token of the user (a leaked token must not
        outlive the password change meant to shut its holder out). Every path that sets a
        password — the password page, the admin, `changepassword`, a reset — goes through
        set_password() and save()."""
        update_fields = kwargs.get("update_fields")
        saves_password = update_fields is None or "password" in update_fields
        changed = getattr(self, "_password_changed", False) and saves_password
        revoke = changed and not self._state.adding
        super().save(*args, **kwargs)
        if changed:
            self._password_changed = False
        if revoke:
            from tierdesk.accounts.services import api_tokens_revoke

            api_tokens_revoke(user=self)

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles, derived from memberships and ownership; computed once per
        request-bound instance."""
        from tierdesk.accounts.selectors import user_roles

        return user_roles(self)


class SupportTeam(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("support type"), max_length=16, choices=TeamKind.choices)
    business_unit = models.ForeignKey(
        BusinessUnit,
        verbose_name=_("business unit served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_teams",
    )
    lead = models.ForeignKey(
        User,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )
    email = models.EmailField(_("team mailbox"), blank=True)
    members = models.ManyToManyField(
        User, through="TeamMembership", related_name="support_teams", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("support team")
        verbose_name_plural = _("support teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(SupportTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="accounts_membership_unique")
        ]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"
