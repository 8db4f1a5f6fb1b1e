"""The cross-article decision in the API (editors): preview with ``dry_run``, apply, read, undo.

Adapters around corrections.bulk, the same domain functions the desk calls.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api import UnprocessableFields
from articles.permissions import IsEditor
from articles.serializers import StrictBooleanField, StrictIntegerField, StrictSerializer, TextField
from corrections import bulk, review
from corrections.api import _actor
from corrections.models import BulkDecision, BulkDecisionArticle
from newsroom.api_errors import ErrorOut, ValidationErrorsOut


class SeenIn(StrictSerializer):
    id = StrictIntegerField(min_value=1, help_text="An article of the preview.")
    revision = StrictIntegerField(min_value=1, help_text="The revision the preview showed of it.")


class DecisionIn(StrictSerializer):
    original = TextField(max_length=10_000, help_text="The text every chosen suggestion replaces.")
    replacement = TextField(max_length=10_000, allow_blank=True, help_text="What it becomes.")
    dry_run = StrictBooleanField(default=False, help_text="Only preview: the articles and sentences it would change.")
    articles = SeenIn(many=True, required=False,
                      help_text="To apply: the preview's articles, each with the revision it showed. An article "
                                "edited since is skipped (no lost update).")


class SentenceOut(serializers.Serializer):
    suggestion = serializers.IntegerField(source="suggestion_id")
    field = serializers.ChoiceField(choices=["body", "title"])
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    before = serializers.CharField(help_text="The sentence up to the change.")
    original = serializers.CharField()
    replacement = serializers.CharField()
    after = serializers.CharField(help_text="The sentence after the change.")


class PreviewArticleOut(serializers.Serializer):
    id = serializers.IntegerField(source="article.pk")
    title = serializers.CharField(source="article.title")
    source = serializers.CharField(source="article.source.slug")  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
    revision = serializers.IntegerField()
    sentences = SentenceOut(many=True)


class PreviewOut(serializers.Serializer):
    original = serializers.CharField()
    replacement = serializers.CharField()
    total = serializers.IntegerField(help_text=f"Articles with the change pending; at most {bulk.MAX_ARTICLES} "
                                               "are listed and decided at once.")
    articles = PreviewArticleOut(many=True)


class DecisionArticleOut(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id")
    result_revision = serializers.IntegerField(source="result_revision.number", allow_null=True, default=None)
    undo_revision = serializers.IntegerField(source="undo_revision.number", allow_null=True, default=None)
    suggestions = serializers.ListField(child=serializers.IntegerField(), source="suggestion_ids")

    class Meta:
        model = BulkDecisionArticle
        fields = ["article", "seen_revision", "status", "reason", "suggestions", "result_revision", "undo_revision"]


class BulkDecisionOut(serializers.ModelSerializer):
    articles = serializers.SerializerMethodField()

    class Meta:
        model = BulkDecision
        fields = ["id", "original", "replacement", "status", "created_at", "undone_at", "articles"]

    @extend_schema_field(DecisionArticleOut(many=True))
    def get_articles(self, decision: BulkDecision) -> list[dict[str, Any]]:
        rows = decision.articles.select_related("result_revision", "undo_revision").order_by("article_id")
        return list(DecisionArticleOut(rows, many=True).data)


def _seen(data: dict[str, Any]) -> list[bulk.Seen]:
    return [bulk.Seen(article_id=a["id"], revision=a["revision"]) for a in data.get("articles") or []]


class DecisionCreateApi(APIView):
    """Preview (``dry_run: true``) or apply "original → replacement" to every article with that
    change pending, one new revision per article; 201 with what it did to each article."""

    permission_classes = [IsEditor]

    @extend_schema(request=DecisionIn, responses={200: PreviewOut, 201: BulkDecisionOut, 422: ValidationErrorsOut},
                   operation_id="decisions_create")
    def post(self, request: Request) -> Response:
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        try:
            if valid["dry_run"]:
                preview = bulk.preview_change(valid["original"], valid["replacement"])
                return Response(PreviewOut(preview).data)
            decision = bulk.apply_change(original=valid["original"], replacement=valid["replacement"],
                                         seen=_seen(valid), actor=_actor(request))
        except bulk.NothingToDecide as ex:
            raise UnprocessableFields({ex.field: [str(ex)]}) from None
        return Response(BulkDecisionOut(decision).data, status=status.HTTP_201_CREATED)


class DecisionDetailApi(APIView):
    permission_classes = [IsEditor]

    @extend_schema(responses=BulkDecisionOut, operation_id="decisions_retrieve")
    def get(self, request: Request, decision_id: int) -> Response:
        return Response(BulkDecisionOut(get_object_or_404(BulkDecision, pk=decision_id)).data)


class DecisionUndoApi(APIView):
    """Undo a decision wherever the change still stands as it left it; the others say why not."""

    permission_classes = [IsEditor]

    @extend_schema(request=None, responses={200: BulkDecisionOut, 409: ErrorOut}, operation_id="decisions_undo")
    def post(self, request: Request, decision_id: int) -> Response:
        get_object_or_404(BulkDecision, pk=decision_id)
        try:
            decision = bulk.undo_change(decision_id=decision_id, actor=_actor(request))
        except review.InvalidDecision as ex:
            return Response({"detail": str(ex)}, status=status.HTTP_409_CONFLICT)
        return Response(BulkDecisionOut(decision).data)
