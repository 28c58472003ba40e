"""Input fields with the ranges the database and the date arithmetic can hold."""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sso.core.converters import BIGINT_MAX

FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2199, 12, 31)


class DateField(serializers.DateField):
    """A date between 1900-01-01 and 2199-12-31: a year 1 or 9999 is a typing error, and
    the services add months and years to the dates they are given."""

    default_error_messages = {"range": _("Give a date between 1900-01-01 and 2199-12-31.")}

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not FIRST_DAY <= date <= LAST_DAY:
            self.fail("range")
        return date


class IdField(serializers.IntegerField):
    """A record's id: a positive bigint."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)
