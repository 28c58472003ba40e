import django_filters

from queueing.models import Ticket


class TicketFilter(django_filters.FilterSet):
    """One filter for ticket lists, in pages and the API."""

    class Meta:
        model = Ticket
        fields = ["office", "service", "service_day", "status", "outcome", "counter", "customer_ref"]
