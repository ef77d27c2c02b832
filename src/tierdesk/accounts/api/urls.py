from tierdesk.accounts.api import views
from tierdesk.common.routers import IdRouter

router = IdRouter()
router.register("business-units", views.BusinessUnitViewSet, basename="business-unit")
router.register("teams", views.SupportTeamViewSet, basename="team")
urlpatterns = router.urls
