"""Fixtures shared by every test: a small organisation with one user per role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.accounts.services import team_add_member
from tierdesk.accounts.tests.factories import (
    BusinessUnitFactory,
    SupportTeamFactory,
    UserFactory,
)
from tierdesk.inventory.models import Environment, Solution, SolutionOwner
from tierdesk.inventory.tests.factories import EnvironmentFactory, SolutionFactory

CHROMIUM = os.environ.get("TIERDESK_CHROMIUM", "/usr/bin/chromium")

# Tests never reach the internet: product-update feeds fetch only from loopback, here and
# in every server a test starts (they inherit the environment).
os.environ["TIERDESK_FEEDS_LOCAL_ONLY"] = "1"
settings.TIERDESK_FEEDS_LOCAL_ONLY = True
# Headless Chromium from the machine's package; the background-networking switches keep it
# from reaching for Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The browser tests' Chromium (scripts/ensure-chromium installs it; never skipped)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls
    # are still synchronous, which Django would otherwise refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Hashing the fixture users' passwords properly would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _imports_in_the_request(settings: Any) -> None:
    """An upload's import runs in the request, so a test sees its result at once (the
    background thread has a test of its own, on a committed database)."""
    settings.TIERDESK_IMPORTS_IN_BACKGROUND = False
    settings.TIERDESK_DOWNLOADS_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language: a test that activated another one (a
    request in English, `translation.activate`) must not change what the next test reads."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    """Each test starts with an empty cache of its own (rate limits, throttles), never the
    file cache a previous run left in the data directory."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@dataclass
class Org:
    """One user per role, two business units and solutions owned in known ways.

    sales: `maker` makes `own`; `co_owner` co-owns it. `member` is on the sales team.
    prod: `other_maker` makes `other` (nobody above may see it except staff-wide roles).
    `partner_solution` (prod) is supported by the partner team."""

    sales: BusinessUnit
    prod: BusinessUnit
    users: dict[str, User]
    env_sales: Environment
    env_prod: Environment
    own: Solution
    other: Solution
    partner_solution: Solution
    partner_team: SupportTeam


@pytest.fixture
def org(db: None) -> Org:
    sales = BusinessUnitFactory.create(code="sales", name="영업본부")
    prod = BusinessUnitFactory.create(code="prod", name="생산본부")
    users = {
        name: UserFactory.create(username=name)
        for name in (
            "admin",
            "platform",
            "agent",
            "maker",
            "co_owner",
            "member",
            "partner",
            "manager",
            "requester",
            "other_maker",
        )
    }
    users["admin"].is_superuser = users["admin"].is_staff = True
    users["admin"].save()
    users["manager"].is_manager = True
    users["manager"].save()
    team_add_member(
        team=SupportTeamFactory.create(kind=TeamKind.PLATFORM, business_unit=None),
        user=users["platform"],
    )
    team_add_member(
        team=SupportTeamFactory.create(kind=TeamKind.HELP_DESK, business_unit=None),
        user=users["agent"],
    )
    team_add_member(
        team=SupportTeamFactory.create(kind=TeamKind.TEAM, business_unit=sales),
        user=users["member"],
    )
    partner_team = SupportTeamFactory.create(kind=TeamKind.PARTNER, business_unit=None)
    team_add_member(team=partner_team, user=users["partner"])
    env_sales = EnvironmentFactory.create(business_unit=sales, name="SALES PROD")
    env_prod = EnvironmentFactory.create(business_unit=prod, name="PROD PROD")
    own = SolutionFactory.create(environment=env_sales, maker=users["maker"], name="영업 일지")
    SolutionOwner.objects.create(solution=own, user=users["co_owner"])
    other = SolutionFactory.create(
        environment=env_prod, maker=users["other_maker"], name="Line check"
    )
    partner_solution = SolutionFactory.create(
        environment=env_prod,
        maker=users["other_maker"],
        supporting_team=partner_team,
        name="Critical MES bridge",
    )
    return Org(
        sales=sales,
        prod=prod,
        users=users,
        env_sales=env_sales,
        env_prod=env_prod,
        own=own,
        other=other,
        partner_solution=partner_solution,
        partner_team=partner_team,
    )
