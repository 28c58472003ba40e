"""Writes to offices and staff. Views, forms and the API call these; none saves a record itself."""

import csv
from pathlib import Path

from django.db import transaction

from sso.core.models import Office, Province

PROVINCES_CSV = Path(__file__).resolve().parent / "data" / "provinces.csv"


@transaction.atomic
def provinces_load() -> int:
    """Load the 77 provinces (reference data; the 0002 migration loads the same file)."""
    with PROVINCES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Province.objects.update_or_create(
            code=row["code"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
        )
    return len(rows)


@transaction.atomic
def office_update(*, office: Office, officer, data: dict) -> Office:
    """Change an office's details; only the fields given are written (and audited)."""
    changed = [name for name, value in data.items() if getattr(office, name) != value]
    if not changed:
        return office
    for name in changed:
        setattr(office, name, data[name])
    office._history_user = officer
    office.full_clean()
    office.save(update_fields=changed)
    return office
