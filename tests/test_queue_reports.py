"""The queue's measures: the summary rows rolled up from a handful of tickets, the report
sections built from them, and the ticket list behind every figure.

One morning at office 1001 (a Monday), times in Bangkok; counter 1 serves contributions
(officer A), counter 4 sickness among others (officer B). Minutes are rounded up:

    ticket  service       issued  called  start   end     outcome            wait svc visit
    T1      contribution  09:00   09:10   09:10:30 09:20:30 completed          10  10   21
    T2      contribution  09:05   09:20:30 09:21  09:51   documents missing  16  30   46
    T3      contribution  09:30P  09:51   -       09:53   no-show            21   -    -
    T4      contribution  09:40   09:53   09:53   09:58   completed          13   5   18
    T5      contribution  10:10   -       -       10:20   cancelled           -   -    -
    T6      contribution  10:30   10:35   10:35   10:45   transferred         5  10    -
    T7      sickness      10:45   10:55   10:55   11:15   completed          10  20   45 (from 10:30)

(P: a priority ticket, called before T4 although issued after T4 was not yet there.)
"""

import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from queueing import services
from queueing.models import Counter, QueueRollup, QueueSummary, Service, Ticket
from queueing.reports import (
    SECTIONS,
    counters_build,
    days_build,
    offices_build,
    priority_build,
    queue_total,
    services_build,
)
from queueing.selectors import queue_measures
from sso.core.reports import NATIONAL, OFFICE, Period
from tests.factories import StaffFactory, queue_office

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 16)
BANGKOK = ZoneInfo("Asia/Bangkok")


def at(hour, minute, second=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=BANGKOK)


@pytest.fixture
def morning(cast, offices):
    office = queue_office(offices["1001"], counters=4)
    contribution = Service.objects.get(office=office, kind="contribution")
    sickness = Service.objects.get(office=office, kind="sickness")
    one, four = Counter.objects.get(office=office, number=1), Counter.objects.get(office=office, number=4)
    a = cast["counter"]
    b = StaffFactory(username="officer_b", office=office, roles=["counter_officer"])
    services.counter_sign_in(counter=one, officer=a)
    services.counter_sign_in(counter=four, officer=b)

    def issue(minute_at, priority=Ticket.Priority.REGULAR):
        return services.ticket_issue(service=contribution, customer_kind="employer", priority=priority, now=minute_at)

    def serve(counter, officer, called, started, finished, outcome="completed"):
        ticket = services.ticket_call_next(counter_id=counter.pk, officer=officer, now=called)
        services.ticket_start(counter=counter, officer=officer, now=started)
        services.ticket_finish(counter=counter, officer=officer, outcome=outcome, now=finished)
        return ticket

    t = {}
    t[1] = issue(at(9, 0))
    t[2] = issue(at(9, 5))
    serve(one, a, at(9, 10), at(9, 10, 30), at(9, 20, 30))
    services.ticket_call_next(counter_id=one.pk, officer=a, now=at(9, 20, 30))  # T2
    t[3] = issue(at(9, 30), priority=Ticket.Priority.PRIORITY)
    t[4] = issue(at(9, 40))
    services.ticket_start(counter=one, officer=a, now=at(9, 21))
    services.ticket_finish(counter=one, officer=a, outcome="documents_missing", now=at(9, 51))
    services.ticket_call_next(counter_id=one.pk, officer=a, now=at(9, 51))  # T3, priority
    services.ticket_no_show(counter=one, officer=a, now=at(9, 53))
    serve(one, a, at(9, 53), at(9, 53), at(9, 58))
    t[5] = issue(at(10, 10))
    services.ticket_cancel(ticket=t[5], officer=a, now=at(10, 20))
    t[6] = issue(at(10, 30))
    services.ticket_call_next(counter_id=one.pk, officer=a, now=at(10, 35))
    services.ticket_start(counter=one, officer=a, now=at(10, 35))
    t[7] = services.ticket_transfer(counter=one, officer=a, to_service=sickness, now=at(10, 45))
    serve(four, b, at(10, 55), at(10, 55), at(11, 15))
    services.queue_summary_roll(day=DAY)
    return {"office": office, "contribution": contribution, "sickness": sickness, "one": one, "four": four,
            "a": a, "b": b, "tickets": t}  # fmt: skip


