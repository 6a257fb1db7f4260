from django.db import migrations


def forwards(apps, schema_editor):
    from credits.seed import seed

    seed(apps.get_model("credits", "Plan"), apps.get_model("credits", "CreditPackage"), apps.get_model("credits", "CreditCost"))


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
