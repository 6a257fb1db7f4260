from django.db import migrations

from studio.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("studio", "ImagePreset"))


class Migration(migrations.Migration):
    dependencies = [("studio", "0003_visual_generation")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
