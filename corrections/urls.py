"""The editors' desk, mounted at the site root."""

from django.urls import path

from corrections import bulk_views, views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("articles/<int:article_id>/", views.review_page, name="review"),
    path("articles/<int:article_id>/accept-all/", views.article_accept_all, name="accept-all"),
    path("articles/<int:article_id>/undo/", views.article_undo, name="undo"),
    path("articles/<int:article_id>/edit/", views.article_edit, name="edit"),
    path("articles/<int:article_id>/history/", views.article_history, name="history"),
    path("articles/<int:article_id>/revert/", views.article_revert, name="revert"),
    path("articles/<int:article_id>/publish/", views.article_publish, name="publish"),
    path("articles/<int:article_id>/published/", views.article_published, name="published"),
    path("articles/<int:article_id>/published/<int:number>/", views.article_published, name="publication"),
    path("suggestions/<int:suggestion_id>/decide/", views.suggestion_decide, name="decide"),
    path("decisions/", bulk_views.decisions, name="decisions"),
    path("decisions/preview/", bulk_views.decision_preview, name="decision-preview"),
    path("decisions/<int:decision_id>/", bulk_views.decision_page, name="decision"),
    path("decisions/<int:decision_id>/undo/", bulk_views.decision_undo, name="decision-undo"),
    path("suggestions/<int:suggestion_id>/group/", views.suggestion_group_decide, name="decide-group"),
    path("stories/<int:story_id>/", views.story_page, name="story"),
    path("stories/<int:story_id>/canonical/", views.story_canonical, name="story-canonical"),
    path("audit/", views.audit, name="audit"),
    path("gazetteer/", views.gazetteer, name="gazetteer"),
    path("gazetteer/new/", views.entity_edit, name="entity-new"),
    path("gazetteer/<int:entity_id>/", views.entity_edit, name="entity"),
    path("gazetteer/<int:entity_id>/aliases/", views.alias_add, name="alias-add"),
    path("gazetteer/aliases/<int:alias_id>/toggle/", views.alias_toggle, name="alias-toggle"),
    path("gazetteer/suppressions/", views.suppressions, name="suppressions"),
    path("gazetteer/suppressions/<int:suppression_id>/toggle/", views.suppression_toggle, name="suppression-toggle"),
    path("style/", views.style_rules, name="style"),
    path("style/<int:rule_id>/", views.style_rule_edit, name="style-rule"),
    path("ops/", views.ops_page, name="ops"),
    path("ops/jobs/<int:job_id>/retry/", views.job_retry, name="job-retry"),
]
