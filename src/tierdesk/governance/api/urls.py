"""API routes, included under /api/v1/."""

from tierdesk.common.routers import IdRouter
from tierdesk.governance.api import views

router = IdRouter()
router.register("governance/policies", views.TierPolicyViewSet, basename="tier-policy")
router.register("governance/assessments", views.TierAssessmentViewSet, basename="tier-assessment")
router.register("governance/signals", views.SignalViewSet, basename="signal")
router.register("governance/findings", views.FindingViewSet, basename="finding")
router.register(
    "governance/graduation-requests", views.GraduationRequestViewSet, basename="graduation-request"
)
urlpatterns = router.urls
