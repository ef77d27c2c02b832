from rest_framework.routers import DefaultRouter

from tierdesk.accounts.api import views

router = DefaultRouter()
router.register("business-units", views.BusinessUnitViewSet, basename="business-unit")
router.register("teams", views.SupportTeamViewSet, basename="team")
urlpatterns = router.urls
