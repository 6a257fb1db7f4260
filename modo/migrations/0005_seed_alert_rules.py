from django.db import migrations


def seed(apps, schema_editor):
    from modo.alerts import DEFAULT_RULES

    AlertRule = apps.get_model("modo", "AlertRule")
    for kind, (threshold, minutes) in DEFAULT_RULES.items():
        AlertRule.objects.get_or_create(kind=kind, defaults={"threshold": threshold, "window_minutes": minutes})


class Migration(migrations.Migration):
    dependencies = [("modo", "0004_alerts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
