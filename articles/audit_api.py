"""GET /api/v1/audit/: the audit trail for editors, filtered and keyset-paginated."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import AuditEvent
from articles.permissions import IsEditor


class AuditEventOut(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "actor_type", "actor_id", "actor_label", "object_type", "object_id",
                  "article_id", "revision_number", "before_sha256", "after_sha256", "request_id", "detail"]


def filtered_events(params: Mapping[str, str]) -> QuerySet[AuditEvent]:
    """Audit rows filtered by article id, actor (label or id) and action (prefix), newest first."""
    queryset = AuditEvent.objects.order_by("-id")
    article = params.get("article")
    if article:
        if not article.isdigit():
            raise exceptions.ValidationError({"article": ["Must be an article id."]})
        queryset = queryset.filter(article_id=int(article))
    actor = params.get("actor")
    if actor:
        queryset = queryset.filter(actor_label__icontains=actor)
    action = params.get("action")
    if action:
        queryset = queryset.filter(action__startswith=action)
    before = params.get("before")
    if before:
        if not before.isdigit():
            raise exceptions.ValidationError({"before": ["Must be the cursor from `next`."]})
        queryset = queryset.filter(id__lt=int(before))
    return queryset


class AuditListApi(APIView):
    permission_classes = [IsEditor]

    @extend_schema(
        responses=inline_serializer("AuditPage", {"results": AuditEventOut(many=True),
                                                  "next": serializers.CharField(allow_null=True)}),
        parameters=[OpenApiParameter("article", int), OpenApiParameter("actor", str),
                    OpenApiParameter("action", str, description="action or its prefix, e.g. 'suggestion.'"),
                    OpenApiParameter("before", int, description="cursor from `next`"), OpenApiParameter("page_size", int)],
        operation_id="audit_list",
    )
    def get(self, request: Request) -> Response:
        queryset = filtered_events(request.query_params)
        raw_size = request.query_params.get("page_size", "50")
        if not raw_size.isdigit() or int(raw_size) < 1:
            raise exceptions.ValidationError({"page_size": ["Must be a positive whole number."]})
        size = min(int(raw_size), settings.NEWSROOM_MAX_PAGE_SIZE)
        rows = list(queryset[: size + 1])
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            params = request.query_params.copy()
            params["before"] = str(rows[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"results": AuditEventOut(rows, many=True).data, "next": next_url})
