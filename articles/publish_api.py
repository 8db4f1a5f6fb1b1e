"""The publishing API: publish and correct, the canonical text, and the feed of publications.

Published versions are meant for downstream systems: any API client or viewer may read the
canonical text and the feed; publishing needs the publisher role.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from articles.api import Conflict, UnprocessableFields
from articles.models import Article, Publication, Revision, Story
from articles.permissions import (
    CanReadArticles,
    IsEditor,
    IsPublisher,
    acting_client,
    required_user,
)
from articles.publish import (
    AlreadyPublished,
    PendingSuggestions,
    PublishRefused,
    Withdrawn,
    publish_revision,
    set_story_canonical,
)
from articles.serializers import CanonicalOut, PublicationOut, PublishIn, StoryCanonicalIn
from articles.wire.ninjs_out import (
    NINJS_FEED_SCHEMA,
    NINJS_ITEM_SCHEMA,
    FormatNegotiation,
    NinjsRenderer,
    ninjs_items,
    wants_ninjs,
)
from newsroom.api_errors import ErrorOut, ValidationErrorsOut
from newsroom.query_params import (
    DATETIME_SCHEMA,
    datetime_param,
    int_param,
    int_schema,
    keyset_page,
    page_size_param,
    page_size_schema,
)


class CanReadPublished(BasePermission):
    message = "Reading publications needs an API token or the viewer role."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return acting_client(request) is not None or CanReadArticles().has_permission(request, view)


def _publications() -> Any:
    return Publication.objects.select_related("revision", "published_by", "corrects", "article__source")


class ArticlePublishApi(APIView):
    permission_classes = [IsPublisher]

    @extend_schema(request=PublishIn, responses={201: CanonicalOut, 409: ErrorOut, 422: ValidationErrorsOut},
                   operation_id="articles_publish")
    def post(self, request: Request, article_id: int) -> Response:
        data = PublishIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Article, pk=article_id)
        try:
            publication = publish_revision(
                article_id=article_id,
                revision_number=data.validated_data["revision"],
                actor=required_user(request),
                confirm_pending=data.validated_data["confirm_pending"],
                correction_note=data.validated_data["correction_note"],
            )
        except Revision.DoesNotExist:
            raise UnprocessableFields({"revision": ["This article has no such revision."]}) from None
        except (PendingSuggestions, AlreadyPublished, Withdrawn) as ex:
            raise Conflict(str(ex)) from None
        except PublishRefused as ex:
            raise exceptions.ValidationError({ex.field: [str(ex)]}) from None
        except PermissionDenied as ex:
            raise exceptions.PermissionDenied(str(ex)) from None
        return Response(CanonicalOut(_publications().get(pk=publication.pk)).data, status=status.HTTP_201_CREATED)


# JSON, or IPTC ninjs 2.2 on Accept: application/ninjs+json or ?format=ninjs (articles.wire.ninjs_out).
PUBLISHED_RENDERERS = [JSONRenderer, NinjsRenderer]


class ArticleCanonicalApi(APIView):
    permission_classes = [CanReadPublished]
    renderer_classes = PUBLISHED_RENDERERS
    content_negotiation_class = FormatNegotiation

    @extend_schema(responses={(200, "application/json"): CanonicalOut, (200, NinjsRenderer.media_type): NINJS_ITEM_SCHEMA,
                              400: ValidationErrorsOut},
                   operation_id="articles_canonical")
    def get(self, request: Request, article_id: int) -> Response:
        publication = _publications().filter(article_id=article_id).order_by("-number").first()
        if publication is None:
            raise exceptions.NotFound("This article has not been published.")
        if wants_ninjs(request):
            return Response(ninjs_items([publication], request)[0])
        return Response(CanonicalOut(publication).data)


class PublicationDetailApi(APIView):
    permission_classes = [CanReadPublished]
    renderer_classes = PUBLISHED_RENDERERS
    content_negotiation_class = FormatNegotiation

    @extend_schema(responses={(200, "application/json"): CanonicalOut, (200, NinjsRenderer.media_type): NINJS_ITEM_SCHEMA,
                              400: ValidationErrorsOut},
                   operation_id="articles_publications_retrieve")
    def get(self, request: Request, article_id: int, number: int) -> Response:
        publication = get_object_or_404(_publications(), article_id=article_id, number=number)
        if wants_ninjs(request):
            return Response(ninjs_items([publication], request)[0])
        return Response(CanonicalOut(publication).data)


FEED = inline_serializer("PublishedFeed", {"results": PublicationOut(many=True), "next": serializers.CharField(allow_null=True)})


class PublishedFeedApi(APIView):
    """Publications in the order they were made, keyset-paginated: follow ``next`` until it is null."""

    permission_classes = [CanReadPublished]
    renderer_classes = PUBLISHED_RENDERERS
    content_negotiation_class = FormatNegotiation

    @extend_schema(
        responses={(200, "application/json"): FEED, (200, NinjsRenderer.media_type): NINJS_FEED_SCHEMA},
        parameters=[
            OpenApiParameter("since", DATETIME_SCHEMA,
                             description="ISO-8601 time with an offset: publications made at or after it."),
            OpenApiParameter("after", int_schema(minimum=0),
                             description="Cursor from `next`: publications after this id."),
            OpenApiParameter("page_size", page_size_schema()),
        ],
        operation_id="published_feed",
    )
    def get(self, request: Request) -> Response:
        queryset = _publications().order_by("id")
        params = request.query_params
        since = datetime_param(params, "since")
        if since is not None:
            queryset = queryset.filter(published_at__gte=since)
        after = int_param(params, "after", minimum=0)
        if after is not None:
            queryset = queryset.filter(id__gt=after)
        size = page_size_param(params, "page_size", default=api_settings.PAGE_SIZE or 50,
                               maximum=settings.NEWSROOM_MAX_PAGE_SIZE)
        page, next_url = keyset_page(request, list(queryset[: size + 1]), size, cursor="after")
        results = ninjs_items(page, request) if wants_ninjs(request) else PublicationOut(page, many=True).data
        return Response({"results": results, "next": next_url})


class StoryCanonicalApi(APIView):
    permission_classes = [IsEditor]

    @extend_schema(request=StoryCanonicalIn, responses={200: inline_serializer(
        "StoryCanonical", {"story": serializers.IntegerField(), "canonical_article": serializers.IntegerField()}),
        422: ValidationErrorsOut}, operation_id="stories_canonical_set")
    def post(self, request: Request, story_id: int) -> Response:
        data = StoryCanonicalIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Story, pk=story_id)
        try:
            story = set_story_canonical(story_id=story_id, article_id=data.validated_data["article"],
                                        actor=required_user(request))
        except Article.DoesNotExist:
            raise UnprocessableFields({"article": ["This article is not a copy of this story."]}) from None
        return Response({"story": story.pk, "canonical_article": story.canonical_article_id})
