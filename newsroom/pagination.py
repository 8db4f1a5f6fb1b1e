"""Page-number pagination with a page size clients may choose, clamped to a documented maximum."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.settings import api_settings

from newsroom.query_params import int_param, page_size_param


class PageNumberPagination(pagination.PageNumberPagination):
    """Strict about its parameters: page and page_size are positive whole numbers, given once
    (400 otherwise); page_size is clamped to NEWSROOM_MAX_PAGE_SIZE; a page past the end is 404."""

    page_size_query_param = "page_size"
    last_page_strings = ()

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.NEWSROOM_MAX_PAGE_SIZE)

    def get_page_size(self, request: Request) -> int:
        return page_size_param(request.query_params, self.page_size_query_param,
                               default=api_settings.PAGE_SIZE or 50, maximum=self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return int_param(request.query_params, self.page_query_param, maximum=10**9) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "A page number within the paginated result set; past the last page is 404.",
             "schema": {"type": "integer", "minimum": 1, "maximum": 10**9}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": "Results per page, clamped to NEWSROOM_MAX_PAGE_SIZE (200 by default).",
             "schema": {"type": "integer", "minimum": 1}},
        ]