def _rows():
    fields = [f.name for f in QueueSummary._meta.fields if f.name not in ("id", "rolled_at")]
    return sorted(QueueSummary.objects.values_list(*fields), key=str)


def test_the_roll_up_counts_each_ticket_once_by_service_hour_priority_counter_and_officer(morning):
    m = morning
    rows = {
        (r.service_id, r.hour, r.priority, r.counter_id, r.officer_id): r
        for r in QueueSummary.objects.filter(office=m["office"], day=DAY)
    }
    regular, priority = Ticket.Priority.REGULAR, Ticket.Priority.PRIORITY
    contribution, one, a = m["contribution"].pk, m["one"].pk, m["a"].pk
    assert set(rows) == {
        (contribution, 9, regular, one, a),  # T1, T2, T4
        (contribution, 9, priority, one, a),  # T3
        (contribution, 10, regular, None, None),  # T5, never called
        (contribution, 10, regular, one, a),  # T6
        (m["sickness"].pk, 10, regular, m["four"].pk, m["b"].pk),  # T7
    }
    nine = rows[(contribution, 9, regular, one, a)]
    assert (nine.tickets, nine.arrivals, nine.served, nine.documents_missing, nine.within_target) == (3, 3, 3, 1, 2)
    # Waits 10, 16, 13 minutes; services 10, 30, 5; visits 21, 46, 18 (rounded up).
    assert (nine.waited, nine.wait_seconds, nine.wait_max) == (3, 600 + 930 + 780, 930)
    assert (nine.visit_seconds, nine.visit_max) == (1230 + 2760 + 1080, 2760)
    no_show = rows[(contribution, 9, priority, one, a)]
    assert (no_show.tickets, no_show.no_shows, no_show.served, no_show.wait_max) == (1, 1, 0, 21 * 60)
    cancelled = rows[(contribution, 10, regular, None, None)]
    assert (cancelled.cancelled, cancelled.waited, cancelled.wait_seconds, cancelled.service_seconds) == (1, 0, 0, 0)
    transferred = rows[(contribution, 10, regular, one, a)]
    assert (transferred.arrivals, transferred.transfers, transferred.served) == (1, 1, 0)
    sick = rows[(m["sickness"].pk, 10, regular, m["four"].pk, m["b"].pk)]
    # A transfer is no arrival; its visit runs from 10:30: 45 minutes exactly, within 45.
    assert (sick.arrivals, sick.served, sick.within_target, sick.visit_max) == (0, 1, 1, 2700)
    # The histograms are the day's roll-up's, by counter and officer (no hour): counter 1's
    # regular row holds T1, T2, T4 and the transferred T6 (waited 5, served 10 minutes).
    rollups = {
        (r.service_id, r.priority, r.counter_id): r
        for r in QueueRollup.objects.filter(office=m["office"], span="day", day=DAY, detail=True)
    }
    one_regular = rollups[(contribution, regular, one)]
    # Waits 10, 16, 13 and 5 minutes; services 10, 30, 5 and 10; visits 21, 46, 18.
    assert one_regular.wait_hist == [0] * 5 + [1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert one_regular.service_hist == [0] * 5 + [1, 0, 0, 0, 0, 2] + [0] * 19 + [1]
    assert one_regular.visit_hist == [0] * 18 + [1, 0, 0, 1] + [0] * 24 + [1]
    assert rollups[(contribution, priority, one)].wait_hist == [0] * 21 + [1]
    assert rollups[(contribution, regular, None)].wait_hist == []
    sick_rollup = rollups[(m["sickness"].pk, regular, m["four"].pk)]
    assert len(sick_rollup.visit_hist) == 46 and sick_rollup.visit_hist[45] == 1


def test_measures_over_a_range_give_percentiles_to_the_minute(morning):
    office_ids = [morning["office"].pk]
    [whole] = queue_measures(start=DAY, end=DAY, office_ids=office_ids)
    assert (whole.arrivals, whole.visits, whole.within_target, whole.no_shows, whole.cancelled) == (6, 4, 3, 1, 1)
    assert whole.within_target_share == 0.75
    assert (whole.visit.percentile(50), whole.visit.percentile(90), whole.visit.n) == (21, 46, 4)  # 18 21 45 46
    [contribution] = queue_measures(
        start=DAY - datetime.timedelta(days=3), end=DAY, office_ids=office_ids, service=morning["contribution"].pk
    )
    assert (contribution.wait.percentile(50), contribution.wait.percentile(90)) == (13, 21)  # 5 10 13 16 21
    assert contribution.wait_average == 12.9  # 3870 s / 5
    assert (contribution.service.percentile(50), contribution.service.percentile(90)) == (10, 30)  # 5 10 10 30
    assert queue_measures(start=DAY + datetime.timedelta(days=1), end=DAY + datetime.timedelta(days=2)) == []


def test_rolling_a_day_again_changes_nothing_and_picks_up_a_correction(morning):
    before = _rows()
    assert services.queue_summary_roll(day=DAY) == 5
    assert _rows() == before
    # A late correction: T4 ended at 10:40, not 09:58 (a visit of an hour).
    Ticket.objects.filter(pk=morning["tickets"][4].pk).update(finished_at=at(10, 40))
    services.queue_summary_roll(day=DAY, office_id=morning["office"].pk)
    [whole] = queue_measures(start=DAY, end=DAY, office_ids=[morning["office"].pk])
    assert (whole.visits, whole.within_target) == (4, 2)
    assert whole.visit.percentile(90) == 60


NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
MEASURE_FIELDS = ("tickets", "arrivals", "served", "documents_missing", "no_shows", "cancelled", "transfers",
                  "targeted", "within_target", "wait_seconds", "wait_max", "visit_seconds", "visit_max",
                  "processed", "process_seconds")  # fmt: skip


def _figures(measures):
    return {
        tuple(sorted(m.group.items())): (
            *(getattr(m, name) for name in MEASURE_FIELDS),
            *(getattr(m, name).counts for name in ("wait", "service", "visit", "process")),
        )
        for m in measures
    }


def test_the_histogram_functions_count_and_add_element_by_element():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT queue_histogram('{3,0,3,NULL,1}'), queue_histogram('{}'), queue_histogram(NULL),"
            " queue_histogram_add('{1,2}', '{0,0,5}'), queue_histogram_add('{4,4,4}', '{1}'),"
            " (SELECT queue_histogram_sum(h) FROM (VALUES ('{1}'::int[]), ('{0,2}'), ('{}')) v(h)),"
            " (SELECT queue_histogram_sum(h) FROM (VALUES ('{1}'::int[])) v(h) WHERE false)"
        )
        assert cursor.fetchone() == ([1, 1, 0, 2], [], [], [1, 2, 5], [5, 4, 4], [1, 2], [])


