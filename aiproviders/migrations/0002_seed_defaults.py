import os

from django.db import migrations


def forwards(apps, schema_editor):
    from aiproviders.seed import seed
    from modo import crypto

    seed(apps.get_model("aiproviders", "Provider"), apps.get_model("aiproviders", "AIModel"),
         environ=os.environ, encrypt=crypto.encrypt)


class Migration(migrations.Migration):
    dependencies = [("aiproviders", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
