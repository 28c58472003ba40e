"""Late corrections re-roll their day: a write that changes, after its day has passed, what a
past day's summary rows were built from has exactly that day rolled again by a worker
(sso.core.tasks.days_reroll_on_commit): a payment dated back and its receipt voided
(CollectionDay), a service-time target announced, changed or deleted over past days, a service's
kind changed and the nightly close of tickets left open (QueueSummary)."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from contributions import services as contributions
from contributions.models import CollectionDay
from queueing import services as queue
from queueing import tasks as queue_tasks
from queueing.models import Counter, QueueSummary, Service, ServiceTarget, Ticket
from tests.factories import (
    employee_make,
    employer_make,
    queue_office,
    statement_make,
    statement_paid_make,
)

BANGKOK = ZoneInfo("Asia/Bangkok")


def _days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def at(day, hour, minute):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BANGKOK)


def _until(check, seconds=60):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.2)
    return check()


# Contributions -----------------------------------------------------------------------------


def _payments(day):
    return sorted(
        CollectionDay.objects.filter(day=day, measure="payment").values_list("office__code", "key", "count", "amount")
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_payment_dated_back_and_its_receipt_voided_later_roll_the_payments_day_again(
    reference_rules, cast, offices, celery_worker_process
):
    counter = cast["counter"]
    day = _days_ago(3)
    employer = employer_make(offices["1001"], counter, n=951)
    person = employee_make(employer, 9511, counter).person
    statement = statement_make(employer, counter, [person])
    contributions.collection_summary_roll(day=day)
    assert _payments(day) == []

    # The bank's notice of a payment made three days ago arrives today.
    payment = statement_paid_make(statement, counter, paid_on=day, channel="bank", method="transfer", reference="B-1")
    assert _until(lambda: _payments(day) == [("1001", "bank", 1, payment.amount)]), _payments(day)

    contributions.receipt_void(receipt=payment.receipt, officer=cast["supervisor"], reason="Bounced")
    assert _until(lambda: _payments(day) == []), _payments(day)


def test_only_a_past_day_is_sent_today_is_the_beats(offices, django_capture_on_commit_callbacks):
    office = offices["1001"].pk
    with django_capture_on_commit_callbacks() as callbacks:
        assert contributions.collection_day_changed(day=timezone.localdate(), office_id=office) == []
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert contributions.collection_day_changed(day=_days_ago(1), office_id=office) == [_days_ago(1)]
    assert len(callbacks) == 1


# The queue ---------------------------------------------------------------------------------


def _visit(service, counter, officer, day, minutes, hour=9):
    """A ticket of `day` issued at `hour`:00, called and started a minute later, finished
    `minutes` after it was issued (the visit's length)."""
    queue.ticket_issue(service=service, customer_kind="insured", now=at(day, hour, 0))
    queue.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(day, hour, 1))
    queue.ticket_start(counter=counter, officer=officer, now=at(day, hour, 2))
    queue.ticket_finish(counter=counter, officer=officer, outcome="completed", now=at(day, hour, minutes))


def _within(day, service):
    return list(QueueSummary.objects.filter(day=day, service=service).values_list("targeted", "within_target"))


