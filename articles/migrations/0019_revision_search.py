"""The desk's search vector of a revision moves out of the revision row (and out of the ingest).

0007's generated column made every revision INSERT parse its text with to_tsvector: for a batch of
500 articles of 5 KB, most of the time the whole ingest took. The vector now lives in
articles_revisionsearch, written after the revision: a revision a client sent by its pipeline job
(articles.search.index_revision), every other revision (editors, auto-apply) by the trigger below
as it is inserted. The vectors stored so far are copied over before the column goes.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The expression SearchVector("text", config="english") emitted for the generated column.
VECTOR = "to_tsvector('english'::regconfig, COALESCE(NEW.text, ''))"

COPY = """
INSERT INTO articles_revisionsearch (revision_id, article_id, vector)
SELECT id, article_id, search_vector FROM articles_revision;
"""

TRIGGER = f"""
CREATE FUNCTION newsroom_index_revision() RETURNS trigger AS $$
BEGIN
    INSERT INTO articles_revisionsearch (revision_id, article_id, vector)
    VALUES (NEW.id, NEW.article_id, {VECTOR})
    ON CONFLICT (revision_id) DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A client's revision is indexed by its pipeline job, outside the ingest request.
CREATE TRIGGER revision_search_index AFTER INSERT ON articles_revision
    FOR EACH ROW WHEN (NEW.ingest_request_id IS NULL) EXECUTE FUNCTION newsroom_index_revision();
"""

DROP_TRIGGER = """
DROP TRIGGER revision_search_index ON articles_revision;
DROP FUNCTION newsroom_index_revision();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0018_article_withdrawn'),
    ]

    operations = [
        migrations.CreateModel(
            name='RevisionSearch',
            fields=[
                ('revision', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search', serialize=False, to='articles.revision')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
                ('vector', django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['vector'], name='revisionsearch_vector_idx')],
            },
        ),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name='revision',
            name='revision_search_vector_idx',
        ),
        migrations.RemoveField(
            model_name='revision',
            name='search_vector',
        ),
        migrations.RunSQL(TRIGGER, DROP_TRIGGER),
    ]
