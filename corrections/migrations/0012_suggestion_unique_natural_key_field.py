"""A suggestion's natural key includes its field: a title often opens the body too, and the same
pass then proposes the same change at the same offsets of both.

The new unique index is built concurrently (no lock on writes), then swapped in for the old
constraint in one short statement.
"""

from django.db import migrations, models

BUILD = """
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS suggestion_unique_natural_key_field
    ON corrections_suggestion (revision_id, pass_name, field, start, "end", replacement);
"""
SWAP = """
ALTER TABLE corrections_suggestion
    DROP CONSTRAINT suggestion_unique_natural_key,
    ADD CONSTRAINT suggestion_unique_natural_key_field UNIQUE USING INDEX suggestion_unique_natural_key_field;
"""
UNSWAP_BUILD = """
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS suggestion_unique_natural_key
    ON corrections_suggestion (revision_id, pass_name, start, "end", replacement);
"""
UNSWAP = """
ALTER TABLE corrections_suggestion
    DROP CONSTRAINT suggestion_unique_natural_key_field,
    ADD CONSTRAINT suggestion_unique_natural_key UNIQUE USING INDEX suggestion_unique_natural_key;
"""


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ('corrections', '0011_suggestion_field'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(BUILD, UNSWAP),
                migrations.RunSQL(SWAP, UNSWAP_BUILD),
            ],
            state_operations=[
                migrations.RemoveConstraint(model_name='suggestion', name='suggestion_unique_natural_key'),
                migrations.AddConstraint(
                    model_name='suggestion',
                    constraint=models.UniqueConstraint(
                        fields=('revision', 'pass_name', 'field', 'start', 'end', 'replacement'),
                        name='suggestion_unique_natural_key_field'),
                ),
            ],
        ),
    ]
