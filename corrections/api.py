"""The corrections API: suggestions of an article."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.permissions import CanReadArticles, visible_articles
from corrections.models import Suggestion
from corrections.serializers import SuggestionOut
from newsroom.pagination import PageNumberPagination


class SuggestionListApi(APIView):
    permission_classes = [CanReadArticles]

    @extend_schema(
        responses=SuggestionOut(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=Suggestion.Status.values),
            OpenApiParameter("kind", str),
            OpenApiParameter("revision", int),
        ],
        operation_id="articles_suggestions_list",
    )
    def get(self, request: Request, article_id: int) -> Response:
        article = get_object_or_404(visible_articles(request), pk=article_id)
        queryset = Suggestion.objects.filter(revision__article=article).select_related("revision")
        status_filter = request.query_params.get("status")
        if status_filter:
            if status_filter not in Suggestion.Status.values:
                raise exceptions.ValidationError({"status": [f"Must be one of {', '.join(Suggestion.Status.values)}."]})
            queryset = queryset.filter(status=status_filter)
        if request.query_params.get("kind"):
            queryset = queryset.filter(kind=request.query_params["kind"])
        revision = request.query_params.get("revision")
        if revision:
            if not revision.isdigit():
                raise exceptions.ValidationError({"revision": ["Must be a whole number."]})
            queryset = queryset.filter(revision__number=int(revision))
        queryset = queryset.order_by("revision__number", "start", "end", "id")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(SuggestionOut(page, many=True).data)
