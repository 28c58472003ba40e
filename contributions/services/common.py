"""What the contribution services share: today's date, a unique lookup, amounts as the
messages show them, the last day of a wage period."""

import datetime
from decimal import Decimal

from django.utils import timezone

from sso.core.formats import money_display
from sso.core.months import month_add

ZERO = Decimal("0.00")


def local_today():
    return timezone.localdate()


def one_or_none(queryset):
    """The first row in no particular order (a unique lookup): `first()` would sort by the
    model's ordering, which costs a sort in SQL and a compile in Python on the peak path."""
    return next(iter(queryset.order_by()[:1]), None)


def baht_plain(amount) -> str:
    """An amount as the refusals show it: 1,234.50 (no currency)."""
    return money_display(amount, "en").removeprefix("THB ")


def period_end(period: datetime.date) -> datetime.date:
    """The last day of a wage period."""
    return month_add(period, 1) - datetime.timedelta(days=1)
