"""The failed jobs' own small index (ops page, /metrics), built without locking the outbox."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("corrections", "0005_suggestion_applied_replacement_db_default"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pipelinejob",
            index=models.Index(
                condition=models.Q(("state", "failed")), fields=["-finished_at"], name="job_failed_idx"
            ),
        ),
    ]
