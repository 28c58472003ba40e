import datetime

from django.db import migrations

# The service-time targets the office announced (minutes from arrival to the end of service).
ANNOUNCED = {"contribution": 45, "sickness": 45, "invalidity": 40, "child_allowance": 30}


def load_targets(apps, schema_editor):
    ServiceTarget = apps.get_model("queueing", "ServiceTarget")
    for kind, minutes in ANNOUNCED.items():
        ServiceTarget.objects.get_or_create(
            kind=kind, valid_from=datetime.date(2007, 1, 1), defaults={"minutes": minutes}
        )


class Migration(migrations.Migration):
    dependencies = [("queueing", "0001_initial")]

    operations = [migrations.RunPython(load_targets, migrations.RunPython.noop)]
