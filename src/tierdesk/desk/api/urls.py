"""API routes, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.desk.api import views

router = IdRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("request-types", views.RequestTypeViewSet, basename="request-type")
router.register("vendor-cases", views.VendorCaseViewSet, basename="vendor-case")
router.register("canned-responses", views.CannedResponseViewSet, basename="canned-response")
urlpatterns = router.urls
