from __future__ import annotations

import factory

from tierdesk.governance.choices import SignalCode
from tierdesk.governance.models import Signal
from tierdesk.inventory.tests.factories import SolutionFactory


class SignalFactory(factory.django.DjangoModelFactory[Signal]):
    class Meta:
        model = Signal

    solution = factory.SubFactory(SolutionFactory)
    code = SignalCode.SHARED_USERS
    detail = factory.LazyFunction(lambda: {"users": 25})
    first_seen = factory.LazyFunction(
        lambda: __import__("tierdesk.common.clock").common.clock.today()
    )
    last_seen = factory.SelfAttribute("first_seen")
