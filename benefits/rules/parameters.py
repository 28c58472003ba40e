"""The benefit parameters: every figure of the rules is a `BenefitParameter` row in force on
the event date, read through a per-process cache (apps.py clears it when a row changes)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from benefits.models import BenefitParameter
from sso.core.formats import date_lazy, lazy_format
from sso.core.tables import TableCache

# Like the contribution rules: a few hundred rows read by every examination, kept a minute per
# process (apps.py watches the model).
TABLES = TableCache(seconds=60)


def _parameters_load() -> dict[str, list]:
    rows: dict[str, list] = {}
    for row in BenefitParameter.objects.all():
        rows.setdefault(row.key, []).append(row)
    return rows


def _rows() -> dict[str, list]:
    return TABLES.get("parameters", _parameters_load)


def parameter(key: str, on: datetime.date) -> Decimal:
    """The figure `key` in force on the date (the latest row valid then)."""
    rows = [
        row for row in _rows().get(key, ()) if row.valid_from <= on and (row.valid_to is None or row.valid_to >= on)
    ]
    row = max(rows, key=lambda row: row.valid_from, default=None)
    if row is None:
        raise ValidationError(
            lazy_format(
                _("The benefit parameter %(key)s has no row in force on %(day)s: an administrator must add it."),
                {"key": key, "day": date_lazy(on)},
            ),
            code="no_parameter",
        )
    return row.value
