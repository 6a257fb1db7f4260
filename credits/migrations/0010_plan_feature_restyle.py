from django.db import migrations, models


def restyle_for_every_plan(apps, schema_editor):
    # Restyle had no flag of its own: every plan could restyle (every plan generates images, and
    # no plan flag gates images). No customer loses it: every existing plan gets the flag on.
    apps.get_model("credits", "Plan").objects.update(feature_restyle=True)


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0009_hold_account_open_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="feature_restyle",
            field=models.BooleanField(default=False, verbose_name="restyle"),
        ),
        migrations.RunPython(restyle_for_every_plan, migrations.RunPython.noop),
    ]
