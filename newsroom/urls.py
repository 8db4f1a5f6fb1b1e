from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles import api as articles_api
from articles import audit_api, feed_views, feeds_api, publish_api
from corrections import api as corrections_api
from corrections import bulk_api
from newsroom.health import healthz
from newsroom.scrape import metrics

api_v1 = [
    path("articles/", articles_api.ArticleCollectionApi.as_view(), name="articles"),
    path("articles/batch/", articles_api.ArticleBatchCreateApi.as_view(), name="articles-batch"),
    path("articles/<int:article_id>/", articles_api.ArticleDetailApi.as_view(), name="article-detail"),
    path("articles/<int:article_id>/revisions/", articles_api.RevisionListApi.as_view(), name="article-revisions"),
    path(
        "articles/<int:article_id>/revisions/<int:number>/",
        articles_api.RevisionDetailApi.as_view(),
        name="article-revision-detail",
    ),
    path("articles/<int:article_id>/publish/", publish_api.ArticlePublishApi.as_view(), name="article-publish"),
    path("articles/<int:article_id>/canonical/", publish_api.ArticleCanonicalApi.as_view(), name="article-canonical"),
    path(
        "articles/<int:article_id>/publications/<int:number>/",
        publish_api.PublicationDetailApi.as_view(),
        name="article-publication-detail",
    ),
    path("audit/", audit_api.AuditListApi.as_view(), name="audit"),
    path("feeds/", feeds_api.FeedCollectionApi.as_view(), name="feeds"),
    path("feeds/<int:feed_id>/", feeds_api.FeedDetailApi.as_view(), name="feed-detail"),
    path("feeds/<int:feed_id>/poll/", feeds_api.FeedPollApi.as_view(), name="feed-poll"),
    path("published/", publish_api.PublishedFeedApi.as_view(), name="published-feed"),
    path("stories/<int:story_id>/canonical/", publish_api.StoryCanonicalApi.as_view(), name="story-canonical"),
    path(
        "articles/<int:article_id>/suggestions/",
        corrections_api.SuggestionListApi.as_view(),
        name="article-suggestions",
    ),
    path("suggestions/<int:suggestion_id>/accept/", corrections_api.SuggestionAcceptApi.as_view(), name="suggestion-accept"),
    path("suggestions/<int:suggestion_id>/reject/", corrections_api.SuggestionRejectApi.as_view(), name="suggestion-reject"),
    path("decisions/", bulk_api.DecisionCreateApi.as_view(), name="decisions"),
    path("decisions/<int:decision_id>/", bulk_api.DecisionDetailApi.as_view(), name="decision-detail"),
    path("decisions/<int:decision_id>/undo/", bulk_api.DecisionUndoApi.as_view(), name="decision-undo"),
]

# Unmatched URLs under /api/ answer JSON like the rest of the API.
handler404 = "newsroom.api_errors.not_found"
handler500 = "newsroom.api_errors.server_error"

feed_pages = [
    path("", feed_views.feeds, name="list"),
    path("<int:feed_id>/", feed_views.feed_edit, name="edit"),
    path("<int:feed_id>/poll/", feed_views.feed_poll, name="poll"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("feeds/", include((feed_pages, "feeds"), namespace="feeds")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("corrections.urls")),
]
