"""The inventory: environments, solutions, connectors and dated usage facts.

Imported records are identified by (source tenant, environment id, resource id) with
GUIDs lower-cased (design.md §6), so re-importing the same export changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import BusinessUnit, SupportTeam
from tierdesk.common.models import BaseEvent
from tierdesk.inventory.choices import (
    AlmMethod,
    ConnectorTier,
    DataClassification,
    EnvironmentPurpose,
    EnvironmentRoleName,
    EnvironmentType,
    ManagedBy,
    OwnerRole,
    SolutionEventType,
    SolutionKind,
    SolutionState,
    SupportModel,
    Tier,
)


class Environment(models.Model):
    tenant_id = models.CharField(_("tenant"), max_length=64, blank=True, default="")
    platform_id = models.CharField(_("platform id"), max_length=128)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(
        _("type"),
        max_length=16,
        choices=EnvironmentType.choices,
        default=EnvironmentType.PRODUCTION,
    )
    purpose = models.CharField(
        _("purpose"), max_length=32, choices=EnvironmentPurpose.choices, blank=True, default=""
    )
    business_unit = models.ForeignKey(
        BusinessUnit,
        verbose_name=_("business unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="environments",
    )
    managed_by = models.CharField(
        _("managed by"), max_length=16, choices=ManagedBy.choices, default=ManagedBy.BUSINESS_UNIT
    )
    region = models.CharField(_("region"), max_length=64, blank=True, default="")
    is_managed = models.BooleanField(_("managed environment"), default=False)
    url = models.URLField(_("URL"), blank=True, default="")
    platform_created_at = models.DateTimeField(_("created"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("environment")
        verbose_name_plural = _("environments")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "platform_id"], name="inventory_environment_identity"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EnvironmentRole(models.Model):
    """A security role a user holds in an environment, as an import reported it.

    One row per (environment, user, role); `first_seen` / `last_seen` are the dates of
    the exports that listed it, `source` the format that first reported it."""

    environment = models.ForeignKey(
        Environment,
        verbose_name=_("environment"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="environment_roles",
    )
    role = models.CharField(_("role"), max_length=24, choices=EnvironmentRoleName.choices)
    source = models.CharField(_("source"), max_length=32, blank=True, default="")
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))

    class Meta:
        ordering = ["environment", "role", "user"]
        verbose_name = _("environment role")
        verbose_name_plural = _("environment roles")
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "user", "role"], name="inventory_environment_role_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "environment"], name="inv_env_role_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.environment}"


class Connector(models.Model):
    tenant_id = models.CharField(_("tenant"), max_length=64, blank=True, default="")
    platform_id = models.CharField(
        _("platform id"), max_length=200, help_text=_("e.g. shared_sharepointonline")
    )
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(
        _("tier"), max_length=16, choices=ConnectorTier.choices, default=ConnectorTier.STANDARD
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "platform_id"], name="inventory_connector_identity"
            )
        ]

    def __str__(self) -> str:
        return self.name


_LIVE = models.Q(is_deleted=False)


class Solution(models.Model):
    environment = models.ForeignKey(
        Environment,
        verbose_name=_("environment"),
        on_delete=models.PROTECT,
        related_name="solutions",
    )
    platform_id = models.CharField(_("platform id"), max_length=128)
    kind = models.CharField(_("kind"), max_length=24, choices=SolutionKind.choices)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("maker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions_made",
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SolutionOwner",
        related_name="solutions_co_owned",
        verbose_name=_("co-owners"),
        blank=True,
    )
    business_unit = models.ForeignKey(
        BusinessUnit,
        verbose_name=_("business unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions",
    )
    platform_created_at = models.DateTimeField(_("created"), null=True, blank=True)
    platform_modified_at = models.DateTimeField(_("modified"), null=True, blank=True)
    last_published_at = models.DateTimeField(_("last published"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=SolutionState.choices, default=SolutionState.UNKNOWN
    )
    connectors = models.ManyToManyField(
        Connector,
        through="SolutionConnector",
        related_name="solutions",
        verbose_name=_("connectors"),
        blank=True,
    )
    alm_method = models.CharField(
        _("ALM method"), max_length=16, choices=AlmMethod.choices, default=AlmMethod.NONE
    )
    data_classification = models.CharField(
        _("data classification"),
        max_length=24,
        choices=DataClassification.choices,
        blank=True,
        default="",
    )
    declared_tier = models.CharField(
        _("declared tier"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        default="",
        help_text=_("What the maker or the source system says the business impact is."),
    )
    tier = models.CharField(
        _("tier"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        default="",
        help_text=_("Confirmed by the platform team; empty until governance sets it."),
    )
    support_model = models.CharField(
        _("support model"), max_length=16, choices=SupportModel.choices, blank=True, default=""
    )
    supporting_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("supporting team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supported_solutions",
    )
    is_orphaned = models.BooleanField(_("orphaned"), default=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    # The latest usage and sharing, copied from the newest UsageFact of each measure so
    # lists and governance read them without touching the history (design.md §6).
    shared_users = models.IntegerField(_("shared users"), null=True, blank=True)
    shared_groups = models.IntegerField(_("shared groups"), null=True, blank=True)
    shared_with_tenant = models.BooleanField(_("shared with everyone"), null=True, blank=True)
    peak_daily_users_30d = models.IntegerField(
        _("most users in a day (30 days)"), null=True, blank=True
    )
    launches_30d = models.IntegerField(_("sessions or runs (30 days)"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last launched or run"), null=True, blank=True)
    usage_as_of = models.DateField(_("usage as of"), null=True, blank=True)

    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards concurrent edits.")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "platform_id"], name="inventory_solution_identity"
            )
        ]
        # Lists show live solutions ordered by name. Partial indexes on NOT is_deleted
        # let SQLite and PostgreSQL walk the rows in page order instead of sorting the
        # whole table (see docs/performance.md).
        indexes = [
            models.Index(fields=["name", "id"], name="inv_sol_live_name", condition=_LIVE),
            models.Index(fields=["name", "id"], name="inv_sol_gone_name", condition=~_LIVE),
            *(
                models.Index(
                    fields=[field, "name", "id"], name=f"inv_sol_live_{short}", condition=_LIVE
                )
                for field, short in (
                    ("environment", "env"),
                    ("business_unit", "bu"),
                    ("maker", "maker"),
                    ("kind", "kind"),
                    ("tier", "tier"),
                )
            ),
            models.Index(fields=["supporting_team", "is_deleted"], name="inv_sol_team"),
            models.Index(Lower("platform_id"), name="inv_sol_platform_id_lower"),
            # The solution picker: exact and prefix matches on the lower-cased name.
            models.Index(Lower("name"), name="inv_sol_live_lname", condition=_LIVE),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_app(self) -> bool:
        return self.kind in {SolutionKind.CANVAS_APP, SolutionKind.MODEL_DRIVEN_APP}


class SolutionOwner(models.Model):
    """A co-owner of a solution (the maker is `Solution.maker`)."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solution_ownerships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=OwnerRole.choices, default=OwnerRole.CO_OWNER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["solution", "user"], name="inventory_owner_unique")
        ]
        indexes = [models.Index(fields=["user", "solution"], name="inv_owner_user")]
        verbose_name = _("co-owner")
        verbose_name_plural = _("co-owners")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class SolutionConnector(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="connector_uses")
    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "connector"], name="inventory_solution_connector_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.solution_id} → {self.connector_id}"


