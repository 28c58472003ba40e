"""Demo queue: the standard services and six counters in every demo office."""

from queueing.services import office_queue_setup
from sso.core.models import Office


def seed(*, stdout=None, **options) -> None:
    services = counters = 0
    for office in Office.objects.filter(is_active=True):
        added = office_queue_setup(office=office)
        services += added[0]
        counters += added[1]
    if stdout is not None:
        stdout.write(f"queueing: {services} new services, {counters} new counters")
