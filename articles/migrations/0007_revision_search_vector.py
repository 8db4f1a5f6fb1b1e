"""Store each revision's tsvector: searches that match most texts no longer re-parse them all."""

import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector("text", config="english"),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
    ]
