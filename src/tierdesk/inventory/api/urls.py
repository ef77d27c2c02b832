from tierdesk.common.routers import IdRouter
from tierdesk.inventory.api import views

router = IdRouter()
router.register("solutions", views.SolutionViewSet, basename="solution")
router.register("environments", views.EnvironmentViewSet, basename="environment")
router.register("usage-facts", views.UsageFactViewSet, basename="usage-fact")
urlpatterns = router.urls
