"""UI routes of the insights' coe part, included under /insights/ in the "insights"
namespace (see `urls.py`): the landing page and the CoE admin views."""

from django.urls import path

from tierdesk.insights import coe_views
from tierdesk.insights.hub_views import InsightsHomeView

urlpatterns = [
    path("", InsightsHomeView.as_view(), name="home"),
    path("coe/makers/", coe_views.MakersView.as_view(), name="coe-makers"),
    path("coe/connectors/", coe_views.ConnectorsView.as_view(), name="coe-connectors"),
    path("coe/connectors/<id:pk>/", coe_views.ConnectorDetailView.as_view(), name="coe-connector"),
    path("coe/environments/", coe_views.EnvironmentsView.as_view(), name="coe-environments"),
    path("coe/usage/", coe_views.TrendView.as_view(), name="coe-trend"),
    path("coe/unused/", coe_views.UnusedView.as_view(), name="coe-unused"),
    path("coe/orphaned/", coe_views.OrphanedView.as_view(), name="coe-orphaned"),
]
