import os

from django.db import migrations


def forwards(apps, schema_editor):
    # The seed skipped the upscale models while AIModel had no cap_upscale (0002); it creates them
    # now, and changes nothing that exists.
    from aiproviders.seed import seed
    from modo import crypto

    seed(apps.get_model("aiproviders", "Provider"), apps.get_model("aiproviders", "AIModel"),
         environ=os.environ, encrypt=crypto.encrypt)


class Migration(migrations.Migration):
    dependencies = [("aiproviders", "0005_aimodel_cap_upscale")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
