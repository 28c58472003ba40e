"""Head office's what-if (issue 19): the effect on the 15th's waits of moving a share of the
employers who pay contributions at the counter to the bank and internet channels. Each
office's forecast of the day has its contribution-payment arrivals cut by the share, and the
day is simulated with the office's counters as they are set up now."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from queueing.models import Service
from queueing.planning.forecast import forecast_days
from queueing.planning.office import office_day_model
from queueing.planning.simulation import simulate

MAX_SHARES = 5
MAX_OFFICES = 60
CONTRIBUTION = "contribution"


def what_if_office(*, office_id: int, day: datetime.date, shares: list[int], replications: int, today=None) -> dict:
    """One office's day for each share (percent) of contribution payers moved off the counter:
    the day's and contribution payments' p90 wait, the share within the standard, arrivals."""
    try:
        [forecast] = forecast_days(office_id=office_id, days=[day], today=today)
    except ValidationError as exc:
        return {"missing": " ".join(exc.messages)}
    if not forecast.cells:
        return {"missing": forecast.missing or _("No forecast for that day.")}
    model = office_day_model(office_id=office_id, day=day)
    paying = set(Service.objects.filter(office_id=office_id, kind=CONTRIBUTION).values_list("pk", flat=True))
    rows = []
    for share in shares:
        rates = {
            (s, h): value * (1 - share / 100) if s in paying else value for (s, h), value in forecast.cells.items()
        }
        result = simulate(model, rates=rates, replications=replications)
        day_figures = result.figures(result.day())
        contribution = [result.figures(result.service(s)) for s in paying if any(k[0] == s for k in result.cells)]
        rows.append(
            {
                "share": share,
                "arrivals": round(sum(rates.values()), 1),
                "wait_p90": day_figures["wait_p90"],
                "within": None if day_figures["within_share"] is None else round(day_figures["within_share"], 3),
                "contribution_p90": contribution[0]["wait_p90"] if contribution else None,
                "contribution_average": round(contribution[0]["wait_average"], 1)
                if contribution and contribution[0]["wait_average"] is not None
                else None,
            }
        )
    return {"rows": rows, "counters": len(model.counters)}
