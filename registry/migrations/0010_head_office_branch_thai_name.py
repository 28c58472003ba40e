"""A head office's branch was named in the language of whoever registered the employer (the
demo data's and the API's in English: "Head office"); the branch's name is Thai data, as on
form SSO 1-10: สำนักงานใหญ่ (issue 15, part 4)."""

from django.db import migrations

HEAD_OFFICE_TH = "สำนักงานใหญ่"


def head_offices_in_thai(apps, schema_editor):
    Branch = apps.get_model("registry", "Branch")
    Branch.objects.filter(number="000000", name="Head office").update(name=HEAD_OFFICE_TH)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_person_read_via_payment")]

    operations = [migrations.RunPython(head_offices_in_thai, migrations.RunPython.noop)]
