"""The desk's full-text search of revision texts: the vectors it reads (articles.models.RevisionSearch).

A revision a client sent is indexed by its pipeline job (``index_revision``, before the passes),
not in the ingest request: parsing 5 KB of text for the search cost more than storing the article.
Every other revision is indexed by a trigger as it is inserted (migration 0019). Until its job has
run, a fresh copy is found by its title alone.
"""

from __future__ import annotations

from django.db import connection

# What SearchVector("text", config="english") emits, as migration 0019's trigger writes it.
_INDEX = """
INSERT INTO articles_revisionsearch (revision_id, article_id, vector)
SELECT id, article_id, to_tsvector('english'::regconfig, COALESCE(text, ''))
  FROM articles_revision WHERE id = %s
ON CONFLICT (revision_id) DO NOTHING
"""


def index_revision(revision_id: int) -> None:
    """Make the revision's text findable by the desk's search; once (a re-run does nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(_INDEX, [revision_id])
