"""An office's day as the simulation sees it (simulation.DayModel), from its records: the
services' recorded behaviour over the weeks before the day, the targets in force that day,
and its counters (as they are now, or as given)."""

import datetime

from queueing.planning.selectors import counters_now, office_figures, targets_by_service
from queueing.planning.simulation import HOUR, CounterPlan, DayModel, ServiceModel

# The office's hours, when tickets are issued and counters open (the same in every office).
OPENS = 8.5 * HOUR
CLOSES = 16.5 * HOUR
# The recorded weeks the service times and rates are read from.
FIGURES_WEEKS = 8


def counters_default(*, office_id: int) -> list[CounterPlan]:
    """The office's active counters as they are set up now, open all day."""
    return [CounterPlan(number, services, OPENS, CLOSES) for number, services in counters_now(office_id=office_id)]


def office_day_model(
    *, office_id: int, day: datetime.date, counters: list[CounterPlan] | None = None, figures=None
) -> DayModel:
    """The model of the office's `day`: each service's times and rates from the FIGURES_WEEKS
    weeks before it (or `figures`, an OfficeFigures already read), its target that day, and
    `counters` (by default the office's counters now, open all day)."""
    if figures is None:
        figures = office_figures(
            office_id=office_id,
            start=day - datetime.timedelta(weeks=FIGURES_WEEKS),
            end=day - datetime.timedelta(days=1),
        )
    targets = targets_by_service(office_id=office_id, day=day)
    services = {}
    for service_id, f in figures.services.items():
        tickets = f.tickets or 1
        services[service_id] = ServiceModel(
            service_id=service_id,
            service_hist=f.service_hist,
            target_minutes=targets.get(service_id),
            priority_share=f.priority_arrivals / f.arrivals if f.arrivals else 0.0,
            no_show=f.no_shows / tickets,
            cancel=f.cancelled / tickets,
            transfer=f.transfers / tickets,
        )
    return DayModel(
        counters=counters if counters is not None else counters_default(office_id=office_id),
        services=services,
        walkup_seconds=figures.walkup_seconds,
        no_show_seconds=figures.no_show_seconds,
        patience_seconds=figures.patience_seconds,
        transfer_to={s: f.transfers_in for s, f in figures.services.items() if f.transfers_in},
    )