def test_a_day_is_rolled_up_without_the_hour_with_and_without_its_counters(morning):
    rollups = QueueRollup.objects.filter(office=morning["office"], span="day", day=DAY)
    # By counter and officer: the five summary rows less the hour (T1-T4 at 9 and T6 at 10 on
    # counter 1 are one regular row); over them: one row per service and priority class.
    assert rollups.filter(detail=True).count() == 4
    overall = {(r.service_id, r.priority): r for r in rollups.filter(detail=False)}
    assert set(overall) == {
        (morning["contribution"].pk, Ticket.Priority.REGULAR),
        (morning["contribution"].pk, Ticket.Priority.PRIORITY),
        (morning["sickness"].pk, Ticket.Priority.REGULAR),
    }
    regular = overall[(morning["contribution"].pk, Ticket.Priority.REGULAR)]
    assert (regular.tickets, regular.served, regular.cancelled, regular.transfers) == (5, 3, 1, 1)
    # Every count read from the roll-ups is the one read from the summary rows (by hour, which
    # have no histograms).
    office_ids = [morning["office"].pk]
    for by in [(), ("service",), ("counter",), ("officer", "priority")]:
        by_hour = queue_measures(start=DAY, end=DAY, office_ids=office_ids, by=(*by, "hour"), histograms=())
        totals = {}
        for m in by_hour:
            key = tuple(sorted((k, v) for k, v in m.group.items() if k != "hour"))
            totals.setdefault(key, []).append(m)
        summed = {key: _figures([queue_total(ms)])[()] for key, ms in totals.items()}
        rolled = queue_measures(start=DAY, end=DAY, office_ids=office_ids, by=by, histograms=())
        assert _figures(rolled) == summed
    with pytest.raises(ValueError):
        queue_measures(start=DAY, end=DAY, office_ids=office_ids, by=("hour",))


