"""API routes, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.desk.api import views

router = IdRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("request-types", views.RequestTypeViewSet, basename="request-type")
urlpatterns = router.urls
