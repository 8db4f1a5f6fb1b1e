"""Suggestions say what their offsets point into: the revision's body (every existing row) or its
title. A constant default is only catalogue work for PostgreSQL (no rewrite of the table); the
check is added NOT VALID and validated after, under a lock that lets writes through."""

from django.db import migrations, models

CHECK = """
ALTER TABLE corrections_suggestion ADD CONSTRAINT suggestion_field_valid
    CHECK (field IN ('body', 'title')) NOT VALID;
ALTER TABLE corrections_suggestion VALIDATE CONSTRAINT suggestion_field_valid;
"""
NO_CHECK = "ALTER TABLE corrections_suggestion DROP CONSTRAINT suggestion_field_valid;"


class Migration(migrations.Migration):

    dependencies = [
        ('corrections', '0010_passrun_stop_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='suggestion',
            name='field',
            field=models.CharField(choices=[('body', 'Body'), ('title', 'Title')], db_default='body',
                                   default='body', max_length=5),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(CHECK, NO_CHECK)],
            state_operations=[
                migrations.AddConstraint(
                    model_name='suggestion',
                    constraint=models.CheckConstraint(condition=models.Q(('field__in', ['body', 'title'])),
                                                      name='suggestion_field_valid'),
                ),
            ],
        ),
    ]
