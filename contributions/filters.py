"""One filter per contribution list, used by the list pages and the API alike. Querysets
given to these filters must already be office-scoped."""

import datetime
import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.models import Source, Statement
from sso.core.filters import ThaiDateFilter
from sso.core.formats import BE_OFFSET

_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")


def period_parse(text: str) -> datetime.date:
    """A wage period typed as MM/YYYY (B.E. 2569 or C.E. 2026) or YYYY-MM: the first day of
    that month. Raises ValueError when it reads as neither."""
    text = (text or "").strip()
    if match := _MONTH_YEAR.match(text):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
    else:
        raise ValueError(text)
    if year >= 2400:
        year -= BE_OFFSET
    return datetime.date(year, month, 1)


class PeriodFormField(forms.CharField):
    default_error_messages = {"invalid": _("Enter the wage period as month/year, e.g. 01/2569 or 2026-01.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return period_parse(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class PeriodFilter(django_filters.Filter):
    field_class = PeriodFormField


class StatementFilter(django_filters.FilterSet):
    """Contribution statements: employer account, branch, wage period, status, verification, source."""

    employer = django_filters.CharFilter(method="filter_employer", label=_("Employer account number"))
    branch = django_filters.CharFilter(field_name="branch__number", label=_("Branch number"))
    period = PeriodFilter(field_name="period", label=_("Wage period (MM/YYYY)"))
    period_from = PeriodFilter(field_name="period", lookup_expr="gte", label=_("From wage period"))
    period_to = PeriodFilter(field_name="period", lookup_expr="lte", label=_("Until wage period"))
    status = django_filters.ChoiceFilter(choices=Statement.Status.choices, label=_("status"))
    verification = django_filters.ChoiceFilter(choices=Statement.Verification.choices, label=_("verification"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("entered as"))
    office = django_filters.CharFilter(field_name="office__code", label=_("Office code"))
    received_from = ThaiDateFilter(field_name="received_at__date", lookup_expr="gte", label=_("Received from"))
    received_to = ThaiDateFilter(field_name="received_at__date", lookup_expr="lte", label=_("Received to"))

    class Meta:
        model = Statement
        fields = [
            "employer",
            "branch",
            "period",
            "period_from",
            "period_to",
            "status",
            "verification",
            "source",
            "office",
            "received_from",
            "received_to",
        ]

    def filter_employer(self, queryset, name, value):
        return queryset.filter(employer__account_number="".join(ch for ch in value if ch.isdigit()))
