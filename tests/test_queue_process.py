"""The process, end to end, and repeat visits: the case's steps (receipt issued, claim recorded
or decided) kept on the ticket the officer is serving for that case's customer (its employer's
account or person's ID, a ticket tied to the case, or one naming no one: sso.core.signals.case_event
heard by queueing), rolled up into the process time, and the customers back after documents missing.

At office 1001 on Monday 16 Nov 2026 (Bangkok), counter 1 serves contributions (officer A),
counter 4 sickness (officer B); each ticket is called a minute after it is issued and started
a minute later. Process times (from the visit's start, minutes rounded up):

    ticket  service       issued  step(s)                               process
    C1      contribution  09:00   receipt 09:20                         20
    S1      sickness      10:00   claim recorded 10:15, decided 10:40   40 (the decision)
    S2      sickness      11:00   claim recorded 11:10                  10
    M1      maternity     12:00   claim recorded 12:30                  30 (no target: not in the share)
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from benefits import services as benefits
from queueing import services
from queueing.models import Counter, QueueRollup, QueueSummary, Service, Ticket, TicketEvent, Visit
from queueing.reports import SECTIONS, process_build
from queueing.selectors import repeat_visits
from sso.core import signals
from sso.core.reports import OFFICE, Period
from sso.core.signals import case_event
from tests.factories import (
    StaffFactory,
    employee_make,
    employer_make,
    pin_make,
    queue_office,
    statement_make,
    statement_paid_make,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 16)
BANGKOK = ZoneInfo("Asia/Bangkok")
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(hour, minute, second=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=BANGKOK)


@pytest.fixture
def desk(cast, offices):
    office = queue_office(offices["1001"], counters=4)
    one, four = Counter.objects.get(office=office, number=1), Counter.objects.get(office=office, number=4)
    a = cast["counter"]
    b = StaffFactory(username="officer_b", office=office, roles=["counter_officer"])
    services.counter_sign_in(counter=one, officer=a)
    services.counter_sign_in(counter=four, officer=b)
    return {
        "office": office,
        "contribution": Service.objects.get(office=office, kind="contribution"),
        "sickness": Service.objects.get(office=office, kind="sickness"),
        "one": one,
        "four": four,
        "a": a,
        "b": b,
    }


def _serving(service, counter, officer, issued=None, customer_ref=""):
    """A ticket issued at `issued` (now if None), called a minute later and being served from
    the minute after."""
    ticket = services.ticket_issue(service=service, customer_kind="insured", customer_ref=customer_ref, now=issued)
    services.ticket_call_next(counter_id=counter.pk, officer=officer, now=issued and issued + MINUTE)
    services.ticket_start(counter=counter, officer=officer, now=issued and issued + 2 * MINUTE)
    return Ticket.objects.get(pk=ticket.pk)


def _step(kind, officer, when):
    case_event.send(sender=None, kind=kind, officer=officer, record=None, at=when)


def _events():
    return sorted(TicketEvent.objects.values_list("ticket_id", "kind", "at"))


# --- The steps, heard on the ticket being served -------------------------------------------


def test_a_receipt_issued_at_the_counter_ends_the_contribution_visit_20_minutes_after_its_ticket(
    desk, django_capture_on_commit_callbacks
):
    a = desk["a"]
    ticket = _serving(desk["contribution"], desk["one"], a)
    employer = employer_make(desk["office"], a, n=701)
    person = employee_make(employer, 71, a).person
    statement = statement_make(employer, a, [person])
    with django_capture_on_commit_callbacks(execute=True):
        payment = statement_paid_make(statement, a, paid_on=timezone.localdate())
    receipt = payment.receipt
    assert _events() == [(ticket.pk, "receipt_issued", receipt.issued_at)]
    # The customer took the ticket 20 minutes before the receipt.
    Visit.objects.filter(pk=ticket.visit_id).update(started_at=receipt.issued_at - 20 * MINUTE)
    services.queue_summary_roll(day=ticket.service_day)
    row = QueueRollup.objects.get(service=desk["contribution"], processed__gt=0, span="day", detail=False)
    assert (row.processed, row.process_within, row.process_seconds, row.process_max) == (1, 1, 1200, 1200)
    assert row.process_hist == [0] * 20 + [1]


def test_a_claim_recorded_then_decided_at_the_counter_keeps_both_steps_the_decision_ends_it(
    desk, django_capture_on_commit_callbacks
):
    b = desk["b"]
    ticket = _serving(desk["sickness"], desk["four"], b)
    employer = employer_make(desk["office"], b, n=702)
    person = employee_make(employer, 72, b, started_on=datetime.date(2024, 1, 1)).person
    with django_capture_on_commit_callbacks(execute=True):
        claim = benefits.claim_record(
            officer=b, person=person, benefit="sickness", event_date=timezone.localdate(), details={"days_off": 10}
        )
    with django_capture_on_commit_callbacks(execute=True):
        claim = benefits.claim_examine(claim=claim, officer=b)
        claim = benefits.claim_adjudicate(claim=claim, officer=b, approve=False, note="Not a sickness of work")
    assert _events() == [
        (ticket.pk, "claim_decided", claim.adjudicated_at),
        (ticket.pk, "claim_recorded", claim.recorded_at),
    ]
    Visit.objects.filter(pk=ticket.visit_id).update(started_at=claim.adjudicated_at - 35 * MINUTE)
    services.queue_summary_roll(day=ticket.service_day)
    row = QueueRollup.objects.get(service=desk["sickness"], processed__gt=0, span="day", detail=False)
    assert (row.processed, row.process_seconds, row.process_hist) == (1, 2100, [0] * 35 + [1])


def _serving_for(desk, kind, customer_kind, customer_ref):
    service = desk["contribution"] if kind == "contribution" else desk["sickness"]
    counter, officer = (desk["one"], desk["a"]) if kind == "contribution" else (desk["four"], desk["b"])
    ticket = services.ticket_issue(service=service, customer_kind=customer_kind, customer_ref=customer_ref)
    services.ticket_call_next(counter_id=counter.pk, officer=officer)
    services.ticket_start(counter=counter, officer=officer)
    return Ticket.objects.get(pk=ticket.pk)


def test_the_signals_customer_kinds_are_the_tickets():
    assert {signals.EMPLOYER, signals.INSURED} == set(Ticket.CustomerKind.values)


def test_a_receipt_for_another_employer_than_the_ticket_serving_is_not_its_step(
    desk, django_capture_on_commit_callbacks
):
    a = desk["a"]
    x = employer_make(desk["office"], a, n=711)
    y = employer_make(desk["office"], a, n=712)
    serving_y = _serving_for(desk, "contribution", "employer", y.account_number)
    statement_x = statement_make(x, a, [employee_make(x, 7111, a).person])
    with django_capture_on_commit_callbacks(execute=True):
        statement_paid_make(statement_x, a, paid_on=timezone.localdate())
    assert _events() == []  # employer X's receipt while serving employer Y: not Y's process

    statement_y = statement_make(y, a, [employee_make(y, 7121, a).person])
    with django_capture_on_commit_callbacks(execute=True):
        receipt = statement_paid_make(statement_y, a, paid_on=timezone.localdate()).receipt
    assert _events() == [(serving_y.pk, "receipt_issued", receipt.issued_at)]


def test_a_ticket_tied_to_the_employer_is_its_step_whatever_id_was_typed_at_the_kiosk(
    desk, django_capture_on_commit_callbacks
):
    a = desk["a"]
    x = employer_make(desk["office"], a, n=713)
    # The employer's clerk typed their own national ID at the kiosk; the officer opened the employer.
    ticket = _serving_for(desk, "contribution", "insured", pin_make(713))
    services.ticket_case_link(ticket=ticket, case=x, officer=a)
    z = employer_make(desk["office"], a, n=714)
    with django_capture_on_commit_callbacks(execute=True):
        statement_paid_make(statement_make(z, a, [employee_make(z, 7141, a).person]), a, paid_on=timezone.localdate())
    assert _events() == []  # another employer's receipt
    statement = statement_make(x, a, [employee_make(x, 7131, a).person])
    with django_capture_on_commit_callbacks(execute=True):
        receipt = statement_paid_make(statement, a, paid_on=timezone.localdate()).receipt
    assert _events() == [(ticket.pk, "receipt_issued", receipt.issued_at)]


def test_a_claim_is_the_step_of_its_insured_persons_ticket_only(desk, django_capture_on_commit_callbacks):
    b = desk["b"]
    employer = employer_make(desk["office"], b, n=715)
    claimant = employee_make(employer, 7151, b, started_on=datetime.date(2024, 1, 1)).person
    other = employee_make(employer, 7152, b, started_on=datetime.date(2024, 1, 1)).person
    ticket = _serving_for(desk, "sickness", "insured", claimant.national_id)

    def record(person):
        with django_capture_on_commit_callbacks(execute=True):
            return benefits.claim_record(
                officer=b, person=person, benefit="sickness", event_date=timezone.localdate(), details={"days_off": 10}
            )

    record(other)
    assert _events() == []
    claim = record(claimant)
    assert _events() == [(ticket.pk, "claim_recorded", claim.recorded_at)]


def test_a_step_not_committed_is_not_heard(desk, django_capture_on_commit_callbacks):
    _serving(desk["contribution"], desk["one"], desk["a"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        employer = employer_make(desk["office"], desk["a"], n=703)
        person = employee_make(employer, 73, desk["a"]).person
        statement_paid_make(statement_make(employer, desk["a"], [person]), desk["a"], paid_on=timezone.localdate())
    assert len(callbacks) >= 1  # the signal waits for the commit that never came
    assert _events() == []


def test_an_officer_serving_no_ticket_records_nothing(desk):
    a, b = desk["a"], desk["b"]
    # A: signed in, no ticket at all. B: a ticket called but not yet started.
    services.ticket_issue(service=desk["sickness"], customer_kind="insured", now=at(9, 0))
    services.ticket_call_next(counter_id=desk["four"].pk, officer=b, now=at(9, 1))
    outsider = StaffFactory(username="nowhere", office=desk["office"], roles=["counter_officer"])
    _step("receipt_issued", a, at(9, 5))
    _step("claim_recorded", b, at(9, 5))
    _step("claim_recorded", outsider, at(9, 5))
    assert _events() == []


def test_the_first_step_of_a_kind_wins_and_unknown_kinds_are_ignored(desk):
    a = desk["a"]
    ticket = _serving(desk["contribution"], desk["one"], a, at(9, 0))
    _step("receipt_issued", a, at(9, 20))
    _step("receipt_issued", a, at(9, 25))
    _step("claim_paid", a, at(9, 26))
    assert _events() == [(ticket.pk, "receipt_issued", at(9, 20))]


# --- The measure ---------------------------------------------------------------------------


@pytest.fixture
def morning(desk):
    a, b, one, four = desk["a"], desk["b"], desk["one"], desk["four"]
    c1 = _serving(desk["contribution"], one, a, at(9, 0))
    _step("receipt_issued", a, at(9, 20))
    services.ticket_finish(counter=one, officer=a, outcome="completed", now=at(9, 22))
    s1 = _serving(desk["sickness"], four, b, at(10, 0))
    _step("claim_recorded", b, at(10, 15))
    _step("claim_decided", b, at(10, 40))
    services.ticket_finish(counter=four, officer=b, outcome="completed", now=at(10, 41))
    s2 = _serving(desk["sickness"], four, b, at(11, 0))
    _step("claim_recorded", b, at(11, 10))
    # A receipt at a sickness counter is not the step of a sickness visit.
    _step("receipt_issued", b, at(11, 11))
    services.ticket_finish(counter=four, officer=b, outcome="completed", now=at(11, 12))
    maternity = Service.objects.get(office=desk["office"], kind="maternity")
    m1 = _serving(maternity, four, b, at(12, 0))
    _step("claim_recorded", b, at(12, 30))
    services.ticket_finish(counter=four, officer=b, outcome="completed", now=at(12, 31))
    services.queue_summary_roll(day=DAY)
    return desk | {"tickets": (c1, s1, s2, m1), "maternity": maternity}


def test_the_roll_up_times_the_process_from_the_visit_start_to_its_step(morning):
    rows = {
        (r.service_id, r.hour): (r.processed, r.process_targeted, r.process_within, r.process_seconds, r.process_max)
        for r in QueueSummary.objects.filter(day=DAY)
    }
    contribution, sickness, maternity = morning["contribution"].pk, morning["sickness"].pk, morning["maternity"].pk
    assert rows == {
        (contribution, 9): (1, 1, 1, 1200, 1200),
        (sickness, 10): (1, 1, 1, 2400, 2400),
        (sickness, 11): (1, 1, 1, 600, 600),
        (maternity, 12): (1, 0, 0, 1800, 1800),
    }
    # The histograms are the day's roll-up's, per service (the hours added up).
    hists = {r.service_id: r.process_hist for r in QueueRollup.objects.filter(day=DAY, span="day", detail=False)}
    assert hists == {
        contribution: [0] * 20 + [1],
        sickness: [0] * 10 + [1] + [0] * 29 + [1],
        maternity: [0] * 30 + [1],
    }


def test_the_section_shows_the_process_against_the_target_per_service(morning):
    period = Period(office_id=morning["office"].pk, start=DAY, end=DAY)
    content = process_build(period)
    table = content.table("process")
    rows = [
        {k: row[k] for k in ("target", "visits", "processed", "process_within", "process_p50", "process_p90")}
        for row in table.rows
    ]
    assert rows == [
        {"target": 45, "visits": 1, "processed": 1, "process_within": 1.0, "process_p50": 20, "process_p90": 20},
        {"target": 45, "visits": 2, "processed": 2, "process_within": 1.0, "process_p50": 10, "process_p90": 40},
        {"target": None, "visits": 1, "processed": 1, "process_within": None, "process_p50": 30, "process_p90": 30},
    ]
    assert [row["process_average"] for row in table.rows] == [20.0, 25.0, 30.0]
    totals = table.totals
    assert (totals["processed"], totals["process_within"], totals["process_p50"], totals["process_p90"]) == (
        4,
        1.0,
        20,
        40,
    )
    figures = {f.key: f.value for f in content.figures}
    assert figures == {"processed": 4, "process_p90": 40, "process_within": 1.0, "repeat_share": None}
    assert content.table("repeat_visits").rows == []
    assert any(s.slot == OFFICE and s.key == "queue_process" for s in SECTIONS)


def test_the_national_page_has_no_process_section_rows(morning):
    assert process_build(Period(office_id=None, start=DAY, end=DAY)).tables == []


# --- Repeat visits -------------------------------------------------------------------------


def test_a_customer_back_within_30_days_after_documents_missing_is_counted_at_31_not(desk):
    a, one, contribution = desk["a"], desk["one"], desk["contribution"]
    x, y, z = pin_make(801), pin_make(802), pin_make(803)
    for n, ref in enumerate((x, y, z)):
        _serving(contribution, one, a, at(9, 10 * n), customer_ref=ref)
        services.ticket_finish(counter=one, officer=a, outcome="documents_missing", now=at(9, 10 * n + 5))
    # Z comes back the same day, but for a sickness claim: not the same process.
    services.ticket_issue(service=desk["sickness"], customer_kind="insured", customer_ref=z, now=at(14, 0))
    # X is back on the 30th day after, Y on the 31st.
    services.ticket_issue(
        service=contribution, customer_kind="insured", customer_ref=x, now=at(9, 0, day=DAY + datetime.timedelta(30))
    )
    services.ticket_issue(
        service=contribution, customer_kind="insured", customer_ref=y, now=at(9, 0, day=DAY + datetime.timedelta(31))
    )
    found = repeat_visits(start=DAY, end=DAY, office_ids=[desk["office"].pk])
    assert [(r.service_id, r.documents_missing, r.came_back) for r in found] == [(contribution.pk, 3, 1)]
    table = process_build(Period(office_id=desk["office"].pk, start=DAY, end=DAY)).table("repeat_visits")
    assert [(row["documents_missing"], row["came_back"], row["share"]) for row in table.rows] == [(3, 1, 1 / 3)]
    # Over the next days' period, the returns are visits of their own, not missing documents.
    later = (DAY + datetime.timedelta(1), DAY + datetime.timedelta(40))
    assert repeat_visits(start=later[0], end=later[1], office_ids=[desk["office"].pk]) == []


def test_a_customer_back_at_another_office_is_a_repeat_visit_of_the_first(desk, offices):
    """A person is national: sent home from Bangkok Area 1 and back at Chiang Mai for the
    same process, the first office's visit counts as repeated (and the other office has none)."""
    a, one, contribution = desk["a"], desk["one"], desk["contribution"]
    x = pin_make(811)
    _serving(contribution, one, a, at(9, 0), customer_ref=x)
    services.ticket_finish(counter=one, officer=a, outcome="documents_missing", now=at(9, 5))
    other = queue_office(offices["5000"], counters=1)
    elsewhere = Service.objects.get(office=other, kind="contribution")
    services.ticket_issue(
        service=elsewhere, customer_kind="insured", customer_ref=x, now=at(10, 0, day=DAY + datetime.timedelta(3))
    )
    found = repeat_visits(start=DAY, end=DAY, office_ids=[desk["office"].pk])
    assert [(r.office_id, r.documents_missing, r.came_back) for r in found] == [(desk["office"].pk, 1, 1)]
    assert repeat_visits(start=DAY, end=DAY + datetime.timedelta(3), office_ids=[other.pk]) == []
