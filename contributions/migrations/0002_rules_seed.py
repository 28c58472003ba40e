"""The contribution rules in force, from shared/domain/thai-sso-rules.md (rows, not constants)."""

import datetime
from decimal import Decimal

from django.db import migrations

SOURCE = "thai-sso-rules.md"

# valid_from, valid_to, floor, ceiling (rates 5% / 5% / 2.75% throughout)
CEILINGS = [
    (datetime.date(1991, 1, 1), datetime.date(2025, 12, 31), "1650", "15000"),
    (datetime.date(2026, 1, 1), datetime.date(2028, 12, 31), "1650", "17500"),
    (datetime.date(2029, 1, 1), datetime.date(2031, 12, 31), "1650", "20000"),
    (datetime.date(2032, 1, 1), None, "1650", "23000"),
]
SECTION40 = [(1, "70", "30", "Option 1"), (2, "100", "50", "Option 2"), (3, "300", "150", "Option 3: with child allowance")]


def seed(apps, schema_editor):
    ContributionRate = apps.get_model("contributions", "ContributionRate")
    VoluntaryRate = apps.get_model("contributions", "VoluntaryRate")
    Section40Option = apps.get_model("contributions", "Section40Option")
    SurchargeRule = apps.get_model("contributions", "SurchargeRule")
    start = datetime.date(1991, 1, 1)
    for valid_from, valid_to, floor, ceiling in CEILINGS:
        ContributionRate.objects.update_or_create(
            valid_from=valid_from,
            province=None,
            defaults={
                "valid_to": valid_to,
                "employee_rate": Decimal("5.00"),
                "employer_rate": Decimal("5.00"),
                "government_rate": Decimal("2.75"),
                "wage_floor": Decimal(floor),
                "wage_ceiling": Decimal(ceiling),
                "note": SOURCE,
            },
        )
    VoluntaryRate.objects.update_or_create(
        valid_from=start,
        defaults={"section39_base": Decimal("4800"), "section39_rate": Decimal("9.00"), "note": SOURCE},
    )
    for option, person, government, description in SECTION40:
        Section40Option.objects.update_or_create(
            valid_from=start,
            option=option,
            defaults={
                "person_amount": Decimal(person),
                "government_amount": Decimal(government),
                "description": description,
                "note": SOURCE,
            },
        )
    SurchargeRule.objects.update_or_create(
        valid_from=start,
        defaults={"due_day": 15, "monthly_rate": Decimal("2.00"), "started_month_counts": True, "note": SOURCE},
    )


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
