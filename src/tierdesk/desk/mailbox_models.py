"""What the mailbox poller (`desk.imap_poll`) has done with each mail it read.

One row per mail, keyed by where it was read — the mailbox (user and host), the folder's
UIDVALIDITY and the mail's UID (RFC 3501 §2.3.1.1: a UID names one mail for as long as
the folder keeps its UIDVALIDITY) — and carrying its Message-ID. The row is written in
the same transaction as the ticket or reply the mail became, so after a crash a mail is
either wholly filed and recorded, or neither: the next poll never files it twice and
never loses it. Imported at the end of `desk.models`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock


class MailOutcome(models.TextChoices):
    TICKET = "ticket", _("Filed as a new ticket")
    REPLY = "reply", _("Added to its ticket")
    IGNORED = "ignored", _("Ignored (automatic reply, bounce or loop)")
    DUPLICATE = "duplicate", _("Already read (same Message-ID)")
    REFUSED = "refused", _("Not filed (sender may not reply on that ticket)")
    FAILED = "failed", _("Could not be read; left in the mailbox")


class MailboxMessage(models.Model):
    mailbox = models.CharField(_("mailbox"), max_length=300)
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"))
    uid = models.PositiveBigIntegerField(_("UID"))
    message_id = models.CharField(_("e-mail Message-ID"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=MailOutcome.choices)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    sender = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read"), default=clock.now)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("mail read from the mailbox")
        verbose_name_plural = _("mails read from the mailbox")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="desk_mailbox_uid_once"
            )
        ]
        indexes = [models.Index(fields=["message_id"], name="desk_mailbox_mid")]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.uidvalidity}/{self.uid}"
