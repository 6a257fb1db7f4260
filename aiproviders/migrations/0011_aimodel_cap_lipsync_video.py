import os

from django.db import migrations, models


def offline_lipsync_takes_videos(apps, schema_editor):
    """The offline lip-sync takes a video face: on a database where it exists, it gets the
    capability; on a fresh one the seed creates it now (it skipped it while the field was missing).
    The vendors' lip-sync models (SadTalker: a picture only) keep it off."""
    from aiproviders.seed import seed
    from modo import crypto

    AIModel = apps.get_model("aiproviders", "AIModel")
    AIModel.objects.filter(provider__kind="local", model_id="local-lipsync").update(cap_lipsync_video=True)
    seed(apps.get_model("aiproviders", "Provider"), AIModel, environ=os.environ, encrypt=crypto.encrypt)


class Migration(migrations.Migration):

    dependencies = [
        ("aiproviders", "0010_provider_cost_alert"),
    ]

    operations = [
        migrations.AddField(
            model_name="aimodel",
            name="cap_lipsync_video",
            field=models.BooleanField(default=False, verbose_name="lip-sync from a video"),
        ),
        migrations.RunPython(offline_lipsync_takes_videos, migrations.RunPython.noop),
    ]
