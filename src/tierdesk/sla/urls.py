"""UI routes, included under /sla/ with the namespace "sla"."""

from django.urls import path

from tierdesk.sla import views

app_name = "sla"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("on-call/", views.OnCallView.as_view(), name="oncall"),
    path("on-call/<id:pk>/overrides/", views.OverrideCreateView.as_view(), name="override-create"),
]
