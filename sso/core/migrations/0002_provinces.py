import csv
from pathlib import Path

from django.db import migrations

PROVINCES = Path(__file__).resolve().parent.parent / "data" / "provinces.csv"


def load_provinces(apps, schema_editor):
    Province = apps.get_model("core", "Province")
    with PROVINCES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Province.objects.update_or_create(
                code=row["code"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load_provinces, migrations.RunPython.noop)]
