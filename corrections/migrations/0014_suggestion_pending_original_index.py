"""Find the pending suggestions that make one change quickly (corrections.bulk), by a hash of the
original (a whole paragraph is too long for a btree entry); built without locking writes."""

import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ('corrections', '0013_bulk_decision'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='suggestion',
            index=models.Index(django.db.models.functions.text.MD5('original'),
                               condition=models.Q(('status', 'pending')), name='suggestion_pending_orig_idx'),
        ),
    ]
