from django.db import migrations


def forwards(apps, schema_editor):
    # Only the new style: re-running the whole seed would put back labels the superadmin edited.
    from studio.seed import STYLES

    ImagePreset = apps.get_model("studio", "ImagePreset")  # noqa: N806
    for order, (key, label, prompt) in enumerate(STYLES):
        if key == "plush":
            ImagePreset.objects.get_or_create(kind="style", key=key, defaults={
                "label": label, "prompt": prompt, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("studio", "0011_alter_generation_kind")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
