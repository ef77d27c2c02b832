from __future__ import annotations

import factory

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership, User


class BusinessUnitFactory(factory.django.DjangoModelFactory[BusinessUnit]):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"bu{n}")
    name = factory.Sequence(lambda n: f"사업부 {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    upn = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")
    # The suite's assertions read English: its people have chosen English. A person who has
    # not chosen (empty, the model's default) sees the browser's language, else Korean
    # (LANGUAGE_CODE); tests of that blank it (tests/test_korean_pages.py).
    preferred_language = "en"


class SupportTeamFactory(factory.django.DjangoModelFactory[SupportTeam]):
    class Meta:
        model = SupportTeam

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.TEAM
    business_unit = factory.SubFactory(BusinessUnitFactory)


class TeamMembershipFactory(factory.django.DjangoModelFactory[TeamMembership]):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(SupportTeamFactory)
    user = factory.SubFactory(UserFactory)
