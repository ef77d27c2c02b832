"""The form that adds a product-update feed. The address is checked by the service
(`feeds.feed_url_problem`), which says why an address cannot be a feed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.desk.choices import Topic


class FeedForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(
        label=_("Feed address"),
        max_length=500,
        help_text=_("The RSS or Atom address, starting with https://."),
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        choices=[("", _("Any topic")), *Topic.choices],
        help_text=_("Articles on this topic are checked first against its news."),
    )
