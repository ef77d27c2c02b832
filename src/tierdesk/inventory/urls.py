from django.urls import include, path

from tierdesk.inventory import views

app_name = "inventory"

urlpatterns = [
    path("solutions/", views.SolutionListView.as_view(), name="solution-list"),
    path("solutions/makers/pick/", views.MakerPickView.as_view(), name="maker-pick"),
    path("solutions/pick/", views.SolutionPickView.as_view(), name="solution-pick"),
    path("solutions/<id:pk>/", views.SolutionDetailView.as_view(), name="solution-detail"),
    path("environments/", views.EnvironmentListView.as_view(), name="environment-list"),
    path("environments/<id:pk>/", views.EnvironmentDetailView.as_view(), name="environment-detail"),
    path("imports/", include("tierdesk.inventory.importers.urls")),
]
