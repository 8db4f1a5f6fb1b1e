"""Input and output shapes of the articles API. Validation only: no logic lives here.

Input fields carry the OpenAPI description of exactly what they accept (``schema_pattern``,
strict types), so that a request the published schema calls valid is never refused as invalid
and the other way round (Schemathesis checks both).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from articles.attribution import publisher_byline, revision_author
from articles.models import Article, Publication, Revision
from newsroom.query_params import parse_rfc3339

# Every character Python's str.isspace() (and so str.strip()) counts as whitespace, spelled so that
# Python's re, ECMAScript and Rust's regex engine read the class the same way.
WHITESPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f"
NUL_FREE = r"^[^\x00]*$"
# Not blank: at least one character that is neither whitespace nor NUL, and no NUL anywhere.
NOT_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE_CLASS}][^\x00]*$"
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
# No control characters, no whitespace at either end, not blank.
EXTERNAL_ID_PATTERN = (
    rf"^[^{CONTROL_CLASS}{WHITESPACE_CLASS}](?:[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{WHITESPACE_CLASS}])?$"
)
# An http(s) URL with an ASCII host name (punycode for IDNs) or IPv4 address, an optional port,
# and a path, query and fragment without whitespace or control characters.
_HOST = r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,40}[A-Za-z0-9])?\.){1,4}[A-Za-z]{2,63}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})"
URL_PATTERN = rf"^https?://{_HOST}(?::[0-9]{{1,5}})?(?:[/?#][^{CONTROL_CLASS}{WHITESPACE_CLASS}]*)?$"
# Years 1000-9998: a time in any offset can then be converted to UTC and back.
DATETIME_YEAR_PATTERN = r"^(?:[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])-"


_SURROGATE = re.compile("[\ud800-\udfff]")


class NoSurrogates(ProhibitSurrogateCharactersValidator):
    """DRF's check, with its message and code, as one regular-expression search: DRF's steps
    through the text a character at a time in Python (a third of a millisecond on 5 KB)."""

    def __call__(self, value: Any) -> None:
        found = _SURROGATE.search(str(value))
        if found is not None:
            raise serializers.ValidationError(self.message.format(code_point=ord(found.group())), code=self.code)


class TextField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn 42 or true into text.

    Kept verbatim (no trimming). ``schema_pattern`` is what the OpenAPI schema promises the field
    accepts (articles.schema publishes it); the field's own checks must accept exactly that.
    """

    def __init__(self, *, schema_pattern: str = NUL_FREE, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        self.schema_pattern = schema_pattern
        super().__init__(**kwargs)
        self.validators = [NoSurrogates() if isinstance(v, ProhibitSurrogateCharactersValidator) else v
                           for v in self.validators]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class FullMatchTextField(TextField):
    """A TextField whose value must match ``schema_pattern`` entirely (the pattern is short and
    linear, unlike the not-blank one, which is checked with str.strip() instead)."""

    def __init__(self, *, schema_pattern: str, message: str, **kwargs: Any) -> None:
        super().__init__(schema_pattern=schema_pattern, **kwargs)
        self.compiled = re.compile(schema_pattern)
        self.message = message

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if self.compiled.fullmatch(value) is None:
            raise serializers.ValidationError(self.message)
        return value


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: DRF's IntegerField would take "5", 5.0 or true."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false and nothing else: DRF's BooleanField would take "yes", 1 or "on"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


@extend_schema_field({"type": "string", "format": "date-time", "pattern": DATETIME_YEAR_PATTERN, "nullable": True})
class PublishedAtField(serializers.DateTimeField):
    """An RFC 3339 time (with an offset), in the years 1000 to 9998; stored in UTC."""

    def to_internal_value(self, value: Any) -> datetime:
        moment = parse_rfc3339(value) if isinstance(value, str) else None
        if moment is None:
            self.fail("invalid", format="RFC 3339 with an offset, e.g. 2026-11-24T08:00:00Z")
        if re.match(DATETIME_YEAR_PATTERN, value) is None:
            raise serializers.ValidationError("Must be a time in the years 1000 to 9998.")
        return moment.astimezone(UTC)


class StrictSerializer(serializers.Serializer):
    """Fields not listed here are refused (400, naming each)."""

    def to_internal_value(self, data: Any) -> Any:
        # articles.schema publishes this rule as additionalProperties: false.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [f"Unknown field; allowed fields are {', '.join(self.fields)}."] for name in unknown}
                )
        return super().to_internal_value(data)


