from rest_framework.routers import DefaultRouter

from tierdesk.inventory.api import views

router = DefaultRouter()
router.register("solutions", views.SolutionViewSet, basename="solution")
router.register("environments", views.EnvironmentViewSet, basename="environment")
router.register("usage-facts", views.UsageFactViewSet, basename="usage-fact")
urlpatterns = router.urls
