"""UI routes, included under /governance/ with the namespace "governance"."""

from django.urls import path

from tierdesk.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("mine/", views.MineView.as_view(), name="mine"),
    path("solutions/<id:pk>/", views.SolutionGovernanceView.as_view(), name="solution"),
    path("solutions/<id:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("solutions/<id:pk>/confirm-tier/", views.ConfirmTierView.as_view(), name="confirm-tier"),
    path(
        "solutions/<id:pk>/graduate/", views.GraduationCreateView.as_view(), name="graduation-new"
    ),
    path("signals/<id:pk>/<str:action>/", views.SignalActionView.as_view(), name="signal-action"),
    path("findings/<id:pk>/waive/", views.FindingWaiveView.as_view(), name="finding-waive"),
    path("graduations/<id:pk>/", views.GraduationDetailView.as_view(), name="graduation"),
    path(
        "graduations/<id:pk>/<str:action>/",
        views.GraduationActionView.as_view(),
        name="graduation-action",
    ),
    path("onboarding/", views.OnboardingView.as_view(), name="onboarding"),
    path("onboarding/edit/", views.OnboardingEditView.as_view(), name="onboarding-edit"),
]
