"""API routes, included under /api/v1/."""

from rest_framework.routers import DefaultRouter

from tierdesk.sla.api import views

router = DefaultRouter()
router.register("sla/calendars", views.CalendarViewSet, basename="sla-calendar")
router.register("sla/policies", views.PolicyViewSet, basename="sla-policy")
router.register("sla/rotations", views.RotationViewSet, basename="sla-rotation")
urlpatterns = router.urls
