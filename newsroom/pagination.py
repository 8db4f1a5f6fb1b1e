"""Page-number pagination with a page size clients may choose, clamped to a documented maximum."""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(settings.NEWSROOM_MAX_PAGE_SIZE)
