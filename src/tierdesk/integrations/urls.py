"""UI routes, included under /integrations/ with the namespace "integrations"."""

from django.urls import path

from tierdesk.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.IntegrationsView.as_view(), name="home"),
    path("connector.zip", views.ConnectorDownloadView.as_view(), name="connector"),
    path("webhooks/add/", views.WebhookAddView.as_view(), name="webhook-add"),
    path("webhooks/<id:pk>/delete/", views.WebhookDeleteView.as_view(), name="webhook-delete"),
    path(
        "webhooks/<id:pk>/reactivate/",
        views.WebhookReactivateView.as_view(),
        name="webhook-reactivate",
    ),
]
