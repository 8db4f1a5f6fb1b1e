"""Input and output shapes of the articles API. Validation only: no logic lives here."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, Publication, Revision

SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class TextField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn 42 or true into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, naming each."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [f"Unknown field; allowed fields are {', '.join(self.fields)}."] for name in unknown}
                )
        return super().to_internal_value(data)


class ArticleIn(StrictSerializer):
    source = TextField(max_length=100, help_text="Slug of the outlet or feed, e.g. 'reuters-en'.")
    external_id = TextField(max_length=255, help_text="The client's id for this story; unique per source.")
    title = TextField(max_length=2000, trim_whitespace=False)
    body = TextField(trim_whitespace=False, help_text="The article text, stored exactly as sent.")
    content_type = serializers.ChoiceField(choices=Article.ContentType.choices, default=Article.ContentType.PLAIN)
    language = TextField(max_length=35, default="en")
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_source(self, value: str) -> str:
        if not SOURCE_RE.match(value):
            raise serializers.ValidationError("Use letters, digits, '.', '_', ':' or '-', starting with a letter or digit.")
        return value

    def validate_external_id(self, value: str) -> str:
        if not value.strip() or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise serializers.ValidationError("May not be blank or contain control characters.")
        return value

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("May not be blank.")
        return value

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("May not be blank.")
        limit = settings.NEWSROOM_MAX_REQUEST_BYTES
        if len(value.encode("utf-8")) > limit:
            raise serializers.ValidationError(f"Is larger than the limit of {limit} bytes.")
        return value

    def validate_language(self, value: str) -> str:
        if not LANGUAGE_RE.match(value):
            raise serializers.ValidationError("Must be a language tag such as 'en' or 'pt-BR'.")
        return value


class BatchIn(StrictSerializer):
    articles = serializers.ListField(child=serializers.JSONField(), allow_empty=False)


class ArticleOut(serializers.ModelSerializer):
    source = TextField(source="source.slug")
    revision = serializers.IntegerField(source="revision_number")
    text = serializers.SerializerMethodField()
    story = serializers.IntegerField(source="story_id", allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id", "source", "external_id", "title", "status", "status_detail", "revision", "text", "story",
            "content_type", "language", "url", "published_at", "invisible_chars", "created_at", "updated_at",
        ]

    def get_text(self, article: Article) -> str:
        current = getattr(article, "current_text", None)
        if current is None:
            current = article.revisions.get(number=article.revision_number).text
        return str(current)


class IngestOut(ArticleOut):
    created = serializers.BooleanField()
    new_revision = serializers.BooleanField()

    class Meta(ArticleOut.Meta):
        fields = [*ArticleOut.Meta.fields, "created", "new_revision"]


class ArticleSummaryOut(serializers.ModelSerializer):
    source = TextField(source="source.slug")
    revision = serializers.IntegerField(source="revision_number")
    story = serializers.IntegerField(source="story_id", allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "source", "external_id", "title", "status", "revision", "story", "created_at", "updated_at"]


class RevisionOut(serializers.ModelSerializer):
    created_by = serializers.CharField()

    class Meta:
        model = Revision
        fields = ["number", "text", "created_at", "created_by", "reason"]


class RevisionSummaryOut(serializers.ModelSerializer):
    created_by = serializers.CharField()
    length = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = ["number", "created_at", "created_by", "reason", "length"]

    def get_length(self, revision: Revision) -> int:
        return len(revision.text)


class PublishIn(StrictSerializer):
    revision = serializers.IntegerField(min_value=1, help_text="The revision to publish (the one the publisher saw).")
    confirm_pending = serializers.BooleanField(default=False, help_text="Publish although suggestions are pending.")
    correction_note = TextField(max_length=2000, required=False, default="", allow_blank=True,
                                help_text="Required when the article is published already: a public note.")


class PublicationOut(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id")
    revision = serializers.IntegerField(source="revision.number")
    text = serializers.CharField(source="revision.text")
    published_by = serializers.CharField(source="published_by.get_username")
    corrects = serializers.IntegerField(source="corrects.number", allow_null=True, default=None)
    title = serializers.CharField(source="article.title")
    source = serializers.CharField(source="article.source.slug")
    external_id = serializers.CharField(source="article.external_id")

    class Meta:
        model = Publication
        fields = ["id", "article", "source", "external_id", "title", "number", "revision", "text", "published_at",
                  "published_by", "corrects", "correction_note"]


class CorrectionNoteOut(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    note = serializers.CharField()


class CanonicalOut(PublicationOut):
    corrections = serializers.SerializerMethodField()

    class Meta(PublicationOut.Meta):
        fields = [*PublicationOut.Meta.fields, "corrections"]

    @extend_schema_field(CorrectionNoteOut(many=True))
    def get_corrections(self, publication: Publication) -> list[dict[str, object]]:
        """Every correction note up to this publication, newest first (the public record)."""
        notes = []
        for p in publication.article.publications.filter(number__lte=publication.number, number__gt=1).order_by("-number"):
            notes.append({"number": p.number, "published_at": p.published_at, "note": p.correction_note})
        return notes


class StoryCanonicalIn(StrictSerializer):
    article = serializers.IntegerField(min_value=1)