def test_an_ended_month_is_rolled_up_and_read_whole(morning):
    """November has ended (today is later): rolling any of its days rolls its month rows, and a
    range holding the whole month reads them, the same figures as its day rows give."""
    office_ids = [morning["office"].pk]
    months = QueueRollup.objects.filter(office=morning["office"], span="month")
    assert set(months.values_list("day", flat=True)) == {NOVEMBER[0]}
    assert months.filter(detail=False).count() == 3 and months.filter(detail=True).count() == 4
    whole_month = queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, by=("service",))
    by_days = queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, by=("service", "day"))
    assert _figures(whole_month) == {
        (("service", m.group["service"]),): _figures([m])[(("day", DAY), ("service", m.group["service"]))]
        for m in by_days
    }
    # The month rows are what is read: a month row changed shows (a day row changed does not).
    months.filter(detail=False, service=morning["sickness"]).update(arrivals=99)
    [sick] = queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, service=morning["sickness"].pk)
    assert sick.arrivals == 99
    # A range from October to November: October's days and November's month row.
    [sick] = queue_measures(
        start=datetime.date(2026, 10, 20), end=NOVEMBER[1], office_ids=office_ids, service=morning["sickness"].pk
    )
    assert sick.arrivals == 99
    # Part of the month: its day rows.
    [sick] = queue_measures(start=DAY, end=NOVEMBER[1], office_ids=office_ids, service=morning["sickness"].pk)
    assert sick.arrivals == 0


def test_a_correction_of_an_ended_months_day_re_rolls_its_month(morning):
    office_ids = [morning["office"].pk]
    Ticket.objects.filter(pk=morning["tickets"][4].pk).update(finished_at=at(10, 40))
    services.queue_summary_roll(day=DAY, office_id=morning["office"].pk)
    [whole] = queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids)
    assert (whole.visits, whole.within_target, whole.visit.percentile(90)) == (4, 2, 60)


def test_a_month_not_rolled_up_is_read_from_its_days_and_first_rolled_for_every_office(morning, offices):
    office_ids = [morning["office"].pk]
    before = _figures(queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, by=("service",)))
    QueueRollup.objects.filter(span="month").delete()  # the nightly roll of 1 December missed
    assert (
        _figures(queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, by=("service",))) == before
    )
    # A late correction at another office rolls that office's day, and November for every office.
    other = queue_office(offices["5000"], counters=1)
    service = Service.objects.get(office=other, kind="contribution")
    services.ticket_issue(service=service, customer_kind="employer", now=at(9, 0))
    services.queue_summary_roll(day=DAY, office_id=other.pk)
    months = QueueRollup.objects.filter(span="month", day=NOVEMBER[0], detail=False)
    assert set(months.values_list("office_id", flat=True)) == {morning["office"].pk, other.pk}
    assert (
        _figures(queue_measures(start=NOVEMBER[0], end=NOVEMBER[1], office_ids=office_ids, by=("service",))) == before
    )


def test_todays_roll_leaves_the_month_it_is_in_to_the_day_rows(cast, offices):
    office = queue_office(offices["1001"], counters=1)
    service = Service.objects.get(office=office, kind="contribution")
    today = timezone.localdate()
    services.ticket_issue(service=service, customer_kind="employer", now=at(9, 0, day=today))
    services.queue_summary_roll(day=today)
    assert QueueRollup.objects.filter(office=office, span="day", day=today).exists()
    assert not QueueRollup.objects.filter(office=office, span="month").exists()
    [whole] = queue_measures(start=today.replace(day=1), end=today, office_ids=[office.pk])
    assert whole.arrivals == 1


