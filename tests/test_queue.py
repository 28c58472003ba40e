"""The walk-in queue: numbering, first come first served, the counter's actions, bad input."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from queueing import selectors, services
from queueing.models import Counter, Service, Ticket, TicketCall
from queueing.selectors import queue_live, service_time_report, ticket_estimated_wait_minutes, ticket_people_ahead
from tests.factories import queue_office

pytestmark = pytest.mark.django_db

VALID_PIN = "1101700230708"  # a valid Thai national ID (check digit)


@pytest.fixture
def office(cast, offices):
    office = queue_office(offices["1001"])
    # Averages stay in the cache for minutes: those of an earlier run's services with the
    # same ids (a test database made afresh) must not set this run's waits.
    services_here = Service.objects.filter(office=office).values_list("pk", flat=True)
    cache.delete_many([selectors._average_key(pk, days) for pk in services_here for days in (7,)])
    return office


@pytest.fixture
def contribution(office):
    return Service.objects.get(office=office, kind="contribution")


@pytest.fixture
def sickness(office):
    return Service.objects.get(office=office, kind="sickness")


@pytest.fixture
def counter(office, cast):
    counter = Counter.objects.get(office=office, number=1)  # serves contribution only
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


def issue(service, minutes=0, **kw):
    kw.setdefault("customer_kind", "employer")
    return services.ticket_issue(service=service, now=timezone.now() + datetime.timedelta(minutes=minutes), **kw)


def test_numbers_run_per_prefix_per_day_without_gaps(contribution, sickness):
    codes = [issue(contribution).code, issue(contribution).code, issue(sickness).code, issue(contribution).code]
    assert codes == ["A001", "A002", "C001", "A003"]


def test_a_failed_issue_uses_no_number(contribution):
    issue(contribution)
    with pytest.raises(services.ValidationError):
        issue(contribution, customer_kind="insured", customer_ref="1234567890123")
    assert issue(contribution).code == "A002"


def test_call_next_takes_the_oldest_waiting_ticket_of_the_counters_services(counter, contribution, sickness, cast):
    first = issue(contribution, minutes=-10)
    issue(sickness, minutes=-20)  # older, but counter 1 does not serve sickness
    second = issue(contribution, minutes=-5)
    called = services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert called == first
    assert called.status == "called" and called.counter == counter and called.officer == cast["counter"]
    services.ticket_no_show(counter=counter, officer=cast["counter"])
    assert services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"]) == second


def test_priority_tickets_come_first_then_first_come_first_served(counter, contribution, cast):
    regular_old = issue(contribution, minutes=-30)
    priority_new = issue(contribution, minutes=-1, priority=Ticket.Priority.PRIORITY)
    regular_new = issue(contribution, minutes=-2)
    order = []
    for _ in range(3):
        order.append(services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"]))
        services.ticket_no_show(counter=counter, officer=cast["counter"])
    assert order == [priority_new, regular_old, regular_new]


def test_calling_with_no_ticket_waiting_says_so_and_changes_nothing(counter, cast):
    with pytest.raises(services.QueueError) as caught:
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert caught.value.code == "empty"
    assert TicketCall.objects.count() == 0


def test_a_counter_holds_one_ticket_at_a_time(counter, contribution, cast):
    issue(contribution)
    issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    with pytest.raises(services.QueueError) as caught:
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert caught.value.code == "busy"
    assert Ticket.objects.filter(status="waiting").count() == 1


def test_only_the_officer_signed_in_may_act_at_a_counter(counter, contribution, cast):
    issue(contribution)
    with pytest.raises(services.QueueError) as caught:
        services.ticket_call_next(counter_id=counter.pk, officer=cast["supervisor"])
    assert caught.value.code == "not_signed_in"


def test_the_full_service_records_every_moment(counter, contribution, cast):
    ticket = issue(contribution, customer_kind="insured", customer_ref=VALID_PIN)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_recall(counter=counter, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    services.ticket_finish(counter=counter, officer=cast["counter"], outcome="documents_missing")
    ticket.refresh_from_db()
    assert ticket.status == "done" and ticket.outcome == "documents_missing"
    assert ticket.call_count == 2 and ticket.calls.count() == 2
    assert ticket.issued_at <= ticket.first_called_at <= ticket.called_at <= ticket.started_at <= ticket.finished_at
    assert ticket.visit.finished_at == ticket.finished_at


def test_finishing_a_ticket_that_is_not_being_served_is_refused(counter, contribution, cast):
    issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    with pytest.raises(services.QueueError) as caught:
        services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
    assert caught.value.code == "no_current"
    assert Ticket.objects.get().status == "called"


def test_a_transfer_keeps_the_visit_clock_and_its_place(office, counter, contribution, sickness, cast):
    ticket = issue(contribution, minutes=-40)
    waiting_sick = issue(sickness, minutes=-10)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    moved = services.ticket_transfer(counter=counter, officer=cast["counter"], to_service=sickness)
    ticket.refresh_from_db()
    assert ticket.outcome == "transferred" and ticket.visit.finished_at is None
    assert moved.visit == ticket.visit and moved.transferred_from == ticket
    assert moved.code.startswith("C") and moved.queued_at == ticket.visit.started_at
    assert ticket_people_ahead(moved) == 0 and ticket_people_ahead(waiting_sick) == 1


def test_a_transfer_to_a_service_the_office_does_not_offer_is_refused(counter, contribution, cast, offices):
    other_office = queue_office(offices["5000"], counters=1)
    elsewhere = Service.objects.get(office=other_office, kind="sickness")
    issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    with pytest.raises(services.QueueError) as caught:
        services.ticket_transfer(counter=counter, officer=cast["counter"], to_service=elsewhere)
    assert caught.value.code == "service_elsewhere"
    assert Ticket.objects.filter(office=counter.office).get().status == "called"


def test_a_transfer_to_a_counter_is_called_only_there(office, counter, contribution, cast):
    other = Counter.objects.get(office=office, number=2)  # also contribution
    services.counter_sign_in(counter=other, officer=cast["verifier"])
    issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    moved = services.ticket_transfer(counter=counter, officer=cast["counter"], to_counter=other)
    with pytest.raises(services.QueueError):
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert services.ticket_call_next(counter_id=other.pk, officer=cast["verifier"]) == moved


@pytest.mark.parametrize(
    ("kind", "ref", "code"),
    [
        ("insured", "1234567890123", "pin_invalid"),
        ("insured", "11017002307", "pin_length"),
        ("insured", "110170023070x", "ref_chars"),
        ("employer", "12345", "account_length"),
    ],
)
def test_a_kiosk_request_with_a_bad_id_is_refused_and_issues_nothing(contribution, kind, ref, code):
    with pytest.raises(services.ValidationError) as caught:
        services.ticket_issue(service=contribution, customer_kind=kind, customer_ref=ref)
    assert caught.value.code == code
    assert Ticket.objects.count() == 0


def test_ids_are_stored_as_digits(contribution):
    ticket = services.ticket_issue(service=contribution, customer_kind="insured", customer_ref="1-1017-00230-70-8")
    assert ticket.customer_ref == VALID_PIN
    ticket = services.ticket_issue(service=contribution, customer_kind="employer", customer_ref="10-0000-0001")
    assert ticket.customer_ref == "1000000001"


def test_sign_in_moves_an_officer_and_refuses_a_taken_counter(office, counter, cast):
    other = Counter.objects.get(office=office, number=2)
    services.counter_sign_in(counter=other, officer=cast["counter"])
    counter.refresh_from_db()
    assert counter.officer is None
    with pytest.raises(services.QueueError) as caught:
        services.counter_sign_in(counter=other, officer=cast["verifier"])
    assert caught.value.code == "counter_taken"


def test_people_ahead_and_estimated_wait(counter, contribution, cast):
    tickets = [issue(contribution, minutes=-i) for i in (5, 4, 3)]
    assert [ticket_people_ahead(t) for t in tickets] == [0, 1, 2]
    # No history yet: a third of the 45-minute target per person, one open counter.
    assert ticket_estimated_wait_minutes(tickets[2]) == 30


def test_the_beat_keeps_every_services_average_for_the_kiosks(counter, contribution, sickness, cast):
    from django.core.cache import cache

    from queueing.selectors import service_average_minutes, service_averages_refresh

    now = timezone.now()
    for minutes in (10, 20):
        ticket = issue(contribution)
        Ticket.objects.filter(pk=ticket.pk).update(
            status="done",
            outcome="completed",
            started_at=now - datetime.timedelta(minutes=minutes),
            finished_at=now,
        )
    cache.clear()
    assert service_averages_refresh() == Service.objects.filter(is_active=True).count()
    assert service_average_minutes(contribution) == pytest.approx(15)
    assert service_average_minutes(sickness) is None  # no history: the kiosk uses the target
    # The wait estimate uses it: two waiting, one counter open, 15 minutes each.
    waiting = [issue(contribution) for _ in range(3)]
    assert ticket_estimated_wait_minutes(waiting[2]) == 30


def test_live_view_and_service_time_report(office, counter, contribution, cast):
    now = timezone.now()
    issue(contribution, minutes=-50)
    issue(contribution, minutes=-3)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
    live = queue_live(office_id=office.pk)
    [load] = [load for load in live["loads"] if load.service == contribution]
    assert load.waiting == 1 and load.counters_open == 1 and load.target_minutes == 45
    [row] = [row for row in service_time_report(office_id=office.pk, day=timezone.localdate(now)) if row.visits]
    assert row.visits == 1 and row.average_minutes >= 49 and row.within_target == 0


def test_a_day_without_visits_says_so_instead_of_rows_of_zeros(office, counter, contribution, cast, client_for):
    client = client_for(cast["supervisor"])
    quiet = client.get(f"/queue/report/?office={office.code}&day=01/11/2569").content.decode()
    assert 'data-testid="no-visits"' in quiet and 'data-testid="service-times"' not in quiet
    issue(contribution, minutes=-10)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
    today = client.get(f"/queue/report/?office={office.code}").content.decode()
    assert 'data-testid="service-times"' in today and 'data-testid="no-visits"' not in today


def test_the_nightly_close_ends_yesterdays_open_tickets(counter, contribution, cast):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    waiting = services.ticket_issue(service=contribution, customer_kind="employer", now=yesterday)
    closed = services.queue_day_close(office_id=counter.office_id, before_day=timezone.localdate())
    waiting.refresh_from_db()
    assert closed == 1 and waiting.outcome == "cancelled"
    assert services.queue_day_close(office_id=counter.office_id, before_day=timezone.localdate()) == 0


def test_finish_and_call_next_in_one_step(counter, contribution, cast):
    first, second = issue(contribution, minutes=-2), issue(contribution, minutes=-1)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    with pytest.raises(services.QueueError) as caught:
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")
    assert caught.value.code == "close_current"
    assert (
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="completed") == second
    )
    first.refresh_from_db()
    assert first.outcome == "completed" and first.finished_at is not None


def test_finish_and_call_next_with_no_one_waiting_keeps_the_current_ticket(counter, contribution, cast):
    only = issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    with pytest.raises(services.QueueError) as caught:
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")
    assert caught.value.code == "empty"
    only.refresh_from_db()
    assert only.status == "called" and only.outcome == ""


@pytest.mark.django_db(transaction=True)
def test_the_queue_tables_are_vacuumed_outside_a_transaction_only():
    from django.db import connection, transaction

    from queueing.services import queue_tables_vacuum

    queue_tables_vacuum()  # no error: VACUUM ran
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'queueing_ticket' AND vacuum_count > 0"
        )
    with transaction.atomic(), pytest.raises(RuntimeError):
        queue_tables_vacuum()


@pytest.mark.django_db(transaction=True)
def test_the_ticket_commits_durably_and_only_the_call_does_not_wait_for_the_disk(counter, contribution, cast):
    """A printed number is a promise: the kiosk's ticket waits for the disk (synchronous_commit on),
    so a database crash cannot lose it and hand its number to someone else. Only the call turns
    synchronous_commit off, for its own transaction (migration 0008); finishing waits for the disk."""
    from django.db import connection, transaction

    def synchronous_commit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(record):
        assert synchronous_commit() == "on"
        issue(contribution)
        assert synchronous_commit() == "on"
    assert not any("synchronous_commit" in sql for sql in statements if "SHOW" not in sql)
    with transaction.atomic():
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"  # for that transaction only
    with transaction.atomic():
        services.ticket_start(counter=counter, officer=cast["counter"])
        services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
        assert synchronous_commit() == "on"


def test_call_next_reads_the_queue_in_index_order_with_its_cached_plan():
    """The function's plans are cached per connection (a generic plan, migration 0005): that
    plan must still read the head of ticket_waiting_queue in order, never sort the day."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'queue_call_next'")
        settings = set(cursor.fetchone()[0])
        assert {"enable_sort=off", "enable_bitmapscan=off"} <= settings
        assert not any(item.startswith("plan_cache_mode") for item in settings)
        # The head-of-queue statement as the function runs it, under the function's settings.
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            """PREPARE queue_head(bigint, bigint, date) AS
               SELECT t.id FROM queueing_ticket t
               WHERE t.office_id = $1 AND t.service_day = $3 AND t.status = 'waiting'
                 AND t.service_id IN (SELECT cs.service_id FROM queueing_counter_services cs
                                      JOIN queueing_service s ON s.id = cs.service_id AND s.is_active
                                      WHERE cs.counter_id = $2)
                 AND (t.target_counter_id IS NULL OR t.target_counter_id = $2)
               ORDER BY t.priority, t.queued_at, t.id LIMIT 1 FOR UPDATE SKIP LOCKED"""
        )
        cursor.execute("EXPLAIN EXECUTE queue_head(1, 1, CURRENT_DATE)")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE queue_head")
        # The counter's current ticket: the only index led by the counter is the partial one
        # of open tickets, so no cached plan can read every ticket the counter ever served.
        constraints = connection.introspection.get_constraints(cursor, "queueing_ticket")
        counter_indexes = [
            name for name, about in constraints.items() if about["index"] and about["columns"][:1] == ["counter_id"]
        ]
    assert "ticket_waiting_queue" in plan
    assert "Sort" not in plan
    assert counter_indexes == ["ticket_one_per_counter"]


def test_queue_history_tops_up_after_the_numbers_those_days_already_have(office):
    from queueing.demo import history_generate

    assert history_generate(count=300, days=3) == 300
    assert history_generate(count=200, days=3) == 200  # the same days again: numbering goes on
    past = Ticket.objects.filter(service_day__lt=timezone.localdate())
    assert past.count() == 500
    for key in past.values("office_id", "service_day", "prefix").distinct():
        numbers = sorted(past.filter(**key).values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
