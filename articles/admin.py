"""Admin screens for operators. Revisions, publications and audit rows are read-only here, as in
the database."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from articles.models import (
    ApiClient,
    Article,
    AuditEvent,
    Publication,
    Revision,
    RowChange,
    Source,
    Story,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_hash", "created_at"]
    search_fields = ["name", "key_prefix"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are created with `manage.py create_api_token`, shown once


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["id", "source", "external_id", "title", "status", "revision_number", "story", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["external_id", "title"]
    list_select_related = ["source"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "created_at", "created_by_user", "created_by_client", "created_by_system", "reason"]
    list_select_related = ["article", "created_by_user", "created_by_client"]


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "canonical_article", "created_at"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "revision", "published_by", "published_at", "correction_note"]
    list_select_related = ["article", "revision", "published_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_label", "object_type", "object_id", "article_id", "request_id"]
    list_filter = ["action", "actor_type"]
    search_fields = ["actor_label", "action", "request_id"]


@admin.register(RowChange)
class RowChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "operation", "table_name", "row_id", "actor", "request_id", "application_name"]
    list_filter = ["operation", "table_name"]
    search_fields = ["request_id", "actor"]
