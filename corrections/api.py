"""The corrections API: suggestions of an article."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api import UnprocessableFields
from articles.audit import Actor
from articles.models import ApiClient
from articles.permissions import CanReadArticles, IsEditor, visible_articles
from articles.serializers import StrictIntegerField, StrictSerializer, TextField
from corrections import review
from corrections.models import REVISION_BULK, Suggestion
from corrections.serializers import SuggestionOut
from newsroom.api_errors import ValidationErrorsOut
from newsroom.pagination import PageNumberPagination
from newsroom.query_params import STR_SCHEMA, enum_param, int_param, int_schema, str_param

# Clients written before titles had suggestions read every offset as one into the text: without
# ?field= they see the body's suggestions only.
FIELD_CHOICES = [*Suggestion.Field.values, "all"]


class SuggestionListApi(APIView):
    permission_classes = [CanReadArticles]
    pagination_class = PageNumberPagination  # for the schema; get() paginates explicitly

    @extend_schema(
        responses=SuggestionOut(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=Suggestion.Status.values),
            OpenApiParameter("kind", STR_SCHEMA),
            OpenApiParameter("revision", int_schema()),
            OpenApiParameter("field", str, enum=FIELD_CHOICES, description=(
                "Which suggestions: `body` (the default, whose offsets point into the revision's text, "
                "as they always have), `title` (offsets into the revision's title) or `all`.")),
        ],
        operation_id="articles_suggestions_list",
    )
    def get(self, request: Request, article_id: int) -> Response:
        article = get_object_or_404(visible_articles(request), pk=article_id)
        queryset = Suggestion.objects.filter(revision__article=article).select_related("revision").defer(*REVISION_BULK)
        params = request.query_params
        field = enum_param(params, "field", FIELD_CHOICES) or Suggestion.Field.BODY
        if field != "all":
            queryset = queryset.filter(field=field)
        status_filter = enum_param(params, "status", Suggestion.Status.values)
        if status_filter is not None:
            queryset = queryset.filter(status=status_filter)
        kind = str_param(params, "kind")
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        revision = int_param(params, "revision")
        if revision is not None:
            queryset = queryset.filter(revision__number=revision)
        queryset = queryset.order_by("revision__number", "-field", "start", "end", "id")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(SuggestionOut(page, many=True).data)


# --- decisions ----------------------------------------------------------------------------------


class DecisionIn(StrictSerializer):
    revision = StrictIntegerField(min_value=1, help_text="The revision number the editor was looking at.")


class AcceptIn(DecisionIn):
    replacement = TextField(required=False, allow_blank=True, max_length=10_000,
                            help_text="Accept with this replacement instead of the suggested one.")


class RejectIn(DecisionIn):
    note = TextField(required=False, allow_blank=True, max_length=500)


CURRENT_STATE = inline_serializer("CurrentState", {
    "article_id": serializers.IntegerField(), "revision": serializers.IntegerField(),
    "text_sha256": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "created_by": serializers.CharField(), "reason": serializers.CharField(), "pending": serializers.IntegerField(),
})
DECISION_OUT = inline_serializer("DecisionOut", {
    "detail": serializers.CharField(), "suggestion": SuggestionOut(), "revision": serializers.IntegerField(),
    "created_revision": serializers.BooleanField(),
})
CONFLICT_OUT = inline_serializer("DecisionConflict", {"detail": serializers.CharField(), "current": CURRENT_STATE})


def _decision_response(outcome: review.Outcome, suggestion_id: int) -> Response:
    suggestion = Suggestion.objects.select_related("revision").defer(*REVISION_BULK).get(pk=suggestion_id)
    return Response({"detail": outcome.message, "suggestion": SuggestionOut(suggestion).data,
                     "revision": outcome.revision.number, "created_revision": outcome.created_revision})


def _conflict(ex: review.StaleRevision | review.AlreadyDecided) -> Response:
    return Response({"detail": str(ex), "current": asdict(ex.current)}, status=status.HTTP_409_CONFLICT)


def _actor(request: Request) -> Actor:
    """The token's client (which acts for its editor) or the session's user."""
    return request.auth if isinstance(request.auth, ApiClient) else request.user


def _decide(request: Request, decide: Any, suggestion_id: int) -> Response:
    get_object_or_404(Suggestion, pk=suggestion_id)
    try:
        outcome = decide()
    except (review.StaleRevision, review.AlreadyDecided) as ex:
        return _conflict(ex)
    except review.InvalidDecision as ex:
        raise UnprocessableFields({"replacement": [str(ex)]}) from None
    return _decision_response(outcome, suggestion_id)


class SuggestionAcceptApi(APIView):
    """An editor accepts a suggestion (optionally with an edited replacement) against the revision
    they saw; 409 with the current state when that revision is no longer current."""

    permission_classes = [IsEditor]

    @extend_schema(request=AcceptIn, responses={200: DECISION_OUT, 409: CONFLICT_OUT, 422: ValidationErrorsOut},
                   operation_id="suggestions_accept")
    def post(self, request: Request, suggestion_id: int) -> Response:
        data = AcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        seen, actor = data.validated_data["revision"], _actor(request)
        if "replacement" in data.validated_data:
            return _decide(request, lambda: review.edit_suggestion(
                suggestion_id=suggestion_id, seen_revision=seen, actor=actor,
                replacement=data.validated_data["replacement"]), suggestion_id)
        return _decide(request, lambda: review.accept_suggestion(
            suggestion_id=suggestion_id, seen_revision=seen, actor=actor), suggestion_id)


class SuggestionRejectApi(APIView):
    """An editor rejects a suggestion against the revision they saw; 409 when it is stale."""

    permission_classes = [IsEditor]

    @extend_schema(request=RejectIn, responses={200: DECISION_OUT, 409: CONFLICT_OUT, 422: ValidationErrorsOut},
                   operation_id="suggestions_reject")
    def post(self, request: Request, suggestion_id: int) -> Response:
        data = RejectIn(data=request.data)
        data.is_valid(raise_exception=True)
        return _decide(request, lambda: review.reject_suggestion(
            suggestion_id=suggestion_id, seen_revision=data.validated_data["revision"],
            actor=_actor(request), note=data.validated_data.get("note", "")), suggestion_id)
