"""Indexes for the ops page's throughput (jobs created and finished per interval), built without
locking the outbox: it is written by every ingest."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("corrections", "0006_pipelinejob_failed_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pipelinejob",
            index=models.Index(fields=["created_at"], name="job_created_idx"),
        ),
        AddIndexConcurrently(
            model_name="pipelinejob",
            index=models.Index(fields=["finished_at"], name="job_finished_idx"),
        ),
    ]
