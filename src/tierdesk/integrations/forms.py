from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.integrations.choices import WebhookEvent


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    url = forms.CharField(
        label=_("Target URL"),
        max_length=2000,
        help_text=_("Where each event is sent (https://…)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: every event."),
    )
