"""Let the backfill set a revision's missing title, and nothing else.

Revisions are append-only (0002's trigger refuses every UPDATE). Rather than switch the trigger
off while the backfill runs, which would need an exclusive lock on the table and leave a window in
which any change goes through, the trigger now allows exactly one kind of UPDATE: a NULL title
becoming a title, with every other column unchanged. Once 0016 makes the title required, that
branch can never match again, and 0017 puts the plain trigger back.
"""

from django.db import migrations

FILL_ONLY = """
CREATE OR REPLACE FUNCTION newsroom_revision_fill_title_only() RETURNS trigger AS $$
BEGIN
    IF OLD.title IS NULL AND NEW.title IS NOT NULL
       -- search_vector is generated from text: a BEFORE trigger sees it as NULL in NEW.
       AND to_jsonb(NEW) - 'title' - 'search_vector' = to_jsonb(OLD) - 'title' - 'search_vector' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'rows of % are append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER revision_no_update ON articles_revision;
CREATE TRIGGER revision_no_update BEFORE UPDATE ON articles_revision
    FOR EACH ROW EXECUTE FUNCTION newsroom_revision_fill_title_only();
"""

STRICT = """
DROP TRIGGER revision_no_update ON articles_revision;
CREATE TRIGGER revision_no_update BEFORE UPDATE ON articles_revision
    FOR EACH ROW EXECUTE FUNCTION newsroom_forbid_change();
DROP FUNCTION newsroom_revision_fill_title_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0013_revision_title'),
    ]

    operations = [migrations.RunSQL(FILL_ONLY, STRICT)]
