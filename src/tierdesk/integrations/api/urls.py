"""API routes of integrations, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.integrations.api import views

router = IdRouter()
router.register("webhooks", views.WebhookViewSet, basename="webhook")
urlpatterns = router.urls