@pytest.fixture
def desk(cast, offices):
    office = queue_office(offices["1001"], counters=1)
    counter = Counter.objects.get(office=office, number=1)
    queue.counter_sign_in(counter=counter, officer=cast["counter"])
    return {
        "office": office,
        "counter": counter,
        "officer": cast["counter"],
        "contribution": Service.objects.get(office=office, kind="contribution"),
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_target_announced_changed_or_deleted_over_past_days_rolls_exactly_those_days_again(
    reference_rules, desk, cast, celery_worker_process
):
    contribution = desk["contribution"]
    old, recent = _days_ago(10), _days_ago(3)
    ServiceTarget.objects.create(kind="contribution", minutes=45, valid_from=datetime.date(2020, 1, 1))
    _visit(contribution, desk["counter"], desk["officer"], old, 30)
    _visit(contribution, desk["counter"], desk["officer"], recent, 30)
    queue.queue_summary_roll(day=old, end=recent)
    assert _within(old, contribution) == _within(recent, contribution) == [(1, 1)]
    old_rolled = QueueSummary.objects.get(day=old).rolled_at

    # The rules page announces targets from a future day only (four eyes, issue 16); a target
    # over past days comes from a correction through the service (a data migration, the shell),
    # which must still roll those days again. 20 minutes from five days ago: the recent visit of
    # 30 minutes is no longer within.
    admin = cast["admin"]
    announced = queue.service_target_save(
        target=ServiceTarget(kind="contribution", minutes=20, valid_from=_days_ago(5)), officer=admin
    )
    assert _until(lambda: _within(recent, contribution) == [(1, 0)]), _within(recent, contribution)
    # Sent in day order to a single worker: the day before the new target was not sent at all.
    assert QueueSummary.objects.get(day=old).rolled_at == old_rolled

    announced.minutes = 35
    queue.service_target_save(target=announced, officer=admin)
    assert _until(lambda: _within(recent, contribution) == [(1, 1)]), _within(recent, contribution)

    ServiceTarget.objects.filter(minutes=45).update(minutes=25)  # behind the service's back: not rolled
    queue.service_target_delete(target=announced, officer=admin)
    assert not ServiceTarget.objects.filter(pk=announced.pk).exists()
    # Back to the older target, now 25 minutes: the recent visit of 30 is over it again.
    assert _until(lambda: _within(recent, contribution) == [(1, 0)]), _within(recent, contribution)
    assert QueueSummary.objects.get(day=old).rolled_at == old_rolled


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_services_kind_changed_rolls_its_past_days_again(
    reference_rules, desk, client_for, cast, celery_worker_process
):
    contribution = desk["contribution"]
    Service.objects.filter(office=desk["office"], kind="registration").delete()  # a kind the office lacks
    day = _days_ago(2)
    ServiceTarget.objects.create(kind="contribution", minutes=45, valid_from=datetime.date(2020, 1, 1))
    ServiceTarget.objects.create(kind="registration", minutes=20, valid_from=datetime.date(2020, 1, 1))
    _visit(contribution, desk["counter"], desk["officer"], day, 30)
    queue.queue_summary_roll(day=day)
    assert _within(day, contribution) == [(1, 1)]
    response = client_for(cast["admin"]).post(
        f"/admin/queueing/service/{contribution.pk}/change/",
        {
            "prefix": contribution.prefix,
            "name_th": contribution.name_th,
            "name_en": contribution.name_en,
            "kind": "registration",
            "is_active": "on",
            "sort_order": contribution.sort_order,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert _until(lambda: _within(day, contribution) == [(1, 0)]), _within(day, contribution)


@pytest.mark.django_db
def test_a_target_rolls_only_the_past_days_whose_target_it_changes(desk, django_capture_on_commit_callbacks):
    contribution = desk["contribution"]
    ServiceTarget.objects.all().delete()
    ServiceTarget.objects.create(kind="contribution", minutes=45, valid_from=datetime.date(2020, 1, 1))
    days = [_days_ago(n) for n in (12, 8, 4, 2)]
    for day in days:
        _visit(contribution, desk["counter"], desk["officer"], day, 30)
    queue.queue_summary_roll(day=days[0], end=days[-1])
    sickness = ServiceTarget(kind="sickness", minutes=10, valid_from=days[0])
    same = ServiceTarget(kind="contribution", minutes=45, valid_from=_days_ago(20))
    shorter = ServiceTarget(kind="contribution", minutes=20, valid_from=days[1], valid_to=days[2])
    sent = {}
    for name, target in (("sickness", sickness), ("same", same), ("shorter", shorter)):
        with django_capture_on_commit_callbacks() as callbacks:
            queue.service_target_save(target=target, officer=None)
        sent[name] = len(callbacks)
    # No sickness ticket rolled up; the same minutes change no day; 20 minutes from 8 to 4 days ago.
    assert sent == {"sickness": 0, "same": 0, "shorter": 1}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_ticket_of_an_earlier_day_finished_now_rolls_its_day_again(reference_rules, desk, celery_worker_process):
    contribution, counter, officer = desk["contribution"], desk["counter"], desk["officer"]
    day = _days_ago(2)  # the close has not run since
    queue.ticket_issue(service=contribution, customer_kind="insured", now=at(day, 16, 0))
    queue.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(day, 16, 1))
    queue.ticket_start(counter=counter, officer=officer, now=at(day, 16, 2))
    queue.queue_summary_roll(day=day)
    assert list(QueueSummary.objects.filter(day=day).values_list("served", flat=True)) == [0]
    queue.ticket_finish(counter=counter, officer=officer, outcome="completed")
    assert _until(lambda: list(QueueSummary.objects.filter(day=day).values_list("served", flat=True)) == [1])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_close_rolls_every_day_whose_tickets_it_ends_again(reference_rules, desk, celery_worker_process):
    contribution = desk["contribution"]
    forgotten = _days_ago(4)  # the close did not run that night
    _visit(contribution, desk["counter"], desk["officer"], forgotten, 10, hour=9)
    queue.ticket_issue(service=contribution, customer_kind="insured", now=at(forgotten, 16, 0))
    queue.queue_summary_roll(day=forgotten)
    assert list(QueueSummary.objects.filter(day=forgotten).values_list("hour", "cancelled")) == [(9, 0), (16, 0)]

    assert queue_tasks.queue_days_close() == 1
    assert Ticket.objects.get(issued_at=at(forgotten, 16, 0)).outcome == "cancelled"
    assert _until(
        lambda: list(QueueSummary.objects.filter(day=forgotten, hour=16).values_list("cancelled", flat=True)) == [1]
    )