def test_an_office_range_reaching_today_reads_the_last_minute_not_the_beats_roll(cast, offices):
    office = queue_office(offices["1001"], counters=1)
    service = Service.objects.get(office=office, kind="contribution")
    today = timezone.localdate()
    services.ticket_issue(service=service, customer_kind="employer")
    period = Period(office_id=office.pk, start=today, end=today)
    [row] = [r for r in services_build(period).table("services").rows if r["service_id"] == service.pk]
    assert row["arrivals"] == 1  # rolled here: no beat has run
    rolled_at = QueueRollup.objects.filter(office=office, day=today).values_list("rolled_at", flat=True).first()
    services.ticket_issue(service=service, customer_kind="employer")
    services_build(period)  # within the minute: not rolled again
    assert QueueRollup.objects.filter(office=office, day=today).values_list("rolled_at", flat=True).first() == rolled_at
    assert services.queue_today_refresh(office_id=office.pk, now=timezone.now() + datetime.timedelta(minutes=2))
    [whole] = queue_measures(start=today, end=today, office_ids=[office.pk])
    assert whole.arrivals == 2
    # The national page reads the beat's roll of today; it rolls nothing itself.
    QueueRollup.objects.filter(office=office).delete()
    offices_build(Period(office_id=None, start=today, end=today))
    assert not QueueRollup.objects.filter(office=office).exists()


def _period(office, start=DAY, end=DAY, **more):
    return Period(office_id=office.pk if office else None, start=start, end=end, **more)


def test_the_office_sections_show_the_services_with_their_targets(morning):
    content = services_build(_period(morning["office"]))
    figures = {f.key: f.value for f in content.figures}
    assert figures == {"visits": 4, "within_target": 0.75, "visit_p90": 46, "wait_average": 12.4, "arrivals": 6,
                       "no_shows": 1}  # fmt: skip
    table = content.table("services")
    rows = {row["service"]: row for row in table.rows if row["visits"] or row["arrivals"]}
    contribution = rows[f"A {morning['contribution'].name}"]
    keys = ("target", "visits", "within_target", "visit_p50", "visit_p90", "visit_max")
    assert {k: contribution[k] for k in keys} == {
        "target": 45, "visits": 3, "within_target": 2 / 3, "visit_p50": 21, "visit_p90": 46, "visit_max": 46,
    }  # fmt: skip
    sickness = rows[f"C {morning['sickness'].name}"]
    assert (sickness["target"], sickness["visits"], sickness["within_target"], sickness["wait_p90"]) == (45, 1, 1.0, 10)
    assert table.totals["visits"] == 4 and table.totals["within_target"] == 0.75
    drill = urlparse(table.drill(contribution))
    assert drill.path == reverse("queueing:ticket_list")
    assert parse_qs(drill.query) == {"office": ["1001"], "day_from": ["2026-11-16"], "day_to": ["2026-11-16"],
                                     "service": [str(morning["contribution"].pk)]}  # fmt: skip
    assert {c.key: c.table for c in content.charts} == {"visit_times": "services", "wait_service": "services"}


def test_the_days_counters_officers_and_priority_tables(morning):
    period = _period(morning["office"], start=DAY - datetime.timedelta(days=1))
    days = days_build(period)
    [day] = days.table("days").rows
    assert (day["day"], day["arrivals"], day["visits"], day["within_target"]) == (DAY, 6, 4, 0.75)
    assert [c.target for c in days.charts if c.kind == "line"] == [0.9]
    cells = {(r["hour"], r["day_of_month"]): (r["arrivals"], r["wait_average"]) for r in days.table("hours").rows}
    # Hour 9: T1-T4 waited 10:00, 15:30, 21:00, 13:00 (59:30 / 4); hour 10: T5 (never called),
    # T6 (5:00) and the transfer T7 (10:00), which is no arrival.
    assert cells == {(9, 16): (4, 14.9), (10, 16): (2, 7.5)}
    # 16 November 2026 is a Monday (จันทร์, in Thai, the language of the page): the one weekday.
    [monday] = days.table("weekdays").rows
    assert (monday["weekday"], monday["arrivals"], monday["visits"], monday["within_target"]) == ("จันทร์", 6, 4, 0.75)
    assert [c.series for c in days.charts if c.kind == "bar"] == [["arrivals", "visits"]]
    counters = counters_build(period)
    by_counter = {r["counter"]: (r["visits"], r["no_shows"], r["transfers"], r["service_p90"])
                  for r in counters.table("counters").rows}  # fmt: skip
    assert by_counter == {1: (3, 1, 1, 30), 4: (1, 0, 0, 20)}
    officers = {r["officer_id"]: r["visits"] for r in counters.table("officers").rows}
    assert officers == {morning["a"].pk: 3, morning["b"].pk: 1}
    assert "officer=" in counters.table("officers").drill(counters.table("officers").rows[0])
    priority = {r["priority_id"]: r for r in priority_build(period).table("priority").rows}
    assert (priority[0]["arrivals"], priority[0]["visits"], priority[0]["wait_p50"]) == (1, 0, 21)
    assert (priority[1]["arrivals"], priority[1]["visits"], priority[1]["within_target"]) == (5, 4, 0.75)


