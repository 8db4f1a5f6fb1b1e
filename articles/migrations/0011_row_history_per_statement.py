"""Row history written once per statement: statement-level triggers with transition tables.

0009's triggers ran once per row, so a batch of 500 articles paid 500 trigger calls and 500
single-row INSERTs into articles_rowchange per table it touched. These triggers run once per
statement and write the same rows (one per inserted, updated or deleted row, with the same
columns, hashes and request/job context) with a single INSERT ... SELECT over the statement's
transition tables. An UPDATE that changes nothing in a row still leaves no row (the row-level
``WHEN (OLD.* IS DISTINCT FROM NEW.*)`` becomes a filter on the joined transition tables).

Transition tables are allowed only on triggers for one event, hence three triggers per table.
"""

from importlib import import_module

from django.db import migrations

row_level = import_module("articles.migrations.0009_row_history")

FUNCTION = r"""
CREATE OR REPLACE FUNCTION newsroom_record_row_changes() RETURNS trigger AS $$
DECLARE
    v_request_id text := coalesce(current_setting('newsroom.request_id', true), '');
    v_actor text := coalesce(current_setting('newsroom.actor', true), '');
    v_program text := left(coalesce(current_setting('application_name', true), ''), 63);
    v_transaction bigint := txid_current();
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO articles_rowchange (at, table_name, operation, row_id, changed_columns,
                                        before_sha256, after_sha256, request_id, actor,
                                        application_name, db_user, transaction_id)
        SELECT clock_timestamp(), TG_TABLE_NAME, TG_OP, n.id, '[]'::jsonb,
               '', encode(sha256(convert_to(n.doc::text, 'UTF8')), 'hex'),
               v_request_id, v_actor, v_program, current_user, v_transaction
          FROM (SELECT (to_jsonb(r) ->> 'id')::bigint AS id, to_jsonb(r) AS doc
                  FROM newsroom_new_rows AS r) AS n
         ORDER BY n.id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO articles_rowchange (at, table_name, operation, row_id, changed_columns,
                                        before_sha256, after_sha256, request_id, actor,
                                        application_name, db_user, transaction_id)
        SELECT clock_timestamp(), TG_TABLE_NAME, TG_OP, o.id, '[]'::jsonb,
               encode(sha256(convert_to(o.doc::text, 'UTF8')), 'hex'), '',
               v_request_id, v_actor, v_program, current_user, v_transaction
          FROM (SELECT (to_jsonb(r) ->> 'id')::bigint AS id, to_jsonb(r) AS doc
                  FROM newsroom_old_rows AS r) AS o
         ORDER BY o.id;
    ELSE
        -- Old and new rows meet by id; a row whose id changed shows as its two halves.
        INSERT INTO articles_rowchange (at, table_name, operation, row_id, changed_columns,
                                        before_sha256, after_sha256, request_id, actor,
                                        application_name, db_user, transaction_id)
        SELECT clock_timestamp(), TG_TABLE_NAME, TG_OP, coalesce(n.id, o.id),
               (SELECT coalesce(jsonb_agg(k.key ORDER BY k.key), '[]'::jsonb)
                  FROM jsonb_each(coalesce(n.doc, o.doc)) AS k
                 WHERE o.doc IS NULL OR n.doc IS NULL OR k.value IS DISTINCT FROM o.doc -> k.key),
               coalesce(encode(sha256(convert_to(o.doc::text, 'UTF8')), 'hex'), ''),
               coalesce(encode(sha256(convert_to(n.doc::text, 'UTF8')), 'hex'), ''),
               v_request_id, v_actor, v_program, current_user, v_transaction
          FROM (SELECT (to_jsonb(r) ->> 'id')::bigint AS id, to_jsonb(r) AS doc
                  FROM newsroom_old_rows AS r) AS o
          FULL JOIN (SELECT (to_jsonb(r) ->> 'id')::bigint AS id, to_jsonb(r) AS doc
                       FROM newsroom_new_rows AS r) AS n ON n.id = o.id
         WHERE o.doc IS DISTINCT FROM n.doc
         ORDER BY coalesce(n.id, o.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS newsroom_new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS newsroom_old_rows NEW TABLE AS newsroom_new_rows",
    "DELETE": "REFERENCING OLD TABLE AS newsroom_old_rows",
}


def _drop_row_level() -> str:
    statements = []
    for table in row_level.TRACKED:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_row_history ON {table};")
        statements.append(f"DROP TRIGGER IF EXISTS {table}_row_history_update ON {table};")
    statements.append("DROP FUNCTION IF EXISTS newsroom_record_row_change();")
    return "\n".join(statements)


def _statement_triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER {table}_history_{event.lower()} AFTER {event} ON {table} {transition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION newsroom_record_row_changes();"
        for table in row_level.TRACKED
        for event, transition in TRANSITIONS.items()
    )


def _drop_statement_level() -> str:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_history_{event.lower()} ON {table};"
        for table in row_level.TRACKED
        for event in TRANSITIONS
    ]
    statements.append("DROP FUNCTION IF EXISTS newsroom_record_row_changes();")
    return "\n".join(statements)


def _restore_row_level() -> str:
    # Exactly 0009's function and per-row triggers (the append-only trigger on the history stays).
    triggers = [line for line in row_level._triggers().splitlines() if "rowchange_no_update_delete" not in line]
    return row_level.FUNCTION + "\n".join(triggers)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0010_retention"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION + _drop_row_level() + "\n" + _statement_triggers(),
            _drop_statement_level() + "\n" + _restore_row_level(),
        ),
    ]
