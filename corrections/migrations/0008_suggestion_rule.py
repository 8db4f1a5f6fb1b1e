"""Suggestion.rule: the reference row or pattern behind a suggestion, as its pass names it.

Empty for the rows stored before (and for suggestions no single rule decides). A database default
makes the column's addition instant: no table rewrite, no backfill.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("corrections", "0007_pipelinejob_throughput_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="rule",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
    ]