class UsageFact(models.Model):
    """Usage and sharing of one solution on one day, as one source reported it.

    Facts are never overwritten by another source or day; a null measure means the
    source does not report it."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="usage_facts")
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=32)
    shared_users = models.IntegerField(_("shared users"), null=True, blank=True)
    shared_groups = models.IntegerField(_("shared groups"), null=True, blank=True)
    shared_with_tenant = models.BooleanField(_("shared with everyone"), null=True, blank=True)
    unique_users = models.IntegerField(_("unique users"), null=True, blank=True)
    sessions = models.IntegerField(_("sessions or launches"), null=True, blank=True)
    flow_runs = models.IntegerField(_("flow runs"), null=True, blank=True)
    flow_failures = models.IntegerField(_("failed runs"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last launched or run"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["solution", "date"]
        verbose_name = _("usage fact")
        verbose_name_plural = _("usage facts")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "date", "source"], name="inventory_usage_fact_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.solution_id} {self.date} ({self.source})"


class SolutionEvent(BaseEvent):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=64, choices=SolutionEventType.choices)

    class Meta(BaseEvent.Meta):
        verbose_name = _("solution event")
        verbose_name_plural = _("solution events")
        indexes = [models.Index(fields=["solution", "-created_at"], name="inv_sol_event_time")]


from tierdesk.inventory.importers.models import *  # noqa: E402, F403 - import models live in their own module
