"""API routes of the knowledge base, included under /api/v1/."""

from tierdesk.common.routers import IdRouter

router = IdRouter()
urlpatterns = router.urls
