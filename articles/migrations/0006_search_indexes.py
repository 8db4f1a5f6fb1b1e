"""Full-text search indexes for the desk's queue search, built without locking writes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("articles", "0005_publication_append_only")]

    operations = [
        AddIndexConcurrently(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", config="english"),
                name="article_title_search_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="revision",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("text", config="english"),
                name="revision_text_search_idx",
            ),
        ),
    ]
