"""UI routes, included under /knowledge/ with the namespace "knowledge"."""

from django.urls import include, path

from tierdesk.knowledge import suggest_views, views

app_name = "knowledge"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("review/", views.ReviewQueueView.as_view(), name="review"),
    path("suggest/", suggest_views.SuggestView.as_view(), name="suggest"),
    path("suggest/solved/", suggest_views.SolvedView.as_view(), name="suggest-solved"),
    path("suggest/article/", suggest_views.EmbedArticleView.as_view(), name="embed-article"),
    path("new/", views.ArticleCreateView.as_view(), name="create"),
    path("<id:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("<id:pk>/edit/", views.ArticleEditView.as_view(), name="edit"),
    path("<id:pk>/vote/", views.ArticleVoteView.as_view(), name="vote"),
    path("<id:pk>/submit/", views.ArticleMoveView.as_view(move="submit"), name="submit"),
    path("<id:pk>/publish/", views.ArticleMoveView.as_view(move="publish"), name="publish"),
    path("<id:pk>/retire/", views.ArticleMoveView.as_view(move="retire"), name="retire"),
    path("<id:pk>/revisions/<id:number>/", views.RevisionView.as_view(), name="revision"),
    path("", include("tierdesk.knowledge.proposal_urls")),
    path("", include("tierdesk.knowledge.feed_urls")),
    path("", include("tierdesk.knowledge.attachment_urls")),
]
