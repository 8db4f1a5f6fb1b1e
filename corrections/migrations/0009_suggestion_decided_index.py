"""The decided suggestions by decision time, for pass quality; built without locking the table
(the largest there is: every pass writes to it)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("corrections", "0008_suggestion_rule"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="suggestion",
            index=models.Index(
                condition=models.Q(("status__in", ["accepted", "rejected"])), fields=["decided_at"],
                name="suggestion_decided_idx",
            ),
        ),
    ]
