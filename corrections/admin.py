"""Admin screens for the gazetteer, house style and suppressions (editors also have desk pages)."""

from __future__ import annotations

from django.contrib import admin

from corrections.models import Alias, Entity, PipelineJob, StyleRule, Suppression


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["surface", "kind", "origin", "is_enabled", "created_by", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "description", "wikidata_id", "is_enabled", "origin"]
    list_filter = ["type", "is_enabled", "origin"]
    search_fields = ["name", "aliases__surface", "description"]
    inlines = [AliasInline]


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ["surface", "entity", "kind", "origin", "is_enabled", "created_by", "created_at"]
    list_filter = ["kind", "origin", "is_enabled"]
    search_fields = ["surface", "entity__name"]
    list_select_related = ["entity", "created_by"]
    autocomplete_fields = ["entity"]


@admin.register(StyleRule)
class StyleRuleAdmin(admin.ModelAdmin):
    list_display = ["pattern", "replacement", "is_whole_word", "is_case_sensitive", "is_enabled", "created_by"]
    list_filter = ["is_enabled"]
    search_fields = ["pattern", "replacement"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["original", "replacement", "is_enabled", "created_by", "created_at"]
    list_filter = ["is_enabled"]
    search_fields = ["original", "replacement"]


@admin.register(PipelineJob)
class PipelineJobAdmin(admin.ModelAdmin):
    list_display = ["id", "article", "revision", "state", "attempts", "max_attempts", "enqueued_at", "finished_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in PipelineJob._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
