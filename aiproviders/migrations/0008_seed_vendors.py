"""Issue 20: ModelsLab, Stability AI, Google Vertex AI (Imagen), DALL-E 3 and Gemini 3.5 Flash
rows (disabled with their providers until a key is pasted), and the brief's cheap defaults on
the rows seeded before: GPT-4o as the premium text model, the identical-request cache on for the
fast text tier. A row the superadmin changed since it was seeded is left alone."""

import os

from django.db import migrations


def forwards(apps, schema_editor):
    from aiproviders.seed import seed
    from modo import crypto

    Provider, AIModel = apps.get_model("aiproviders", "Provider"), apps.get_model("aiproviders", "AIModel")
    AIModel.objects.filter(provider__name="OpenAI", model_id="gpt-4o", priority=20).update(priority=14)
    AIModel.objects.filter(provider__name__in=["OpenAI", "Google"], model_id__in=["gpt-4o-mini", "gemini-2.5-flash"],
                           type="text", tier="fast", cache_ttl_seconds=0).update(cache_ttl_seconds=3600)
    seed(Provider, AIModel, environ=os.environ, encrypt=crypto.encrypt)


class Migration(migrations.Migration):
    dependencies = [("aiproviders", "0007_vendors")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
