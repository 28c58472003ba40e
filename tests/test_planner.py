"""The queue planner (issue 19): the forecast of an office's arrivals from its own history,
the simulation of its day, and the simulation checked against recorded days.

The forecast's history is written as summary rows (what the forecast reads) with a known
answer: an ordinary day brings 100, the 15th 2.5 times that, the days either side 1.8 and
1.2 times, the month's last two days 1.6 times, and the working day after a holiday 1.3
times whatever it would otherwise bring; half come for contributions at 9, half for
sickness at 10. "Today" is Tuesday 1 December 2026: Monday 7 December is a public holiday
(in lieu of King Bhumibol's birthday), Thursday 10 December too (Constitution Day).
"""

import datetime
import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from queueing.models import OfficeClosure, QueueSummary, Service
from queueing.planning.calendar import day_position, office_calendar
from queueing.planning.forecast import MIN_DAYS, backtest, forecast_days
from tests.factories import queue_office

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
FACTORS = {"due+0": 2.5, "due-1": 1.8, "due+1": 1.8, "due-2": 1.2, "due+2": 1.2, "month_end": 1.6, "ordinary": 1.0}


def known_total(info) -> int:
    return round(100 * FACTORS[info.position] * (1.3 if info.after_closed else 1.0))


def history_write(office, days):
    """Summary rows of `days` (DayInfo): half of each day's total at 9 (contributions), half at 10 (sickness)."""
    contribution = Service.objects.get(office=office, kind="contribution")
    sickness = Service.objects.get(office=office, kind="sickness")
    now = timezone.now()
    rows = []
    for info in days:
        total = known_total(info)
        assert total % 2 == 0
        for service, hour in ((contribution, 9), (sickness, 10)):
            rows.append(
                QueueSummary(
                    office=office, day=info.day, service=service, hour=hour, priority=1,
                    tickets=total // 2, arrivals=total // 2, rolled_at=now,
                )
            )  # fmt: skip
    QueueSummary.objects.bulk_create(rows)
    return contribution, sickness


@pytest.fixture
def office(offices):
    return queue_office(offices["1001"], counters=6)


@pytest.fixture
def history(office):
    """16 weeks of open days before TODAY."""
    start = TODAY - datetime.timedelta(weeks=16)
    calendar = office_calendar(office_id=office.pk, start=start, end=TODAY - datetime.timedelta(days=1))
    return history_write(office, [info for info in calendar.values() if info.is_open])


def test_the_day_positions_follow_the_15th_and_the_months_end():
    assert day_position(datetime.date(2026, 12, 15)) == "due+0"
    assert day_position(datetime.date(2026, 12, 13)) == "due-2"
    assert day_position(datetime.date(2026, 12, 18)) == "ordinary"
    assert day_position(datetime.date(2026, 12, 30)) == "month_end"
    assert day_position(datetime.date(2026, 2, 27)) == "month_end"
    assert day_position(datetime.date(2026, 2, 26)) == "ordinary"


def test_the_forecast_gives_the_known_answer_of_a_synthetic_history(office, history):
    contribution, sickness = history
    days = [datetime.date(2026, 12, 2), datetime.date(2026, 12, 15), datetime.date(2026, 12, 30)]
    ordinary, fifteenth, month_end = forecast_days(office_id=office.pk, days=days, today=TODAY)
    assert ordinary.info.position == "ordinary" and not ordinary.missing
    assert ordinary.total == pytest.approx(100)
    assert ordinary.base == pytest.approx(100) and ordinary.trend == pytest.approx(1)
    assert fifteenth.factor == pytest.approx(2.5) and fifteenth.total == pytest.approx(250)
    assert fifteenth.cells == {(contribution.pk, 9): pytest.approx(125), (sickness.pk, 10): pytest.approx(125)}
    assert fifteenth.hours == {9: pytest.approx(125), 10: pytest.approx(125)}
    assert month_end.total == pytest.approx(160)


def test_a_public_holiday_is_closed_and_the_day_after_it_brings_what_such_days_brought(office, history):
    holiday, after, before = forecast_days(
        office_id=office.pk,
        days=[datetime.date(2026, 12, 7), datetime.date(2026, 12, 8), datetime.date(2026, 12, 9)],
        today=TODAY,
    )
    assert holiday.info.closed and holiday.total == 0 and holiday.cells == {}
    assert after.info.after_closed and after.holiday_factor == pytest.approx(1.3)
    assert after.total == pytest.approx(130)
    # The day before Constitution Day: such days brought what they would have anyway.
    assert before.info.before_closed and before.total == pytest.approx(100)


def test_an_office_closure_closes_the_day_and_shifts_the_next(office, history):
    OfficeClosure.objects.create(office=office, day=datetime.date(2026, 12, 3), reason="Moving to the new building")
    closed, after = forecast_days(
        office_id=office.pk, days=[datetime.date(2026, 12, 3), datetime.date(2026, 12, 4)], today=TODAY
    )
    assert closed.info.closed == "Moving to the new building" and closed.total == 0
    assert after.info.after_closed and after.total == pytest.approx(130)


def test_it_refuses_a_past_day(office, history):
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[TODAY - datetime.timedelta(days=1)], today=TODAY)
    assert "day" in refused.value.message_dict
    assert "has passed" in refused.value.message_dict["day"][0]


def test_it_says_what_history_is_missing_instead_of_inventing(office):
    calendar = office_calendar(office_id=office.pk, start=datetime.date(2026, 11, 16), end=datetime.date(2026, 11, 30))
    open_days = [info for info in calendar.values() if info.is_open]
    history_write(office, open_days)
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[datetime.date(2026, 12, 2)], today=TODAY)
    message = refused.value.message_dict["office"][0]
    assert f"for {len(open_days)} working days" in message
    assert f"at least {MIN_DAYS}" in message and f"{MIN_DAYS - len(open_days)} more" in message


def test_no_office_history_at_all_is_said(office):
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[datetime.date(2026, 12, 2)], today=TODAY)
    assert "no queue history" in refused.value.message_dict["office"][0]


def test_a_day_of_a_kind_never_recorded_gets_no_figures(office):
    """Only ordinary days recorded: the 15th is not guessed from them."""
    calendar = office_calendar(office_id=office.pk, start=TODAY - datetime.timedelta(weeks=16), end=TODAY)
    history_write(office, [i for i in calendar.values() if i.is_open and i.position == "ordinary" and i.day < TODAY])
    ordinary, fifteenth = forecast_days(
        office_id=office.pk, days=[datetime.date(2026, 12, 2), datetime.date(2026, 12, 15)], today=TODAY
    )
    assert ordinary.total == pytest.approx(100)
    assert fifteenth.missing and "the 15th" in fifteenth.missing
    assert fifteenth.total == 0 and fifteenth.cells == {}


def test_the_backtest_of_a_history_without_noise_has_no_error(office, history):
    result = backtest(office_id=office.pk, end=TODAY - datetime.timedelta(days=1), months=1)
    assert result.days
    assert result.day_mape == pytest.approx(0, abs=1e-9)
    assert result.hour_mape == pytest.approx(0, abs=1e-9)
    assert not math.isnan(result.hour_wape)
