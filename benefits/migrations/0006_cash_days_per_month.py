"""The days of a month of cash benefit, a figure the rules had written as 30 in code: now a
dated parameter like every other (issue 15). The back office's maternity days read
`maternity.cash_days`, already a row."""

import datetime
from decimal import Decimal

from django.db import migrations

START = datetime.date(1991, 1, 1)
NOTE = "not in the facts file: SSO practice, a month of cash benefit is 30 days' wage"


def seed(apps, schema_editor):
    BenefitParameter = apps.get_model("benefits", "BenefitParameter")
    BenefitParameter.objects.update_or_create(
        key="cash.days_per_month", valid_from=START, defaults={"value": Decimal(30), "note": NOTE}
    )


def unseed(apps, schema_editor):
    apps.get_model("benefits", "BenefitParameter").objects.filter(key="cash.days_per_month", valid_from=START).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0005_claim_step_summary")]

    operations = [migrations.RunPython(seed, unseed)]
