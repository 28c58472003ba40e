"""One filter for the claims work queue and the claims API. Querysets given to it
must already be office-scoped."""

import django_filters
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, Claim
from sso.core.forms import ThaiDateField

OPEN = "open"
OPEN_STATUSES = (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED)


class ThaiDateFilter(django_filters.DateFilter):
    field_class = ThaiDateField


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
