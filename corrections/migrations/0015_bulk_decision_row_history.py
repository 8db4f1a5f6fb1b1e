"""Record every change to the decisions across articles in the row history, like the suggestions
they decide (the statement-level triggers of articles 0011)."""

from importlib import import_module

from django.db import migrations

per_statement = import_module("articles.migrations.0011_row_history_per_statement")

TABLES = ["corrections_bulkdecision", "corrections_bulkdecisionarticle"]

TRIGGERS = "\n".join(
    f"CREATE TRIGGER {table}_history_{event.lower()} AFTER {event} ON {table} {transition} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION newsroom_record_row_changes();"
    for table in TABLES
    for event, transition in per_statement.TRANSITIONS.items()
)
DROP = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_history_{event.lower()} ON {table};"
    for table in TABLES
    for event in per_statement.TRANSITIONS
)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_row_history_per_statement'),
        ('corrections', '0014_suggestion_pending_original_index'),
    ]

    operations = [migrations.RunSQL(TRIGGERS, DROP)]
