"""Publications are immutable: no UPDATE, no DELETE, whoever asks (see 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_publication")]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER publication_no_update_delete BEFORE UPDATE OR DELETE ON articles_publication "
            "FOR EACH ROW EXECUTE FUNCTION newsroom_forbid_change();",
            "DROP TRIGGER IF EXISTS publication_no_update_delete ON articles_publication;",
        )
    ]
