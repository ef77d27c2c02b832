from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import SupportTeam
from tierdesk.desk.choices import HealthResult, Impact, TicketType, Topic, Urgency
from tierdesk.desk.models import RequestType


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Markdown works: **bold**, lists, `code`."),
    )
    solution = forms.CharField(
        label=_("Solution"),
        required=False,
        help_text=_("The app, flow or chatbot's platform id or exact name, if it is about one."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.HOW_TO)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    impact = forms.ChoiceField(label=_("Who is affected?"), choices=Impact.choices, initial="low")
    urgency = forms.ChoiceField(label=_("How urgent?"), choices=Urgency.choices, initial="low")
    attachment = forms.FileField(label=_("Attachment"), required=False)


class EmbedForm(forms.Form):
    """The form a solution embeds. `website` is a honeypot people never see; `started`
    is a signed time so forms sent faster than a person can type are refused."""

    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your e-mail"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.BUG)
    urgency = forms.ChoiceField(label=_("How urgent?"), choices=Urgency.choices, initial="low")
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1"}))
    started = forms.CharField(widget=forms.HiddenInput)

    @staticmethod
    def stamp() -> str:
        return signing.Signer(salt="desk.embed").sign(f"{time.time():.3f}")

    @staticmethod
    def age_s(stamp: str) -> float:
        """Seconds since the form was rendered; -1 for a forged or missing stamp."""
        try:
            return time.time() - float(signing.Signer(salt="desk.embed").unsign(stamp))
        except (signing.BadSignature, ValueError):
            return -1.0


class BypassForm(forms.Form):
    requester = forms.CharField(
        label=_("Who asked"), help_text=_("User name, e-mail or sign-in name.")
    )
    subject = forms.CharField(label=_("What they asked"), max_length=300)
    solution = forms.CharField(label=_("Solution"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.HOW_TO)
    urgency = forms.ChoiceField(label=_("How urgent?"), choices=Urgency.choices, initial="low")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=SupportTeam.objects.order_by("name"), required=False
    )
    agent = forms.CharField(label=_("Person (user name)"), required=False)


class OtherTicketForm(forms.Form):
    other = forms.CharField(label=_("Other ticket number"), max_length=16)
    reason = forms.CharField(label=_("Why"), required=False)


class VendorCaseForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), initial="Microsoft")
    health_checked_at = forms.DateTimeField(
        label=_("Service health checked at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    health_result = forms.ChoiceField(label=_("Service health said"), choices=HealthResult.choices)
    health_link = forms.URLField(
        label=_("Service health link"), required=False, assume_scheme="https"
    )
    health_notes = forms.CharField(label=_("Notes"), required=False)
    external_number = forms.CharField(label=_("Vendor case number"), max_length=100)


class PartnerCaseForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=SupportTeam.objects.filter(kind="partner").order_by("name")
    )
    reason = forms.CharField(label=_("Why"))
    external_number = forms.CharField(label=_("Partner case number"), required=False)


class TriageForm(forms.Form):
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    reason = forms.CharField(label=_("Note"), required=False)


class EditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "triage": TriageForm,
    "assign": AssignForm,
    "redirect": ReasonForm,
    "escalate": ReasonForm,
    "de_escalate": ReasonForm,
    "hand_back": ReasonForm,
    "hand_over": ReasonForm,
    "resolve": ReasonForm,
    "reopen": ReasonForm,
    "wait_on_requester": ReasonForm,
    "in_progress": ReasonForm,
    "close": ReasonForm,
    "link_duplicate": OtherTicketForm,
    "merge": OtherTicketForm,
    "vendor_case": VendorCaseForm,
    "partner_case": PartnerCaseForm,
}

MOVE_LABELS: dict[str, Any] = {
    "triage": _("Triage"),
    "assign": _("Assign"),
    "redirect": _("Redirect to the solution's channel"),
    "escalate": _("Escalate"),
    "de_escalate": _("De-escalate"),
    "hand_back": _("Hand back"),
    "hand_over": _("Hand over to the platform team"),
    "resolve": _("Resolve"),
    "reopen": _("Reopen"),
    "wait_on_requester": _("Wait for the requester"),
    "in_progress": _("Back in progress"),
    "close": _("Close"),
    "link_duplicate": _("Link as duplicate"),
    "merge": _("Merge into another ticket"),
    "vendor_case": _("Open a vendor case"),
    "partner_case": _("Open a partner case"),
}


def request_type_fields(request_type: RequestType) -> dict[str, forms.Field]:
    return {
        f"rt_{f['name']}": forms.CharField(
            label=f.get("label", f["name"]), required=bool(f.get("required"))
        )
        for f in request_type.fields
    }
