from django.urls import path
from rest_framework.routers import DefaultRouter

from tierdesk.accounts.api import views

router = DefaultRouter()
router.register("business-units", views.BusinessUnitViewSet, basename="business-unit")
router.register("teams", views.SupportTeamViewSet, basename="team")
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
