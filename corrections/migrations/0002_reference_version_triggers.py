"""Bump the reference version whenever the gazetteer, style rules or suppressions change.

Statement-level triggers catch every write, bulk ones included, so workers always notice.
"""

from django.db import migrations

TABLES = ["corrections_entity", "corrections_alias", "corrections_stylerule", "corrections_suppression"]

FUNCTION = """
CREATE OR REPLACE FUNCTION newsroom_bump_reference_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO corrections_referenceversion (id, version) VALUES (1, 2)
    ON CONFLICT (id) DO UPDATE SET version = corrections_referenceversion.version + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = "\n".join(
    f"CREATE TRIGGER {table}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION newsroom_bump_reference_version();"
    for table in TABLES
)

DROP = "\n".join(f"DROP TRIGGER IF EXISTS {table}_bump_version ON {table};" for table in TABLES) + (
    "\nDROP FUNCTION IF EXISTS newsroom_bump_reference_version();"
)


class Migration(migrations.Migration):
    dependencies = [("corrections", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, DROP)]
