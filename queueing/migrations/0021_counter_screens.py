# A counter's own public screens (issue 18): its display and its satisfaction tablet.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_devices"),
        ("queueing", "0020_ticket_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="counter",
            name="display",
            field=models.OneToOneField(blank=True, limit_choices_to={"kind": "counter_display"}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="counter_shown", to="core.device", verbose_name="counter display"),
        ),
        migrations.AddField(
            model_name="counter",
            name="tablet",
            field=models.OneToOneField(blank=True, limit_choices_to={"kind": "satisfaction"}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="counter_rated", to="core.device", verbose_name="satisfaction tablet"),
        ),
        migrations.AddField(
            model_name="historicalcounter",
            name="display",
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={"kind": "counter_display"}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="core.device", verbose_name="counter display"),
        ),
        migrations.AddField(
            model_name="historicalcounter",
            name="tablet",
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={"kind": "satisfaction"}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="core.device", verbose_name="satisfaction tablet"),
        ),
    ]  # fmt: skip
