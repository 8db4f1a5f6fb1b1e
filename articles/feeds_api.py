"""The feeds API (admins): register, read, change and poll the feeds newsroom pulls (articles.feeds).

A password is write-only: answers say ``has_password``, never the password.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.feed_addresses import ForbiddenDestination, check_feed_url
from articles.feeds import FeedSettings, create_feed, request_poll, update_feed
from articles.models import Feed
from articles.permissions import IsAdmin, required_user
from articles.serializers import (
    SOURCE_PATTERN,
    FullMatchTextField,
    StrictBooleanField,
    StrictIntegerField,
    StrictSerializer,
    TextField,
)
from newsroom.api_errors import ValidationErrorsOut
from newsroom.pagination import PageNumberPagination

FEED_URL_PATTERN = r"^https?://[^\x00-\x20\x7f]+$"


class FeedIn(StrictSerializer):
    url = FullMatchTextField(max_length=2000, schema_pattern=FEED_URL_PATTERN,
                             message="Enter an http(s) URL without spaces.")
    kind = serializers.ChoiceField(choices=Feed.Kind.choices, default=Feed.Kind.DETECT)
    source = FullMatchTextField(max_length=100, required=False, allow_blank=True, default="",  # type: ignore[assignment]  # a field named "source" shadows Field.source in the stubs
                                schema_pattern=f"{SOURCE_PATTERN}|^$",
                                message="Use letters, digits, '.', '_', ':' or '-', starting with a letter or digit.",
                                help_text="Source slug of the articles; empty: the document's provider, else the host.")
    interval = StrictIntegerField(min_value=30, max_value=7 * 24 * 3600, default=300, help_text="Seconds between polls.")
    is_enabled = StrictBooleanField(default=True)
    username = TextField(max_length=200, required=False, allow_blank=True, default="")
    password = TextField(max_length=500, required=False, allow_blank=True, write_only=True,
                         help_text="HTTP Basic password, stored encrypted and never shown; \"\" removes it.")

    def validate_url(self, value: str) -> str:
        field = serializers.URLField()
        field.run_validators(value)
        try:
            check_feed_url(value)
        except ForbiddenDestination as ex:
            raise serializers.ValidationError(str(ex)) from None
        return value


class FeedOut(serializers.ModelSerializer):
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = Feed
        fields = ["id", "url", "kind", "source", "interval", "is_enabled", "username", "has_password", "status",
                  "last_polled_at", "last_succeeded_at", "last_error", "last_result", "consecutive_failures",
                  "next_poll_at", "articles_taken", "created_at"]

    def get_has_password(self, feed: Feed) -> bool:
        return bool(feed.password_encrypted)


def _settings(data: dict[str, Any], current: Feed | None = None) -> FeedSettings:
    def value(name: str) -> Any:
        return data[name] if name in data else getattr(current, name)

    if current is None:
        return FeedSettings(url=data["url"], kind=data["kind"], source=data["source"], interval=data["interval"],
                            is_enabled=data["is_enabled"], username=data["username"], password=data.get("password"))
    return FeedSettings(url=value("url"), kind=value("kind"), source=value("source"), interval=value("interval"),
                        is_enabled=value("is_enabled"), username=value("username"), password=data.get("password"))


class FeedCollectionApi(APIView):
    """GET lists the feeds with their health, paginated like every list; POST registers one (due at once)."""

    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # for the schema; get() paginates explicitly

    @extend_schema(responses=FeedOut(many=True), operation_id="feeds_list")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(Feed.objects.order_by("id"), request, view=self)
        return paginator.get_paginated_response(FeedOut(page, many=True).data)

    @extend_schema(request=FeedIn, responses={201: FeedOut, 400: ValidationErrorsOut}, operation_id="feeds_create")
    def post(self, request: Request) -> Response:
        data = FeedIn(data=request.data)
        data.is_valid(raise_exception=True)
        feed = create_feed(data=_settings(data.validated_data), actor=required_user(request))
        return Response(FeedOut(feed).data, status=status.HTTP_201_CREATED)


class FeedDetailApi(APIView):
    """GET one feed; PATCH changes the fields given (``is_enabled: false`` disables it)."""

    permission_classes = [IsAdmin]

    @extend_schema(responses=FeedOut, operation_id="feeds_retrieve")
    def get(self, request: Request, feed_id: int) -> Response:
        return Response(FeedOut(get_object_or_404(Feed, pk=feed_id)).data)

    @extend_schema(request=FeedIn(partial=True), responses={200: FeedOut, 400: ValidationErrorsOut},
                   operation_id="feeds_update")
    def patch(self, request: Request, feed_id: int) -> Response:
        feed = get_object_or_404(Feed, pk=feed_id)
        data = FeedIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        feed = update_feed(feed_id=feed.pk, data=_settings(data.validated_data, feed), actor=required_user(request))
        return Response(FeedOut(feed).data)


class FeedPollApi(APIView):
    """POST makes the feed due now: the next beat tick polls it."""

    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses={202: FeedOut}, operation_id="feeds_poll")
    def post(self, request: Request, feed_id: int) -> Response:
        get_object_or_404(Feed, pk=feed_id)
        feed = request_poll(feed_id=feed_id, actor=required_user(request))
        return Response(FeedOut(feed).data, status=status.HTTP_202_ACCEPTED)
