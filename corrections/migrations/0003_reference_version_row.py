from django.db import migrations


def create_row(apps, schema_editor):
    ReferenceVersion = apps.get_model("corrections", "ReferenceVersion")
    ReferenceVersion.objects.get_or_create(pk=1, defaults={"version": 1})


class Migration(migrations.Migration):
    dependencies = [("corrections", "0002_reference_version_triggers")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
