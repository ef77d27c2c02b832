"""Pickers: form fields that name a person or a solution by typing, with autocomplete.

A picker renders two inputs: a text input the person types into (`<name>_text`, carrying
`data-picker="<kind>"` and the JSON endpoint's address for `inventory/picker.js`) and a
hidden input under the field's own name that holds the picked id. The field accepts

- the picked id (what the script posts, and what a test or another form may post as
  `<name>=<id>`), as long as the object is in the field's queryset; if the visible text was
  changed after the pick, the text decides, never the stale id;
- without JavaScript, the typed text when it names exactly one object (for people: the
  username, e-mail, UPN or full display name; for solutions: the platform id or the
  name). Several matches answer with a validation error listing them; none, or an object
  outside the queryset, answers "none matched" — a hidden object and a missing one read
  the same.

`PersonPickerField(queryset=…)` is the person picker. `GET /accounts/people/pick/?q=`
answers `{"results": [{"id", "username", "name", "email"}]}` with active people the asker
may look up (`people_pickable_by`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.forms.utils import flatatt
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common.ids import form_id
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.roles import ANY_USER, DESK_WORKERS, Role

PICK_LIMIT_DEFAULT = 10
PICK_LIMIT_MAX = 25
QUERY_MAX = 100
_CANDIDATES_SHOWN = 5


def normalise_query(text: Any) -> str:
    """What the person typed, as the pickers compare it: spaces collapsed, lower case,
    at most 100 characters."""
    return " ".join(str(text or "").split()).lower()[:QUERY_MAX]


def pick_limit(raw: Any) -> int:
    """`?limit=` as a number from 1 to 25; anything else is the default (never an error)."""
    value = form_id(raw)
    return min(value, PICK_LIMIT_MAX) if value else PICK_LIMIT_DEFAULT


# --- The widget and the field both pickers share ---------------------------------------


class PickerWidget(forms.Widget):
    """A text input with `data-picker` plus a hidden input holding the picked id."""

    def __init__(
        self,
        *,
        kind: str = "",
        url: str | Callable[[], str] = "",
        label_for: Callable[[Any], str] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.url = url
        self.label_for = label_for

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (str(data.get(name) or ""), str(data.get(f"{name}_text") or ""))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_text" not in data

    def id_for_label(self, id_: str) -> str:
        return id_

    def _parts(self, value: Any) -> tuple[str, str]:
        """(hidden id, visible text) for whatever the form holds: posted data, an object
        or an id."""
        if isinstance(value, tuple):
            return (str(value[0]), str(value[1]))
        if value is None or value == "":
            return ("", "")
        if isinstance(value, Model):
            return (str(value.pk), self.label_for(value) if self.label_for else str(value))
        pk = form_id(value)
        if pk and self.label_for is not None:
            return (str(pk), self.label_for(pk))
        return (str(value), "")

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        input_id = str(final.pop("id", "") or f"id_{name}")
        hidden_id = f"{input_id}_value"
        pk, text = self._parts(value)
        url = self.url() if callable(self.url) else self.url
        extra = {
            "type": "text",
            "id": input_id,
            "name": f"{name}_text",
            "value": text,
            "autocomplete": "off",
            "data-picker": self.kind,
            "data-picker-url": url,
            "data-picker-value": hidden_id,
            "data-picker-empty": gettext("Nothing matches."),
            "data-picker-count": gettext("Suggestions: %(n)s"),
            **final,
        }
        return format_html(
            '<span class="picker"><input{}><input type="hidden" name="{}" id="{}" value="{}">'
            "</span>",
            flatatt(extra),
            name,
            hidden_id,
            pk,
        )


class PickerField(forms.Field):
    """The field behind both pickers; subclasses say what may be picked and how text
    names it."""

    kind: ClassVar[str] = ""
    url_name: ClassVar[str] = ""
    default_error_messages: ClassVar[dict[str, Any]] = {
        "none": _("Nothing you can pick matches “%(text)s”."),
        "several": _("Several match “%(text)s”: %(candidates)s. Pick one from the list."),
    }

    def __init__(
        self,
        *,
        picker_url: str | None = None,
        widget_attrs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "widget",
            PickerWidget(
                kind=self.kind,
                url=picker_url or (lambda: reverse(self.url_name)),
                label_for=self._label_for_value,
                attrs=widget_attrs,
            ),
        )
        super().__init__(**kwargs)

    # What a subclass provides.
    def candidates(self) -> QuerySet[Any]:
        raise NotImplementedError

    def text_of(self, obj: Any) -> str:
        return str(obj)

    def describe(self, obj: Any) -> str:
        """How a candidate is named in an error listing several."""
        return self.text_of(obj)

    def text_matches(self, text: str) -> list[Any]:
        raise NotImplementedError

    # The field.
    def _label_for_value(self, value: Any) -> str:
        if isinstance(value, Model):
            return self.text_of(value)
        obj = self.candidates().filter(pk=value).first()
        return self.text_of(obj) if obj is not None else ""

    def _none(self, text: str) -> ValidationError:
        return ValidationError(self.error_messages["none"], code="none", params={"text": text})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Model):
            return value
        if isinstance(value, tuple):
            raw_id, text = value
        else:
            raw_id, text = ("" if value is None else str(value)), ""
        text = " ".join(text.split())
        if raw_id.strip():
            pk = form_id(raw_id)
            obj = self.candidates().filter(pk=pk).first() if pk else None
            if obj is not None and (not text or text.lower() in self._labels_of(obj)):
                return obj
            if not text:
                raise self._none(raw_id.strip())
        if not text:
            return None
        found = self.text_matches(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise self._none(text)
        shown = ", ".join(self.describe(obj) for obj in found[:_CANDIDATES_SHOWN])
        more = len(found) - _CANDIDATES_SHOWN
        if more > 0:
            shown += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
        raise ValidationError(
            self.error_messages["several"],
            code="several",
            params={"text": text, "candidates": shown},
        )

    def _labels_of(self, obj: Any) -> set[str]:
        return {self.text_of(obj).lower(), str(obj).lower()}

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            value = self.to_python(data)
        except ValidationError:
            return True
        initial_pk = initial.pk if isinstance(initial, Model) else form_id(initial) or None
        return (value.pk if value is not None else None) != initial_pk


# --- People -----------------------------------------------------------------------------

PICK_EVERYONE: frozenset[Role] = DESK_WORKERS | {Role.MANAGER}
"""Who may look up any active person: the help desk, the platform team and admins (they
file and route for anyone) and managers (they already read every ticket and its people)."""


def people_pickable_by(user: Any) -> QuerySet[User]:
    """The active people (not service accounts) `user` may find with the person picker.

    Desk workers, admins and managers: everyone. Anyone else only the people already
    around them — themselves, the members and leads of their own support teams, their
    manager and their direct reports — so the picker never becomes a directory search of
    the whole organisation for a requester or a partner."""
    people = User.objects.filter(is_active=True, kind=AccountKind.PERSON)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return people.none()
    if roles_of(user) & PICK_EVERYONE:
        return people
    teams = SupportTeam.objects.filter(memberships__user=user)
    near = (
        Q(pk=user.pk)
        | Q(memberships__team__in=teams)
        | Q(teams_led__in=teams)
        | Q(reports=user)
        | Q(manager=user)
    )
    return people.filter(pk__in=User.objects.filter(near).values("pk"))


def _person_rank(person: User, needle: str) -> tuple[int, str]:
    name = str(person).lower()
    keys = [name, person.username.lower(), person.email.lower(), person.upn.lower()]
    if needle in keys:
        rank = 0
    elif any(key.startswith(needle) for key in keys):
        rank = 1
    elif any(word.startswith(needle) for word in name.split()):
        rank = 2
    else:
        rank = 3
    return (rank, name)


def people_pick(user: Any, text: str, *, limit: int = PICK_LIMIT_DEFAULT) -> list[User]:
    """People `user` may look up whose name, username, e-mail or UPN matches `text`: exact,
    then prefix, a word of the name, and anywhere in it."""
    needle = normalise_query(text)
    if not needle:
        return []
    limit = max(1, min(limit, PICK_LIMIT_MAX))
    base = people_pickable_by(user).order_by("display_name", "username", "id")
    fields = ("display_name", "username", "email", "upn", "first_name", "last_name")
    prefix = Q()
    contains = Q()
    for field in fields:
        prefix |= Q(**{f"{field}__istartswith": needle})
        contains |= Q(**{f"{field}__icontains": needle})
    stages = [
        Q(username__iexact=needle) | Q(email__iexact=needle) | Q(display_name__iexact=needle),
        prefix,
        Q(display_name__icontains=" " + needle),
        contains,
    ]
    found: dict[int, User] = {}
    for stage in stages:
        queryset = base.filter(stage)
        if found:
            queryset = queryset.exclude(pk__in=list(found))
        for person in queryset[: limit - len(found)]:
            found[person.pk] = person
        if len(found) >= limit:
            break
    return sorted(found.values(), key=lambda p: (_person_rank(p, needle), p.pk))


def person_json(person: User) -> dict[str, Any]:
    return {
        "id": person.pk,
        "username": person.username,
        "name": str(person),
        "email": person.email,
    }


class PersonPickerField(PickerField):
    """A person from `queryset` (active people only, whatever the queryset holds)."""

    kind = "person"
    url_name = "people-pick"
    default_error_messages: ClassVar[dict[str, Any]] = {
        "none": _(
            "No person you can pick matches “%(text)s”. Type part of a name and pick from the list."
        ),
        "several": _(
            "Several people match “%(text)s”: %(candidates)s. Pick one from the list or type "
            "their username."
        ),
    }

    def __init__(self, *, queryset: QuerySet[User] | None = None, **kwargs: Any) -> None:
        self.queryset = queryset if queryset is not None else User.objects.all()
        super().__init__(**kwargs)

    def candidates(self) -> QuerySet[User]:
        return self.queryset.filter(is_active=True)

    def describe(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"

    def text_matches(self, text: str) -> list[Any]:
        needle = text.lower()
        exact = (
            Q(username__iexact=needle)
            | Q(email__iexact=needle)
            | Q(upn__iexact=needle)
            | Q(display_name__iexact=needle)
        )
        full_name = Concat("first_name", Value(" "), "last_name")
        exact |= Q(display_name="", full_name__iexact=needle)
        found: list[Any] = list(
            self.candidates()
            .alias(full_name=full_name)
            .filter(exact)
            .order_by("display_name", "username", "id")[:50]
        )
        pk = form_id(text)
        if pk:
            by_id = self.candidates().filter(pk=pk).first()
            if by_id is not None and by_id not in found:
                found.append(by_id)
        return found


class PeoplePickView(RoleRequiredMixin, View):
    """`GET /accounts/people/pick/?q=<text>&limit=10` for the person picker."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> JsonResponse:
        params: Mapping[str, Any] = request.GET
        limit = pick_limit(params.get("limit"))
        people = people_pick(request.user, params.get("q", ""), limit=limit)
        return JsonResponse({"results": [person_json(p) for p in people]})


__all__ = [
    "PeoplePickView",
    "PersonPickerField",
    "PickerField",
    "PickerWidget",
    "people_pick",
    "people_pickable_by",
]
