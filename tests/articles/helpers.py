"""Building articles in tests through the domain function, as a client would."""

from __future__ import annotations

from django.db import transaction

from articles.ingest import ArticleData, IngestOutcome, ingest_article
from articles.models import ApiClient, IngestRequest


def ingest(client: ApiClient, *, source: str = "wire", external_id: str = "a-1", title: str = "Title",
           body: str = "Body text.", content_type: str = "text/plain") -> IngestOutcome:
    with transaction.atomic():
        request = IngestRequest.objects.create(client=client, content_type="application/json", body=body.encode())
        return ingest_article(
            client=client,
            data=ArticleData(source=source, external_id=external_id, title=title, body=body, content_type=content_type),
            request=request,
        )
