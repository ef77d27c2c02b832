from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", "English"
    KO = "ko", "한국어"


class SupportType(models.TextChoices):
    """The six rungs of the support ladder (design.md §1)."""

    SELF = "self", _("Self")
    TEAM = "team", _("Team")
    HELP_DESK = "help_desk", _("Help desk")
    PLATFORM = "platform", _("Platform team")
    PARTNER = "partner", _("Partner")
    VENDOR = "vendor", _("Vendor")


class TeamKind(models.TextChoices):
    """A support team stands on one rung; *self* is the maker and has no team."""

    TEAM = SupportType.TEAM.value, _("Team")
    HELP_DESK = SupportType.HELP_DESK.value, _("Help desk")
    PLATFORM = SupportType.PLATFORM.value, _("Platform team")
    PARTNER = SupportType.PARTNER.value, _("Partner")
    VENDOR = SupportType.VENDOR.value, _("Vendor contact")


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    SERVICE_ACCOUNT = "service_account", _("Service account")
    SERVICE_PRINCIPAL = "service_principal", _("Service principal")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEAD = "lead", _("Lead")
