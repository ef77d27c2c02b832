"""API routes, included under /api/v1/."""

from rest_framework.routers import DefaultRouter

from tierdesk.governance.api import views

router = DefaultRouter()
router.register("governance/policies", views.TierPolicyViewSet, basename="tier-policy")
router.register("governance/assessments", views.TierAssessmentViewSet, basename="tier-assessment")
router.register("governance/signals", views.SignalViewSet, basename="signal")
router.register("governance/findings", views.FindingViewSet, basename="finding")
router.register(
    "governance/graduation-requests", views.GraduationRequestViewSet, basename="graduation-request"
)
urlpatterns = router.urls
