import django_filters
from django.utils.translation import gettext_lazy as _

from queueing.models import Counter, Service, Ticket
from sso.core.filters import ThaiDateFilter
from sso.core.models import User


class TicketFilter(django_filters.FilterSet):
    """One filter for ticket lists, in pages and the API."""

    day_from = ThaiDateFilter(field_name="service_day", lookup_expr="gte", label=_("From"))
    day_to = ThaiDateFilter(field_name="service_day", lookup_expr="lte", label=_("To"))
    # Ticket's service, counter and officer have no verbose names: labelled here, translated.
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all(), label=_("Service"))
    counter = django_filters.ModelChoiceFilter(queryset=Counter.objects.all(), label=_("Counter"))
    officer = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("Officer"))

    class Meta:
        model = Ticket
        fields = [
            *("office", "service", "service_day", "status", "outcome"),
            *("counter", "officer", "priority", "customer_ref"),
        ]


class OfficeTicketFilter(TicketFilter):
    """The ticket list page of one office (the page names the office by its code): the
    services, counters and officers to choose from are that office's."""

    class Meta(TicketFilter.Meta):
        fields = ["service", "counter", "officer", "outcome", "priority"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["service"].queryset = Service.objects.filter(office=office).order_by("sort_order", "prefix")
        self.filters["counter"].queryset = Counter.objects.filter(office=office).order_by("number")
        self.filters["officer"].queryset = User.objects.filter(office=office).order_by("username")
