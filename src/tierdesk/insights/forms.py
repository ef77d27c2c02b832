"""The forms of the candidate page: rejecting needs a reason, linking the work a link or
a few words. They only check the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.insights.services import LINK_MAX, REASON_MAX


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The candidate stays rejected unless its volume doubles."),
    )


class LinkForm(forms.Form):
    work_link = forms.CharField(
        label=_("Link to the work"),
        max_length=LINK_MAX,
        required=False,
        help_text=_("A URL (backlog item, pull request) or a few words. Empty removes it."),
    )
