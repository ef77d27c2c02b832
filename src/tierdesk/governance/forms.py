from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.governance.choices import Characteristic
from tierdesk.inventory.choices import Tier

LEVELS = [("", "—"), *Tier.choices]


class QuestionnaireForm(forms.Form):
    """The ten characteristics, each answered with the tier it sounds like."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for value, label in Characteristic.choices:
            self.fields[value] = forms.ChoiceField(label=label, choices=LEVELS, required=False)


class GraduationForm(forms.Form):
    target_tier = forms.ChoiceField(
        label=_("Target tier"),
        choices=[(Tier.IMPORTANT, Tier.IMPORTANT.label), (Tier.CRITICAL, Tier.CRITICAL.label)],
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who relies on it and what happens when it stops (Markdown)."),
    )


class OnboardingForm(forms.Form):
    body_en = forms.CharField(
        label=_("English text (Markdown)"), widget=forms.Textarea(attrs={"rows": 14})
    )
    body_ko = forms.CharField(
        label=_("Korean text (Markdown)"), widget=forms.Textarea(attrs={"rows": 14})
    )
