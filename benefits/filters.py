"""One filter for the claims work queue and the claims API, and one for the payment orders.
Querysets given to them must already be office-scoped."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, Claim, PaymentOrder
from sso.core.converters import BIGINT_MAX
from sso.core.filters import ThaiDateFilter

OPEN = "open"
OPEN_STATUSES = (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED)


class ClaimFilter(django_filters.FilterSet):
    """Claims: status (or every claim still to decide), benefit, the day recorded."""

    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("To decide")), *Claim.Status.choices], method="filter_status", label=_("Status")
    )
    benefit = django_filters.ChoiceFilter(choices=Benefit.choices, label=_("Benefit"))
    verification = django_filters.ChoiceFilter(choices=Claim.Verification.choices, label=_("Verification"))
    recorded_from = ThaiDateFilter(field_name="recorded_at__date", lookup_expr="gte", label=_("Recorded from"))
    recorded_to = ThaiDateFilter(field_name="recorded_at__date", lookup_expr="lte", label=_("Recorded to"))

    class Meta:
        model = Claim
        fields = ["status", "benefit", "verification", "recorded_from", "recorded_to"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number a bigint holds (anything else is a refused filter)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=BIGINT_MAX, **kwargs)


class PaymentOrderFilter(django_filters.FilterSet):
    """Payment orders: status, how paid, the claim, the batch, the months paid for."""

    status = django_filters.ChoiceFilter(choices=PaymentOrder.Status.choices, label=_("Status"))
    method = django_filters.ChoiceFilter(choices=PaymentOrder.Method.choices, label=_("Paid by"))
    claim = IdFilter(field_name="claim_id", label=_("Claim"))
    batch = IdFilter(field_name="batch_id", label=_("Batch"))
    period_from = ThaiDateFilter(field_name="period", lookup_expr="gte", label=_("From the month"))
    period_to = ThaiDateFilter(field_name="period", lookup_expr="lte", label=_("To the month"))

    class Meta:
        model = PaymentOrder
        fields = ["status", "method", "claim", "batch", "period_from", "period_to"]
