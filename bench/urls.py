"""tierdesk's routes plus the probe (`POST /bench/probe/`)."""

from django.urls import path

from bench.probe.views import ProbeView
from tierdesk.urls import urlpatterns as tierdesk_urlpatterns

urlpatterns = [
    path("bench/probe/", ProbeView.as_view(), name="bench-probe"),
    *tierdesk_urlpatterns,
]
