"""Each revision carries its own title (step 1 of 3: the column, nullable; 0015 fills it, 0016
makes it required)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_feed'),
    ]

    operations = [
        migrations.AddField(
            model_name='revision',
            name='title',
            field=models.TextField(null=True),
        ),
    ]
