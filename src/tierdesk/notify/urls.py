"""UI routes, included under /notifications/ with the namespace "notify"."""

from django.urls import path

from tierdesk.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("read-all/", views.InboxReadAllView.as_view(), name="read-all"),
    path("<id:pk>/open/", views.InboxOpenView.as_view(), name="open"),
    path("<id:pk>/read/", views.InboxReadView.as_view(), name="read"),
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path("outbox/<id:pk>/", views.OutboxDetailView.as_view(), name="outbox-detail"),
]
