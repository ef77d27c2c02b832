from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.accounts.pickers import PersonPickerField, people_pickable_by
from tierdesk.desk.choices import (
    ON_BEHALF_CHANNELS,
    HealthResult,
    Impact,
    TicketType,
    Topic,
    Urgency,
    VendorCaseStatus,
)
from tierdesk.desk.models import CannedResponse, RequestType
from tierdesk.inventory.pickers import SolutionPickerField

# --- pickers: a person or a solution named on the ticket page --------------------------


def person_field(
    *, user: Any, label: Any, required: bool = False, anyone: bool = False
) -> forms.Field:
    """The person picker over the people `user` may look up (by name, user name or
    e-mail; the picked id with JavaScript). `anyone`: every active person may be named
    (assigning and watching: who supports a ticket names whoever should help, as a typed
    user name always could; the suggestions stay those `user` may look up)."""
    people = (
        User.objects.filter(is_active=True, kind=AccountKind.PERSON)
        if anyone
        else people_pickable_by(user)
    )
    return PersonPickerField(queryset=people, label=label, required=required)


def solution_field(*, user: Any, label: Any, required: bool = False) -> forms.Field:
    """The solution picker: solutions `user` may see, by name, environment and maker."""
    return SolutionPickerField(user=user, label=label, required=required)


class MoveForm(forms.Form):
    """A move's form; those that name a person or a solution build their pickers for the
    user who fills them in."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


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


class ReasonForm(MoveForm):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(MoveForm):
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AssignForm(MoveForm):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=SupportTeam.objects.order_by("name"), required=False
    )
    reason = forms.CharField(label=_("Why"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["agent"] = person_field(user=user, label=_("Person"), anyone=True)
        self.order_fields(["agent", "team", "reason"])


class SolutionForm(MoveForm):
    reason = forms.CharField(label=_("Why"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["solution"] = solution_field(user=user, label=_("Solution"), required=False)
        self.fields["solution"].help_text = _(
            "Type part of its name and pick it; leave empty to say the ticket is about no "
            "particular solution."
        )
        self.order_fields(["solution", "reason"])


class WatcherForm(MoveForm):
    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["person"] = person_field(
            user=user, label=_("Watcher"), required=True, anyone=True
        )


class VendorCaseUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Case status"), choices=VendorCaseStatus.choices)
    external_number = forms.CharField(label=_("Vendor case number"), max_length=100, required=False)
    note = forms.CharField(
        label=_("What the vendor said"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CannedResponseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "You may use <code>{{ requester.name }}</code>, <code>{{ ticket.id }}</code>, "
            "<code>{{ agent.name }}</code> and <code>{{ solution.name }}</code>; they are "
            "filled in when the response is inserted."
        ),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=SupportTeam.objects.none(),
        required=False,
        empty_label=_("Every agent (no team)"),
    )

    def __init__(
        self, *args: Any, teams: Any = None, allow_global: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams if teams is not None else SupportTeam.objects.none()
        if not allow_global:
            team_field.required = True
            team_field.empty_label = None

    @staticmethod
    def initial_for(found: CannedResponse) -> dict[str, Any]:
        return {"title": found.title, "body": found.body, "team": found.team_id}


class LogRequestForm(forms.Form):
    """A request someone made another way, logged for them by the help desk or the
    platform team."""

    channel = forms.ChoiceField(
        label=_("How did they ask?"),
        choices=[(c.value, c.label) for c in ON_BEHALF_CHANNELS],
        initial=ON_BEHALF_CHANNELS[0].value,
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("What they asked"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices, initial=Topic.HOW_TO)
    impact = forms.ChoiceField(label=_("Who is affected?"), choices=Impact.choices, initial="low")
    urgency = forms.ChoiceField(label=_("How urgent?"), choices=Urgency.choices, initial="low")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester"] = person_field(user=user, label=_("Requester"), required=True)
        self.fields["solution"] = solution_field(user=user, label=_("Solution"))
        self.order_fields(["requester", "channel", "solution", "subject", "description", "topic"])


class OtherTicketForm(MoveForm):
    other = forms.CharField(label=_("Other ticket number"), max_length=16)
    reason = forms.CharField(label=_("Why"), required=False)


class VendorCaseForm(MoveForm):
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


class PartnerCaseForm(MoveForm):
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=SupportTeam.objects.filter(kind="partner").order_by("name")
    )
    reason = forms.CharField(label=_("Why"))
    external_number = forms.CharField(label=_("Partner case number"), required=False)


class TriageForm(MoveForm):
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


MOVE_FORMS: dict[str, type[MoveForm]] = {
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
    "close": OptionalReasonForm,
    "set_solution": SolutionForm,
    "add_watcher": WatcherForm,
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
    "set_solution": _("Set the solution"),
    "add_watcher": _("Add a watcher"),
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
