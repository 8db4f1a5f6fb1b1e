"""Fill each existing revision's title (step 2 of 3).

Before this, only the article kept a title, overwritten by every re-send. The best record of the
title a revision was made with:

1. a revision the client sent: the ``title`` of its own request, read from the raw bytes kept in
   IngestRequest (the item ``ingest_index`` of a batch), so that revision 1 gets its title exactly
   as received even when a later re-send changed the article's;
2. a revision made on the desk (or a request whose bytes retention removed, or that was not JSON,
   such as a file ingested from the command line): the title of the revision before it;
3. failing both, the article's title.

Batches of revisions, each in its own transaction, so that the table is never locked for long.
"""

import json

from django.db import migrations, transaction

BATCH = 500


def _requested_title(body, index):
    try:
        data = json.loads(bytes(body).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if index is not None:
        items = data.get("articles") if isinstance(data, dict) else None
        data = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else None


def fill_titles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Revision = apps.get_model("articles", "Revision")
    IngestRequest = apps.get_model("articles", "IngestRequest")
    after = 0
    while True:
        article_ids = list(
            Revision.objects.filter(title__isnull=True, article_id__gt=after)
            .order_by("article_id").values_list("article_id", flat=True).distinct()[:BATCH]
        )
        if not article_ids:
            return
        after = article_ids[-1]
        with transaction.atomic():
            titles = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "title"))
            revisions = list(
                Revision.objects.filter(article_id__in=article_ids).order_by("article_id", "number")
                .only("id", "article_id", "number", "title", "ingest_request_id", "ingest_index")
            )
            request_ids = {r.ingest_request_id for r in revisions if r.ingest_request_id and r.title is None}
            bodies = {
                pk: (content_type, body)
                for pk, content_type, body in IngestRequest.objects.filter(pk__in=request_ids)
                .values_list("pk", "content_type", "body")
            }
            filled = []
            previous = {}
            for revision in revisions:
                title = revision.title
                if title is None and revision.ingest_request_id in bodies:
                    content_type, body = bodies[revision.ingest_request_id]
                    if body and "json" in content_type.lower():
                        title = _requested_title(body, revision.ingest_index)
                if title is None:
                    title = previous.get(revision.article_id) or titles[revision.article_id]
                if revision.title is None:
                    revision.title = title
                    filled.append(revision)
                previous[revision.article_id] = title
            Revision.objects.bulk_update(filled, ["title"], batch_size=BATCH)


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch (see fill_titles)

    dependencies = [
        ('articles', '0014_revision_title_fill_trigger'),
    ]

    operations = [migrations.RunPython(fill_titles, migrations.RunPython.noop)]