def test_the_national_section_puts_offices_side_by_side_and_narrows_by_province(morning, offices):
    chiang_mai = queue_office(offices["5000"], counters=1)
    counter = Counter.objects.get(office=chiang_mai, number=1)
    officer = StaffFactory(username="cm_counter", office=chiang_mai, roles=["counter_officer"])
    services.counter_sign_in(counter=counter, officer=officer)
    services.ticket_issue(service=chiang_mai.services.get(kind="contribution"), customer_kind="employer",
                          now=at(8, 30))  # fmt: skip
    services.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(9, 30))
    services.ticket_start(counter=counter, officer=officer, now=at(9, 30))
    services.ticket_finish(counter=counter, officer=officer, outcome="completed", now=at(9, 40))  # 70 min
    services.queue_summary_roll(day=DAY, office_id=chiang_mai.pk)
    content = offices_build(_period(None))
    rows = {row["office"]: row for row in content.table("offices").rows}
    assert (rows["1001"]["visits"], rows["1001"]["within_target"], rows["1001"]["visit_p90"]) == (4, 0.75, 46)
    assert (rows["5000"]["visits"], rows["5000"]["within_target"], rows["5000"]["visit_p90"]) == (1, 0.0, 70)
    assert content.table("offices").totals["visits"] == 5
    processes = {row["kind"]: row for row in content.table("processes").rows}
    assert (processes["contribution"]["visits"], processes["contribution"]["within_target"]) == (4, 0.5)
    narrowed = offices_build(_period(None, province="50"))
    assert [row["office"] for row in narrowed.table("offices").rows] == ["5000"]
    assert {f.key: f.value for f in narrowed.figures}["visits"] == 1
    assert parse_qs(urlparse(content.table("offices").drill(rows["5000"])).query)["office"] == ["5000"]


def test_the_sections_are_on_their_pages_for_those_who_see_reports():
    slots = {(s.slot, s.key) for s in SECTIONS}
    assert (NATIONAL, "queue_offices") in slots and (OFFICE, "queue_services") in slots
    assert {s.permission for s in SECTIONS} == {"core.view_reports"}


def test_the_ticket_list_shows_one_office_and_narrows_by_its_filters(morning, cast, client_for, offices):
    supervisor = client_for(cast["supervisor"])
    url = reverse("queueing:ticket_list")
    answer = supervisor.get(url, {"day_from": "2026-11-16", "day_to": "2026-11-16"})
    assert answer.status_code == 200
    assert [t.code for t in answer.context["page"]] == ["C001", "A006", "A005", "A004", "A003", "A002", "A001"]
    narrowed = supervisor.get(url, {"day_from": "2026-11-16", "day_to": "2026-11-16", "outcome": "no_show"})
    assert [t.code for t in narrowed.context["page"]] == ["A003"]
    by_counter = supervisor.get(url, {"day_from": "2026-11-16", "counter": morning["four"].pk})
    assert [t.code for t in by_counter.context["page"]] == ["C001"]
    assert list(supervisor.get(url).context["page"]) == []  # today, by default
    # Another office's supervisor sees their own office's tickets only, whatever ?office= says.
    other = client_for(cast["other_supervisor"])
    assert list(other.get(url, {"office": "1001", "day_from": "2026-11-16"}).context["page"]) == []
    # A national supervisor picks the office.
    national = client_for(cast["national"])
    assert len(national.get(url, {"office": "1001", "day_from": "2026-11-16"}).context["page"]) == 7
    assert national.get(url, {"office": "9999"}).status_code == 404
    assert client_for(cast["counter"]).get(url).status_code == 403


def test_the_beat_rolls_todays_summary_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["queue-summary-roll"]
    assert entry["task"] == "queueing.tasks.queue_summary_roll_today" and entry["schedule"] <= 600
    from queueing.tasks import queue_summary_roll_today

    assert queue_summary_roll_today.name == entry["task"]