class ArticleIn(StrictSerializer):
    """One article copy as a client sends it. Fields not listed here are refused (400, naming each)."""

    source = FullMatchTextField(max_length=100, schema_pattern=SOURCE_PATTERN,  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
                                message="Use letters, digits, '.', '_', ':' or '-', starting with a letter or digit.",
                                help_text="Slug of the outlet or feed, e.g. 'reuters-en'.")
    external_id = FullMatchTextField(
        max_length=255, schema_pattern=EXTERNAL_ID_PATTERN,
        message="May not be blank, start or end with whitespace, or contain control characters.",
        help_text="The client's id for this story; unique per source.",
    )
    title = TextField(max_length=2000, schema_pattern=NOT_BLANK)
    body = TextField(schema_pattern=NOT_BLANK, help_text="The article text, stored exactly as sent.")
    content_type = serializers.ChoiceField(choices=Article.ContentType.choices, default=Article.ContentType.PLAIN)
    language = FullMatchTextField(max_length=35, default="en", schema_pattern=LANGUAGE_PATTERN,
                                  message="Must be a language tag such as 'en' or 'pt-BR'.")
    url = FullMatchTextField(
        max_length=2000, required=False, allow_blank=True, default="", schema_pattern=URL_PATTERN,
        message="Enter a valid URL: http(s), an ASCII host name or IPv4 address, no spaces.",
    )
    published_at = PublishedAtField(required=False, allow_null=True, default=None)

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


def validate_each(items: list[Any]) -> list[tuple[Any, Any]]:
    """``(validated data, None)`` or ``(None, errors)`` for each of a batch's articles, exactly as
    ``ArticleIn(data=item).is_valid()`` says, with one serializer for all the valid ones: making a
    serializer copies its fields, which cost more than checking a 5 KB article."""
    shared = ArticleIn()
    checked: list[tuple[Any, Any]] = []
    for item in items:
        try:
            checked.append((shared.run_validation(item), None))
        except serializers.ValidationError:
            alone = ArticleIn(data=item)  # the errors exactly as the serializer reports them
            alone.is_valid()
            checked.append((None, alone.errors))
    return checked


class BatchArticlesField(serializers.ListField):
    """The batch's articles, each checked on its own (ArticleIn) so that one bad item does not
    sink the others; the schema documents the items as ArticleIn (articles.schema)."""


class BatchIn(StrictSerializer):
    articles = BatchArticlesField(child=serializers.JSONField(), allow_empty=False,
                                  help_text="Up to NEWSROOM_MAX_BATCH_ITEMS (500) articles; more is 413.")


class ArticleOut(serializers.ModelSerializer):
    source = serializers.CharField(source="source.slug")  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
    title = serializers.CharField(help_text="The current revision's title (with any accepted fixes).")
    url = serializers.CharField(help_text="As sent (see ArticleIn.url); empty when none was given.")
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
    source = serializers.CharField(source="source.slug")  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
    revision = serializers.IntegerField(source="revision_number")
    story = serializers.IntegerField(source="story_id", allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "source", "external_id", "title", "status", "revision", "story", "created_at", "updated_at"]


class RevisionAuthor(serializers.CharField):
    """Who made the revision: ``user:<name>`` for editors reading the API, ``desk:<role>`` for other
    readers when a staff account made it (articles.attribution), ``client:<name>``, ``system:<what>``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return revision_author(value, show_staff_names=bool(self.context.get("show_staff_names")))


class RevisionOut(serializers.ModelSerializer):
    created_by = RevisionAuthor()

    class Meta:
        model = Revision
        fields = ["number", "title", "text", "created_at", "created_by", "reason"]


class RevisionSummaryOut(serializers.ModelSerializer):
    created_by = RevisionAuthor()
    length = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = ["number", "title", "created_at", "created_by", "reason", "length"]

    def get_length(self, revision: Revision) -> int:
        return len(revision.text)


class PublishIn(StrictSerializer):
    revision = StrictIntegerField(min_value=1, help_text="The revision to publish (the one the publisher saw).")
    confirm_pending = StrictBooleanField(default=False, help_text="Publish although suggestions are pending.")
    correction_note = TextField(max_length=2000, required=False, default="", allow_blank=True,
                                help_text="Required when the article is published already: a public note.")


class PublicationOut(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id")
    revision = serializers.IntegerField(source="revision.number")
    text = serializers.CharField(source="revision.text")
    published_by = serializers.SerializerMethodField(
        help_text="The desk's byline (NEWSROOM_PUBLISHER_BYLINE), never a staff account's name.")
    corrects = serializers.IntegerField(source="corrects.number", allow_null=True, default=None)
    title = serializers.CharField(source="revision.title", help_text="The title as published.")
    source = serializers.CharField(source="article.source.slug")  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
    external_id = serializers.CharField(source="article.external_id")

    class Meta:
        model = Publication
        fields = ["id", "article", "source", "external_id", "title", "number", "revision", "text", "published_at",
                  "published_by", "corrects", "correction_note"]


    def get_published_by(self, publication: Publication) -> str:
        return publisher_byline()


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
    article = StrictIntegerField(min_value=1)
