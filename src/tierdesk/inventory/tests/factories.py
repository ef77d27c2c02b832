from __future__ import annotations

import datetime as dt
import uuid

import factory

from tierdesk.accounts.tests.factories import BusinessUnitFactory, UserFactory
from tierdesk.inventory.choices import (
    ConnectorTier,
    EnvironmentPurpose,
    EnvironmentType,
    SolutionKind,
)
from tierdesk.inventory.models import Connector, Environment, Solution, UsageFact


class EnvironmentFactory(factory.django.DjangoModelFactory[Environment]):
    class Meta:
        model = Environment

    platform_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    name = factory.Sequence(lambda n: f"Environment {n}")
    type = EnvironmentType.PRODUCTION
    purpose = EnvironmentPurpose.PRODUCTION
    business_unit = factory.SubFactory(BusinessUnitFactory)


class ConnectorFactory(factory.django.DjangoModelFactory[Connector]):
    class Meta:
        model = Connector

    platform_id = factory.Sequence(lambda n: f"shared_connector{n}")
    name = factory.Sequence(lambda n: f"Connector {n}")
    tier = ConnectorTier.STANDARD


class SolutionFactory(factory.django.DjangoModelFactory[Solution]):
    class Meta:
        model = Solution

    environment = factory.SubFactory(EnvironmentFactory)
    platform_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    kind = SolutionKind.CANVAS_APP
    name = factory.Sequence(lambda n: f"현장 점검 앱 {n}")
    maker = factory.SubFactory(UserFactory)
    business_unit = factory.SelfAttribute("environment.business_unit")


class UsageFactFactory(factory.django.DjangoModelFactory[UsageFact]):
    class Meta:
        model = UsageFact

    solution = factory.SubFactory(SolutionFactory)
    date = factory.LazyFunction(lambda: dt.date(2026, 11, 1))
    source = "test"
    unique_users = 5
    sessions = 9
