"""Settings for the benchmarks' server: tierdesk's own plus the probe app and its route
(`DJANGO_SETTINGS_MODULE=bench.settings`, with the repository root on PYTHONPATH)."""

from tierdesk.settings import *  # noqa: F403
from tierdesk.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.probe"]
ROOT_URLCONF = "bench.urls"
