"""API routes, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.sla.api import views

router = IdRouter()
router.register("sla/calendars", views.CalendarViewSet, basename="sla-calendar")
router.register("sla/policies", views.PolicyViewSet, basename="sla-policy")
router.register("sla/rotations", views.RotationViewSet, basename="sla-rotation")
urlpatterns = router.urls
