"""UI routes of the knowledge base's feeds, included under /knowledge/ in the "knowledge"
namespace (see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.knowledge import feed_views

urlpatterns: list[URLPattern] = [
    path("feeds/", feed_views.FeedListView.as_view(), name="feeds"),
    path("feeds/items/", feed_views.FeedItemsView.as_view(), name="feed-items"),
    path("feeds/<id:pk>/<slug:action>/", feed_views.FeedActionView.as_view(), name="feed-action"),
    path("review-tasks/", feed_views.ReviewTaskListView.as_view(), name="review-tasks"),
    path("review-tasks/<id:pk>/", feed_views.ReviewTaskDetailView.as_view(), name="review-task"),
    path(
        "review-tasks/<id:pk>/<slug:action>/",
        feed_views.ReviewTaskCloseView.as_view(),
        name="review-task-close",
    ),
]
