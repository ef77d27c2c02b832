"""API routes of the knowledge base, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.knowledge.api import views

router = IdRouter()
router.register("knowledge/articles", views.ArticleViewSet, basename="knowledge-article")
urlpatterns = router.urls
