"""Every revision has a title (step 3 of 3).

SET NOT NULL alone would scan the whole table under an exclusive lock. A NOT VALID check is added
first and validated under a lock that lets writes through; PostgreSQL then trusts it for SET NOT
NULL and skips the scan.
"""

from django.db import migrations, models

REQUIRE = """
ALTER TABLE articles_revision ADD CONSTRAINT revision_title_not_null CHECK (title IS NOT NULL) NOT VALID;
ALTER TABLE articles_revision VALIDATE CONSTRAINT revision_title_not_null;
ALTER TABLE articles_revision ALTER COLUMN title SET NOT NULL;
ALTER TABLE articles_revision DROP CONSTRAINT revision_title_not_null;
"""

ALLOW_NULL = "ALTER TABLE articles_revision ALTER COLUMN title DROP NOT NULL;"


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0015_revision_title_backfill'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(REQUIRE, ALLOW_NULL)],
            state_operations=[
                migrations.AlterField(model_name='revision', name='title', field=models.TextField()),
            ],
        ),
    ]
