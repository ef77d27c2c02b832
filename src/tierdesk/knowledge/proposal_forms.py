"""Forms of the proposal loop: proposing an article from a ticket, declining a proposal,
naming a topic's knowledge owner. Making a proposal an article uses the article form
(`forms.ArticleForm`) prefilled from the proposal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import SupportTeam
from tierdesk.accounts.pickers import PersonPickerField, people_pickable_by
from tierdesk.desk.choices import Topic
from tierdesk.knowledge.proposals import OWNER_TEAM_KINDS, TEXT_MAX


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(
        label=_("Question"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the requester asked, in words the next person would use."),
    )
    resolution = forms.CharField(
        label=_("How it was solved"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What solved it: the steps the help desk can follow next time."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Why not"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer reads it."),
    )


class TopicOwnerForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    owner_team = forms.ModelChoiceField(
        label=_("Owner team"),
        queryset=SupportTeam.objects.none(),
        required=False,
        help_text=_("The help desk or a platform team: its members see the proposals."),
    )

    field_order = ["topic", "owner", "owner_team"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = PersonPickerField(
            queryset=people_pickable_by(user),
            label=_("Knowledge owner"),
            required=False,
            help_text=_("A person who writes articles. Leave both empty: every writer."),
        )
        team = self.fields["owner_team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = SupportTeam.objects.filter(kind__in=OWNER_TEAM_KINDS).order_by("name")
        self.order_fields(self.field_order)
