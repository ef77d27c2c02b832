"""UI routes of the knowledge base's proposals, included under /knowledge/ in the "knowledge"
namespace (see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.knowledge import proposal_views as views

urlpatterns: list[URLPattern] = [
    path("proposals/", views.ProposalQueueView.as_view(), name="proposals"),
    path(
        "proposals/from-ticket/<id:ticket_pk>/",
        views.ProposeView.as_view(),
        name="propose",
    ),
    path("proposals/<id:pk>/", views.ProposalDetailView.as_view(), name="proposal"),
    path(
        "proposals/<id:pk>/publish/",
        views.ProposalPublishView.as_view(),
        name="proposal-publish",
    ),
    path(
        "proposals/<id:pk>/decline/",
        views.ProposalDeclineView.as_view(),
        name="proposal-decline",
    ),
    path("topic-owners/", views.TopicOwnersView.as_view(), name="topic-owners"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
]
