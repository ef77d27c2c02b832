"""API routes, included under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from tierdesk.desk.api import views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("request-types", views.RequestTypeViewSet, basename="request-type")
urlpatterns = [
    path("desk/bench-probe/", views.BenchProbeView.as_view(), name="desk-bench-probe"),
    *router.urls,
]
