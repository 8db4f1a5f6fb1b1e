"""GET /api/v1/audit/: the audit trail for editors, filtered and keyset-paginated."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import AuditEvent
from articles.permissions import IsEditor
from newsroom.query_params import (
    STR_SCHEMA,
    int_param,
    int_schema,
    keyset_page,
    page_size_param,
    page_size_schema,
    str_param,
)


class AuditEventOut(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "actor_type", "actor_id", "actor_label", "object_type", "object_id",
                  "article_id", "revision_number", "before_sha256", "after_sha256", "request_id", "detail"]


def filtered_events(params: Mapping[str, str]) -> QuerySet[AuditEvent]:
    """Audit rows filtered by article id, actor (label or id) and action (prefix), newest first."""
    queryset = AuditEvent.objects.order_by("-id")
    article = int_param(params, "article")
    if article is not None:
        queryset = queryset.filter(article_id=article)
    actor = str_param(params, "actor")
    if actor:
        queryset = queryset.filter(actor_label__icontains=actor)
    action = str_param(params, "action")
    if action:
        queryset = queryset.filter(action__startswith=action)
    before = int_param(params, "before", minimum=0)
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    return queryset


class AuditListApi(APIView):
    permission_classes = [IsEditor]

    @extend_schema(
        responses=inline_serializer("AuditPage", {"results": AuditEventOut(many=True),
                                                  "next": serializers.CharField(allow_null=True)}),
        parameters=[OpenApiParameter("article", int_schema()), OpenApiParameter("actor", STR_SCHEMA),
                    OpenApiParameter("action", STR_SCHEMA, description="action or its prefix, e.g. 'suggestion.'"),
                    OpenApiParameter("before", int_schema(minimum=0), description="cursor from `next`"),
                    OpenApiParameter("page_size", page_size_schema())],
        operation_id="audit_list",
    )
    def get(self, request: Request) -> Response:
        queryset = filtered_events(request.query_params)
        size = page_size_param(request.query_params, "page_size", default=50, maximum=settings.NEWSROOM_MAX_PAGE_SIZE)
        rows = list(queryset[: size + 1])
        rows, next_url = keyset_page(request, rows, size, cursor="before")
        return Response({"results": AuditEventOut(rows, many=True).data, "next": next_url})
