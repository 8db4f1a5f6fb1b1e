"""Revisions may never be updated; audit rows may never be updated or deleted.

Enforced by triggers so that no code path (bulk update(), raw SQL from the application's role)
can bypass it.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION newsroom_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER revision_no_update BEFORE UPDATE ON articles_revision
    FOR EACH ROW EXECUTE FUNCTION newsroom_forbid_change();
CREATE TRIGGER auditevent_no_update_delete BEFORE UPDATE OR DELETE ON articles_auditevent
    FOR EACH ROW EXECUTE FUNCTION newsroom_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS auditevent_no_update_delete ON articles_auditevent;
DROP TRIGGER IF EXISTS revision_no_update ON articles_revision;
DROP FUNCTION IF EXISTS newsroom_forbid_change();
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
