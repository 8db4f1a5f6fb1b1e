"""Revisions are append-only again without exception: with the title required, the backfill's
one allowed UPDATE (0014) cannot happen any more, and the plain trigger says so. This is 0014
backwards (and its reverse 0014 forwards), so the SQL is 0014's own."""

from importlib import import_module

from django.db import migrations

fill_trigger = import_module("articles.migrations.0014_revision_title_fill_trigger")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0016_revision_title_required'),
    ]

    operations = [migrations.RunSQL(fill_trigger.STRICT, fill_trigger.FILL_ONLY)]
