"""The article form. Links are named as people type them: solutions by platform id or
exact name, tickets by number (TD-000123), the original of a translation by its number —
each only among what the writer may see; anything else is a field error, never a guess."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import SupportTeam
from tierdesk.common.ids import form_id
from tierdesk.desk import selectors as desk_selectors
from tierdesk.desk.choices import Topic
from tierdesk.desk.forms import person_field
from tierdesk.desk.models import RequestType
from tierdesk.knowledge import selectors
from tierdesk.knowledge.choices import Audience, Language
from tierdesk.knowledge.models import Article

_SPLIT = re.compile(r"[,\n]+")


def _names(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


class ArticleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: headings (##), lists, **bold**, `code`, links."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        help_text=_(
            "Internal: the help desk and the platform team. Public: everyone signed in. "
            "Anonymous: also the form embedded in a solution."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    translation_of = forms.CharField(
        label=_("Translation of"),
        required=False,
        help_text=_("The number of the article in the other language, if this translates it."),
    )
    owner_team = forms.ModelChoiceField(
        label=_("Owner team"), queryset=SupportTeam.objects.none(), required=False
    )
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    solutions = forms.CharField(
        label=_("Solutions"),
        required=False,
        help_text=_("Platform ids or exact names, separated by commas."),
    )
    request_types = forms.ModelMultipleChoiceField(
        label=_("Request types"),
        queryset=RequestType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tickets = forms.CharField(
        label=_("Tickets"),
        required=False,
        help_text=_("Ticket numbers (TD-000123), separated by commas."),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=200,
        required=False,
        help_text=_("Kept with the revision."),
    )

    field_order = [
        "version",
        "title",
        "body",
        "topic",
        "audience",
        "language",
        "translation_of",
        "owner",
        "owner_team",
        "review_by",
        "solutions",
        "request_types",
        "tickets",
        "note",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"] = person_field(user=user, label=_("Owner"), anyone=True)
        self.fields["owner"].help_text = _("A person, a team or both keep the article current.")
        owner_team = self.fields["owner_team"]
        assert isinstance(owner_team, forms.ModelChoiceField)
        owner_team.queryset = SupportTeam.objects.order_by("name")
        types = self.fields["request_types"]
        assert isinstance(types, forms.ModelMultipleChoiceField)
        types.queryset = RequestType.objects.filter(is_active=True).order_by("name")
        self.order_fields(self.field_order)

    @staticmethod
    def initial_for(article: Article) -> dict[str, Any]:
        return {
            "version": article.version,
            "title": article.title,
            "body": article.body,
            "topic": article.topic,
            "audience": article.audience,
            "language": article.language,
            "translation_of": article.translation_of_id or "",
            "owner": article.owner,
            "owner_team": article.owner_team,
            "review_by": article.review_by,
            "solutions": ", ".join(s.platform_id for s in article.solutions.all()),
            "request_types": list(article.request_types.all()),
            "tickets": ", ".join(t.number or str(t.pk) for t in article.tickets.all()),
        }

    def clean_translation_of(self) -> Article | None:
        raw = self.cleaned_data.get("translation_of", "")
        if not str(raw).strip():
            return None
        found = selectors.articles_visible_to(self.user).filter(pk=form_id(raw)).first()
        if found is None:
            raise forms.ValidationError(_("No article you may read has this number."))
        return found

    def clean_solutions(self) -> list[Any]:
        found, unknown = [], []
        for name in _names(self.cleaned_data.get("solutions", "")):
            solution = desk_selectors.solution_named_by(self.user, name)
            if solution is None:
                unknown.append(name)
            elif solution not in found:
                found.append(solution)
        if unknown:
            raise forms.ValidationError(
                _("No solution you may see is named %(names)s."),
                params={"names": ", ".join(unknown)},
            )
        return found

    def clean_tickets(self) -> list[Any]:
        visible = desk_selectors.tickets_visible_to(self.user)
        found, unknown = [], []
        for name in _names(self.cleaned_data.get("tickets", "")):
            number = name.upper()
            ticket = visible.filter(number=number).first()
            if ticket is None and form_id(name):
                ticket = visible.filter(pk=form_id(name)).first()
            if ticket is None:
                unknown.append(name)
            elif ticket not in found:
                found.append(ticket)
        if unknown:
            raise forms.ValidationError(
                _("No ticket you may see has the number %(names)s."),
                params={"names": ", ".join(unknown)},
            )
        return found

    def article_data(self) -> dict[str, Any]:
        """What the services take (the version and the note apart)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("note", None)
        return data


class FilterForm(forms.Form):
    """The list's filters; an unknown value is ignored rather than refused."""

    q = forms.CharField(required=False, max_length=200)
    topic = forms.ChoiceField(required=False, choices=[("", _("All")), *Topic.choices])
    audience = forms.ChoiceField(required=False, choices=[("", _("All")), *Audience.choices])
    status = forms.ChoiceField(required=False, choices=[("", _("All"))])
    language = forms.ChoiceField(required=False, choices=[("", _("All")), *Language.choices])


class AttachmentForm(forms.Form):
    """One file or image for an article (checked by the service: the ticket attachments'
    types and size)."""

    file = forms.FileField(
        label=_("File or image"),
        help_text=_(
            "Images (PNG, JPEG, GIF, WebP) can be shown in the body; other files are "
            "downloaded. The same types and size as a ticket's attachments."
        ),
    )
