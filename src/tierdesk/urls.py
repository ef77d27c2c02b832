from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tierdesk import views

api_patterns = [
    path("", include("tierdesk.accounts.api.urls")),
    path("", include("tierdesk.inventory.api.urls")),
    path("", include("tierdesk.inventory.importers.api_urls")),
    path("", include("tierdesk.governance.api.urls")),
    path("", include("tierdesk.desk.api.urls")),
    path("", include("tierdesk.sla.api.urls")),
    path("", include("tierdesk.knowledge.api.urls")),
    path("", include("tierdesk.integrations.api.urls")),
    path("", include("tierdesk.insights.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("tierdesk.accounts.urls")),
    path("inventory/", include("tierdesk.inventory.urls")),
    path("governance/", include("tierdesk.governance.urls")),
    path("desk/", include("tierdesk.desk.urls")),
    path("sla/", include("tierdesk.sla.urls")),
    path("knowledge/", include("tierdesk.knowledge.urls")),
    path("insights/", include("tierdesk.insights.urls")),
    path("notifications/", include("tierdesk.notify.urls")),
    path("integrations/", include("tierdesk.integrations.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
