# The document checklists as a dated rule table (issue 16): each row has valid_from/valid_to
# like the other rule tables; the rows there were (and their history) hold from 1 January 1991,
# the start the other benefit rules' seed rows use, with an open end.

import datetime

from django.db import migrations, models

START = datetime.date(1991, 1, 1)


def forwards(apps, schema_editor):
    for name in ("DocumentRequirement", "HistoricalDocumentRequirement"):
        apps.get_model("benefits", name).objects.filter(valid_from__isnull=True).update(valid_from=START)


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0009_medical_processes"),
    ]

    operations = [
        *[
            operation
            for model in ("documentrequirement", "historicaldocumentrequirement")
            for operation in (
                migrations.AddField(
                    model_name=model,
                    name="valid_from",
                    field=models.DateField(null=True, verbose_name="valid from"),
                ),
                migrations.AddField(
                    model_name=model,
                    name="valid_to",
                    field=models.DateField(blank=True, null=True, verbose_name="valid to"),
                ),
                migrations.AddField(
                    model_name=model,
                    name="note",
                    field=models.CharField(blank=True, max_length=300, verbose_name="source or reason"),
                ),
            )
        ],
        migrations.RunPython(forwards, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name=model,
                name="valid_from",
                field=models.DateField(verbose_name="valid from"),
            )
            for model in ("documentrequirement", "historicaldocumentrequirement")
        ],
        migrations.RemoveConstraint(
            model_name="documentrequirement",
            name="document_requirement_once",
        ),
        migrations.AddConstraint(
            model_name="documentrequirement",
            constraint=models.UniqueConstraint(
                fields=("benefit", "code", "valid_from"), name="document_requirement_once"
            ),
        ),
        migrations.AlterModelOptions(
            name="documentrequirement",
            options={
                "ordering": ["benefit", "order", "code", "-valid_from"],
                "verbose_name": "document requirement",
                "verbose_name_plural": "document requirements",
            },
        ),
    ]
