"""Index the stored tsvector and drop the expression index it replaces, without locking writes."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [("articles", "0007_revision_search_vector")]

    operations = [
        AddIndexConcurrently(
            model_name="revision",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="revision_search_vector_idx"),
        ),
        RemoveIndexConcurrently(model_name="revision", name="revision_text_search_idx"),
    ]
