"""Writes of the walk-in queue: issuing, calling, serving, transferring and closing tickets.

Calling next takes the oldest eligible waiting ticket with `FOR UPDATE SKIP LOCKED`: two
counters never get the same ticket, and a counter never passes over a ticket that nobody
else holds. The counter's own row is locked first, so one counter's actions are
serialised, and a partial unique index keeps a counter to one ticket at a time. The call
runs as the database function queue_call_next (queueing/sql/queue_call_next.sql), one round
trip. Every status change goes through the ticket's lifecycle table (queueing.lifecycles).

Over 500 lines: every write of the queue (tickets, counters, the day's close, the summary
roll-up and the case's steps heard from the other apps) is here, by the app-boundary rule that
other apps write only through services.
"""

import datetime
from contextlib import nullcontext

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from queueing import events
from queueing.lifecycles import DAY_END_OUTCOMES, FINISH_OUTCOMES, TICKET_LIFECYCLE, ticket_close_check
from queueing.models import (
    HISTOGRAM_CAP,
    Counter,
    QueueRollup,
    QueueSummary,
    Rating,
    Service,
    ServiceKind,
    ServiceTarget,
    Ticket,
    TicketCall,
    TicketEvent,
    TicketSequence,
    Visit,
)
from queueing.sql import sql_read
from registry.validators import account_number_clean, national_id_clean
from sso.core.months import month_add, month_first, months_between
from sso.core.numbering import number_next
from sso.core.records import refuse, stamp
from sso.core.tasks import days_reroll_on_commit


class QueueError(ValidationError):
    """A queue action that cannot be done in the current state; nothing was changed."""


def _local_day(now):
    return timezone.localdate(now)


# The kiosk's and the API's codes for a refused ID, by the registry's check that refused it.
_REF_CODES = {
    Ticket.CustomerKind.INSURED: {"chars": "ref_chars", "length": "pin_length", "checksum": "pin_invalid"},
    Ticket.CustomerKind.EMPLOYER: {"chars": "ref_chars", "length": "account_length"},
}


def customer_ref_clean(customer_kind: str, raw: str) -> str:
    """A national ID (13 digits, check digit) or an employer account (10 digits), digits only;
    empty if none was given. Checked by the registry's own validators."""
    if not raw or not raw.strip():
        return ""
    insured = customer_kind == Ticket.CustomerKind.INSURED
    try:
        return national_id_clean(raw) if insured else account_number_clean(raw)
    except ValidationError as exc:
        codes = _REF_CODES[Ticket.CustomerKind.INSURED if insured else Ticket.CustomerKind.EMPLOYER]
        raise ValidationError(exc.message, code=codes.get(exc.code, exc.code), params=exc.params) from None


# The kiosk's ticket in one statement (see the file for why it is shaped so).
_ISSUE_SQL = sql_read("ticket_issue.sql", comments=False)


def ticket_issue(
    *, service: Service, customer_kind: str, customer_ref: str = "", priority: int = Ticket.Priority.REGULAR, now=None
) -> Ticket:
    """A new ticket at the kiosk (or the reception desk), with its own visit."""
    return ticket_issue_in_scope(
        service_id=service.pk,
        scope_office_id=None,
        customer_kind=customer_kind,
        customer_ref=customer_ref,
        priority=priority,
        now=now,
    )


def ticket_issue_in_scope(
    *,
    service_id: int,
    scope_office_id: int | None,
    customer_kind: str,
    customer_ref: str = "",
    priority: int = Ticket.Priority.REGULAR,
    now=None,
) -> Ticket:
    """A new ticket for the service `service_id`, which must be in the caller's office scope
    (see sso.core.scoping; else Service.DoesNotExist) and offered now (else QueueError)."""
    if customer_kind not in Ticket.CustomerKind.values:
        raise QueueError(_("Choose employer or insured person."), code="customer_kind")
    if priority not in Ticket.Priority.values:
        raise QueueError(_("Unknown priority class."), code="priority")
    ref = customer_ref_clean(customer_kind, customer_ref)
    now = now or timezone.now()
    values = {
        "service": service_id,
        "scope": scope_office_id,
        "day": _local_day(now),
        "kind": customer_kind,
        "ref": ref,
        "priority": int(priority),
        "now": now,
    }
    with connection.cursor() as cursor:  # one statement: atomic by itself
        cursor.execute(_ISSUE_SQL, values)
        row = cursor.fetchone()
    if row is None:  # nothing was written: say why
        lookup = {"pk": service_id} if scope_office_id is None else {"pk": service_id, "office_id": scope_office_id}
        if Service.objects.filter(**lookup).exists():
            raise QueueError(_("This service is not offered now."), code="service_inactive")
        raise Service.DoesNotExist(f"service {service_id}")
    ticket = _model_from_json(Ticket, row[0])
    ticket.service = _model_from_json(Service, row[1])
    return ticket


def _ticket_create(*, service, visit, customer_kind, ref, priority, now, queued_at=None, **extra) -> Ticket:
    day = _local_day(now)
    return Ticket.objects.create(
        office_id=service.office_id,
        service=service,
        visit=visit,
        service_day=day,
        prefix=service.prefix,
        # In the ticket's own transaction: a failed transfer rolls the number back.
        number=number_next(TicketSequence, office_id=service.office_id, service_day=day, prefix=service.prefix),
        customer_kind=customer_kind,
        customer_ref=ref,
        priority=priority,
        queued_at=queued_at or now,
        issued_at=now,
        **extra,
    )


NOT_SIGNED_IN = _("Sign in at this counter first.")


def _counter_lock(counter: Counter, officer) -> Counter:
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if officer is not None and locked.officer_id != officer.pk:
        raise QueueError(NOT_SIGNED_IN, code="not_signed_in")
    return locked


def _current(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.select_for_update()
        .filter(counter=counter, status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])
        .first()
    )


def _publish_call(ticket: Ticket, counter: Counter, kind: str):
    service = ticket.service
    payload = {
        "kind": kind,
        "ticket": ticket.code,
        "counter": counter.number,
        "service_th": service.name_th,
        "service_en": service.name_en,
        "at": ticket.called_at.isoformat(),
    }
    transaction.on_commit(lambda: events.event_publish(ticket.office_id, payload))


# "Finish and call next" closes a ticket being served with a finish outcome, or a called
# one as a no-show (queue_call_next checks which applies to the current ticket).
CLOSE_CURRENT_OUTCOMES = (*FINISH_OUTCOMES, Ticket.Outcome.NO_SHOW)

_CALL_NEXT_ERRORS = {
    "not_signed_in": NOT_SIGNED_IN,
    "busy": _("Finish or release the current ticket before calling the next."),
    "close_current": _("The current ticket cannot be closed that way."),
    "no_services": _("This counter serves no service."),
    "empty": _("No one is waiting for this counter's services."),
}


def ticket_call_next(
    *, counter_id: int, officer, scope_office_id: int | None = None, close_current: str | None = None, now=None
) -> Ticket:
    """Call the oldest eligible waiting ticket to this counter.

    With `close_current`, the counter's current ticket is first closed with that outcome
    (the busy counter's "finish and call next" key). The step is the database function
    queue_call_next (queueing/sql/queue_call_next.sql): one round trip and one transaction, the counter row
    locked, the head of the queue taken with FOR UPDATE SKIP LOCKED, the call logged.
    `scope_office_id` limits the counters that may be used (see sso.core.scoping);
    another office's counter raises Counter.DoesNotExist.
    """
    if close_current is not None and close_current not in CLOSE_CURRENT_OUTCOMES:
        raise QueueError(_CALL_NEXT_ERRORS["close_current"], code="close_current")
    now = now or timezone.now()
    args = [counter_id, officer.pk if officer else None, scope_office_id, close_current, now, _local_day(now)]
    try:
        # Inside an outer transaction a refusal must not poison it: a savepoint then.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            with connection.cursor() as cursor:
                cursor.execute("SELECT queue_call_next(%s, %s, %s, %s, %s, %s)", args)
                called = cursor.fetchone()[0]
    except DatabaseError as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) != "P0001":  # not one of the function's own refusals
            raise
        code = cause.diag.message_primary
        if code == "not_found":
            raise Counter.DoesNotExist(f"counter {counter_id}") from None
        if code in _CALL_NEXT_ERRORS:
            raise QueueError(_CALL_NEXT_ERRORS[code], code=code) from None
        raise
    ticket = _model_from_json(Ticket, called["ticket"])
    ticket.service = _model_from_json(Service, called["service"])
    ticket.counter = Counter(id=counter_id, office_id=ticket.office_id, number=called["counter_number"])
    _publish_call(ticket, ticket.counter, "call")
    return ticket


def _model_from_json(model, row: dict):
    """A model instance from a row the database returned as JSON (row_to_json)."""
    values = []
    for field in model._meta.concrete_fields:
        value = row.get(field.column)
        if value is not None and field.get_internal_type() in ("DateTimeField", "DateField"):
            value = field.to_python(value)
        values.append(value)
    return model.from_db(connection.alias, [f.attname for f in model._meta.concrete_fields], values)


def _require_current(counter, officer, *statuses) -> tuple[Counter, Ticket]:
    counter = _counter_lock(counter, officer)
    ticket = _current(counter)
    if ticket is None or ticket.status not in statuses:
        raise QueueError(_("This counter has no ticket in a state that allows this."), code="no_current")
    return counter, ticket


@transaction.atomic
def ticket_recall(*, counter: Counter, officer, now=None) -> Ticket:
    """Call the counter's current ticket again (the customer did not come yet)."""
    counter, ticket = _require_current(counter, officer, Ticket.Status.CALLED)
    now = now or timezone.now()
    ticket.called_at = now
    ticket.call_count += 1
    ticket.save(update_fields=["called_at", "call_count"])
    TicketCall.objects.create(ticket=ticket, counter=counter, officer=officer, called_at=now)
    _publish_call(ticket, counter, "recall")
    return ticket


@transaction.atomic
def ticket_start(*, counter: Counter, officer, now=None) -> Ticket:
    """The customer is at the counter: the service clock starts."""
    counter, ticket = _require_current(counter, officer, Ticket.Status.CALLED)
    ticket.started_at = now or timezone.now()
    _phones_told(ticket.office_id)
    return TICKET_LIFECYCLE.move(ticket, Ticket.Status.SERVING, officer=officer, update_fields=["started_at"])


def _phones_told(office_id: int) -> None:
    """Once committed, the customers' phones read the office's queue afresh (queueing.phone);
    a call does this in its board event's round trip (queueing.events)."""
    transaction.on_commit(lambda: events.phone_state_bust(office_id))


def _close(ticket: Ticket, outcome: str, now, officer) -> Ticket:
    ticket_close_check(ticket, outcome)
    _phones_told(ticket.office_id)
    if outcome in RATED_OUTCOMES and ticket.counter_id:  # the counter's tablet asks for its rating
        from queueing.phone import counter_finished

        office_id, counter_id, ticket_id = ticket.office_id, ticket.counter_id, ticket.pk
        transaction.on_commit(lambda: counter_finished(office_id, counter_id, ticket_id))
    ticket.outcome = outcome
    ticket.finished_at = now
    TICKET_LIFECYCLE.move(ticket, Ticket.Status.DONE, officer=officer, update_fields=["outcome", "finished_at"])
    if outcome != Ticket.Outcome.TRANSFERRED:
        # The visit ends with its last open ticket.
        Visit.objects.filter(pk=ticket.visit_id).exclude(
            tickets__status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED, Ticket.Status.SERVING]
        ).update(finished_at=now)
    if ticket.service_day < _local_day(now):
        # A ticket of an earlier day still open (the nightly close has not run since): its day
        # is already rolled up.
        queue_days_changed(days=[ticket.service_day], office_id=ticket.office_id)
    return ticket


@transaction.atomic
def ticket_finish(*, counter: Counter, officer, outcome: str, now=None) -> Ticket:
    """The service is over, with its outcome."""
    if outcome not in FINISH_OUTCOMES:
        raise QueueError(_("Choose how the service ended."), code="outcome")
    counter, ticket = _require_current(counter, officer, Ticket.Status.SERVING)
    return _close(ticket, outcome, now or timezone.now(), officer)


@transaction.atomic
def ticket_no_show(*, counter: Counter, officer, now=None) -> Ticket:
    """The called customer did not come."""
    counter, ticket = _require_current(counter, officer, Ticket.Status.CALLED)
    return _close(ticket, Ticket.Outcome.NO_SHOW, now or timezone.now(), officer)


@transaction.atomic
def ticket_transfer(
    *, counter: Counter, officer, to_service: Service | None = None, to_counter: Counter | None = None, now=None
) -> Ticket:
    """Send the current customer to another service or counter; the visit clock keeps running
    and the new ticket keeps the visit's place in the queue."""
    counter, ticket = _require_current(counter, officer, Ticket.Status.CALLED, Ticket.Status.SERVING)
    if to_service is None and to_counter is None:
        raise QueueError(_("Choose the service or counter to transfer to."), code="no_target")
    service = to_service or ticket.service
    if service.office_id != counter.office_id or not service.is_active:
        raise QueueError(_("This office does not offer that service."), code="service_elsewhere")
    if to_counter is not None:
        if to_counter.office_id != counter.office_id or not to_counter.is_active:
            raise QueueError(_("That counter is not in this office."), code="counter_elsewhere")
        if to_counter.pk == counter.pk:
            raise QueueError(_("Transfer to another counter than this one."), code="same_counter")
        if not to_counter.services.filter(pk=service.pk).exists():
            raise QueueError(_("That counter does not serve this service."), code="counter_service")
    now = now or timezone.now()
    _close(ticket, Ticket.Outcome.TRANSFERRED, now, officer)
    return _ticket_create(
        service=service,
        visit=ticket.visit,
        customer_kind=ticket.customer_kind,
        ref=ticket.customer_ref,
        priority=ticket.priority,
        now=now,
        queued_at=ticket.visit.started_at,
        transferred_from=ticket,
        target_counter=to_counter,
        case_type_id=ticket.case_type_id,
        case_id=ticket.case_id,
    )


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, officer, now=None) -> Ticket:
    """Withdraw a waiting ticket (the customer left)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.WAITING:
        raise QueueError(_("Only a waiting ticket can be cancelled."), code="not_waiting")
    return _close(ticket, Ticket.Outcome.CANCELLED, now or timezone.now(), officer)


@transaction.atomic
def ticket_give_up(*, ticket: Ticket, now=None) -> Ticket:
    """The customer gives up their ticket from their phone: it leaves the queue, cancelled
    (not a no-show), and only while it waits; once called, the counter decides."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.WAITING:
        raise QueueError(_("This ticket has already been called: please go to the counter."), code="not_waiting")
    return _close(ticket, Ticket.Outcome.CANCELLED, now or timezone.now(), None)


# The outcomes of a service given: a rating is of a service the customer received.
RATED_OUTCOMES = (Ticket.Outcome.COMPLETED, Ticket.Outcome.DOCUMENTS_MISSING, Ticket.Outcome.REFERRED)


@transaction.atomic
def rating_record(*, ticket: Ticket, score, comment: str = "", via: str = "phone", now=None) -> Rating:
    """The customer's rating of their finished ticket, once: tied to the office, service,
    counter and officer that served it. An unfinished, unserved or already rated ticket, or
    a score outside 1-5, is refused and nothing is stored. `via`: the customer's phone, or
    the counter's satisfaction tablet ("tablet")."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in Rating.Score.values:
        refuse("score", _("Choose a rating from 1 to 5."), "score")
    comment = (comment or "").strip()
    if len(comment) > Rating._meta.get_field("comment").max_length:
        refuse("comment", _("The comment is too long (at most 500 characters)."), "comment")
    if ticket.status != Ticket.Status.DONE or ticket.outcome not in RATED_OUTCOMES:
        refuse("score", _("This ticket's service is not finished: it can be rated once it is."), "unfinished")
    if Rating.objects.filter(ticket_id=ticket.pk).exists():
        refuse("score", _("This ticket has already been rated: thank you."), "rated")
    rating = Rating(
        ticket=ticket,
        office_id=ticket.office_id,
        service_id=ticket.service_id,
        counter_id=ticket.counter_id,
        officer_id=ticket.officer_id,
        day=ticket.service_day,
        score=score,
        comment=comment,
        rated_at=now or timezone.now(),
    )
    stamp(rating, None, "rated at the counter's tablet" if via == "tablet" else "rated from the ticket's page")
    rating.save()
    return rating


@transaction.atomic
def ticket_case_link(*, ticket: Ticket, case, officer) -> Ticket:
    """Tie the ticket to the business record it was about (statement, receipt, claim...)."""
    ticket.case_type = ContentType.objects.get_for_model(case)
    ticket.case_id = case.pk
    ticket.save(update_fields=["case_type", "case_id"])
    return ticket


@transaction.atomic
def counter_sign_in(*, counter: Counter, officer, now=None) -> Counter:
    """The officer takes this counter (leaving any other counter they held)."""
    if counter.office_id != officer.office_id:
        raise QueueError(_("That counter belongs to another office."), code="counter_elsewhere")
    if not counter.is_active:
        raise QueueError(_("That counter is closed."), code="counter_closed")
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if locked.officer_id not in (None, officer.pk):
        raise QueueError(_("Another officer is signed in at that counter."), code="counter_taken")
    previous = Counter.objects.select_for_update().filter(officer=officer).exclude(pk=counter.pk).first()
    if previous is not None:
        if _current(previous) is not None:
            raise QueueError(_("Finish the ticket at your other counter first."), code="busy_elsewhere")
        _counter_release(previous, officer)
    locked.officer = officer
    locked.signed_in_at = now or timezone.now()
    locked._history_user = officer
    try:
        with transaction.atomic():
            locked.save(update_fields=["officer", "signed_in_at"])
    except IntegrityError:
        raise QueueError(_("Another officer is signed in at that counter."), code="counter_taken") from None
    return locked


@transaction.atomic
def counter_sign_out(*, counter: Counter, officer) -> Counter:
    counter = _counter_lock(counter, officer)
    if _current(counter) is not None:
        raise QueueError(_("Finish the current ticket before leaving the counter."), code="busy")
    _counter_release(counter, officer)
    return counter


def _counter_release(counter: Counter, officer) -> None:
    counter.officer = None
    counter.signed_in_at = None
    counter._history_user = officer
    counter.save(update_fields=["officer", "signed_in_at"])


@transaction.atomic
def queue_day_close(*, office_id: int, before_day, now=None) -> int:
    """End the tickets of past days still open (run nightly): waiting ones are cancelled,
    called ones are no-shows, those being served are completed as they stood. Set-based:
    a busy office may leave thousands; the moves are the lifecycle's into done."""
    now = now or timezone.now()
    stale = Ticket.objects.filter(office_id=office_id, service_day__lt=before_day)
    outcome_for = {status: DAY_END_OUTCOMES[status] for status in TICKET_LIFECYCLE.sources(Ticket.Status.DONE)}
    # The days whose tickets this ends are rolled again: often only yesterday, but a close
    # that did not run for a night (beat down) leaves older days open too.
    queue_days_changed(
        days=stale.filter(status__in=list(outcome_for)).values_list("service_day", flat=True).distinct(),
        office_id=office_id,
    )
    closed = 0
    for status, outcome in outcome_for.items():
        closed += stale.filter(status=status).update(status=Ticket.Status.DONE, outcome=outcome, finished_at=now)
    if closed:
        Visit.objects.filter(office_id=office_id, finished_at__isnull=True).exclude(
            tickets__status__in=list(outcome_for)
        ).update(finished_at=now)
    return closed


# The standard services of an office and their ticket letters, for setting up a new office.
STANDARD_SERVICES = (
    ("contribution", "A", "ชำระเงินสมทบ", "Contribution payment"),
    ("registration", "B", "ขึ้นทะเบียน", "Registration"),
    ("sickness", "C", "เจ็บป่วย", "Sickness claim"),
    ("maternity", "D", "คลอดบุตร", "Maternity claim"),
    ("invalidity", "E", "ทุพพลภาพ", "Invalidity claim"),
    ("death", "F", "ตาย", "Death claim"),
    ("child_allowance", "G", "สงเคราะห์บุตร", "Child allowance"),
    ("old_age", "H", "ชราภาพ", "Old-age benefit"),
    ("unemployment", "J", "ว่างงาน", "Unemployment benefit"),
    ("enquiry", "K", "สอบถามข้อมูล", "Enquiry"),
)

# Which services each counter of a standard office serves (contribution has its own).
STANDARD_COUNTERS = (
    ("contribution",),
    ("contribution",),
    ("contribution", "registration"),
    ("sickness", "maternity", "invalidity", "death"),
    ("child_allowance", "old_age", "unemployment"),
    ("registration", "enquiry", "sickness"),
)


@transaction.atomic
def office_queue_setup(*, office, counters: int = len(STANDARD_COUNTERS)) -> tuple[int, int]:
    """Give an office the standard services and counters it lacks; returns (services, counters) added."""
    added_services = added_counters = 0
    by_kind = {}
    for order, (kind, prefix, name_th, name_en) in enumerate(STANDARD_SERVICES):
        service, created = Service.objects.get_or_create(
            office=office,
            kind=kind,
            defaults={"prefix": prefix, "name_th": name_th, "name_en": name_en, "sort_order": order},
        )
        by_kind[kind] = service
        added_services += created
    for number in range(1, counters + 1):
        counter, created = Counter.objects.get_or_create(office=office, number=number)
        if created:
            kinds = STANDARD_COUNTERS[(number - 1) % len(STANDARD_COUNTERS)]
            counter.services.set([by_kind[kind] for kind in kinds])
            added_counters += 1
    return added_services, added_counters


QUEUE_TABLES = ("queueing_ticket", "queueing_counter", "queueing_visit")


def queue_tables_vacuum() -> None:
    """Remove the dead index entries calls leave at the head of the waiting queue, so that
    calling next costs the same at closing time as at opening (see migration 0004).
    VACUUM cannot run in a transaction: called outside one (the beat task, the benchmark)."""
    if connection.in_atomic_block:
        raise RuntimeError("queue_tables_vacuum must run outside a transaction")
    with connection.cursor() as cursor:
        for table in QUEUE_TABLES:
            cursor.execute(f"VACUUM (SKIP_LOCKED) {table}")


# The step that ends a visit's process, by its service's kind (QueueSummary's process time):
# the receipt for a contribution; for a claim, its decision at the counter, else its record.
PROCESS_RECEIPT_KINDS = (ServiceKind.CONTRIBUTION,)
PROCESS_CLAIM_KINDS = (
    ServiceKind.SICKNESS,
    ServiceKind.MATERNITY,
    ServiceKind.INVALIDITY,
    ServiceKind.DEATH,
    ServiceKind.CHILD_ALLOWANCE,
    ServiceKind.OLD_AGE,
    ServiceKind.UNEMPLOYMENT,
)


@transaction.atomic
def queue_summary_roll(*, day, office_id: int | None = None, end=None, now=None) -> int:
    """Rebuild the queue's summary rows (QueueSummary) and their day roll-ups (QueueRollup) of
    `day` (to `end`, if given: a range of days in one statement) for one office or every
    office: delete, then insert from the tickets in one set-based statement
    (queueing/sql/queue_summary_roll.sql); then the month roll-ups of every month among those
    days that has ended, from its day roll-ups (queue_rollup_months.sql; a month without any
    yet for every office). One transaction, so
    a report never sees a day half rolled. Idempotent: re-rolling a day after a late
    correction gives the figures of the tickets as they now are. Returns the summary rows
    written."""
    end = end or day
    now = now or timezone.now()
    scope = {} if office_id is None else {"office_id": office_id}
    QueueSummary.objects.filter(day__range=(day, end), **scope).delete()
    QueueRollup.objects.filter(span=QueueRollup.Span.DAY, day__range=(day, end), **scope).delete()
    values = {
        "start": day,
        "end": end,
        "office": office_id,
        "tz": settings.TIME_ZONE,
        "cap": HISTOGRAM_CAP,
        "served": list(FINISH_OUTCOMES),
        "receipt_kinds": [kind.value for kind in PROCESS_RECEIPT_KINDS],
        "claim_kinds": [kind.value for kind in PROCESS_CLAIM_KINDS],
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql_read("queue_summary_roll.sql", comments=False), values)
        written = cursor.fetchone()[0]
        # The months among the days that have ended (a past day's roll may end one).
        last = min(end, month_first(timezone.localdate(now)) - datetime.timedelta(days=1))
        for month in (month_add(day, n) for n in range(max(0, months_between(day, last)))):
            month_end = month_add(month, 1) - datetime.timedelta(days=1)
            rows = QueueRollup.objects.filter(span=QueueRollup.Span.MONTH, day=month)
            # A month is first rolled up for every office, so that once it has month rows
            # every office's are there (the reports read either the month's rows or its days').
            office = office_id if rows.exists() else None
            (rows if office is None else rows.filter(office_id=office)).delete()
            cursor.execute(
                sql_read("queue_rollup_months.sql", comments=False),
                {"month": month, "month_end": month_end, "office": office, "now": now},
            )
    return written


# Late corrections ----------------------------------------------------------------------------
# A past day's summary rows are rolled again, by a worker, after a write that changed what they
# were built from: the nightly close of its tickets, an announced target covering it.


@transaction.atomic
def queue_summary_reroll(*, day, office_id: int | None = None, now=None) -> int:
    """queue_summary_roll of a day (a past day after a late correction, today by the beat or a
    report page), one roll of a day at a time: two rolls of one day in two transactions (a
    worker's re-roll of an office and the nightly roll of every office) would each delete only
    the rows they saw and insert theirs, counting the day twice. Returns the rows written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('queue_summary_roll'), %s)", [day.toordinal()])
    return queue_summary_roll(day=day, office_id=office_id, now=now)


def queue_today_refresh(*, office_id: int, max_age: float = 60, now=None) -> bool:
    """Today's figures of an office for a report page asked now: its summary rows rolled again
    when their last roll is older than `max_age` seconds (the beat rolls every office every
    five minutes; a supervisor watching the morning wants the last minute). Returns whether it
    rolled."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = (
        QueueRollup.objects.filter(office_id=office_id, span=QueueRollup.Span.DAY, day=today)
        .values_list("rolled_at", flat=True)
        .first()
    )
    if last is not None and (now - last).total_seconds() < max_age:
        return False
    queue_summary_reroll(day=today, office_id=office_id, now=now)
    return True


def queue_days_changed(*, days, office_id: int | None = None) -> list:
    """The days before today among `days` are rolled again (queueing.tasks.queue_summary_roll_day)
    once the current transaction commits, for one office or every office. Returns them."""
    from queueing.tasks import queue_summary_roll_day

    return days_reroll_on_commit(queue_summary_roll_day, days=list(days), office_id=office_id)


# The target of a kind on each day of the spans, as queue_summary_roll.sql reads it (the latest
# announced that covers the day).
_TARGETS_SQL = """
SELECT k.kind, d.day::date,
       (SELECT st.minutes FROM queueing_servicetarget st
        WHERE st.kind = k.kind AND st.valid_from <= d.day AND (st.valid_to IS NULL OR st.valid_to >= d.day)
        ORDER BY st.valid_from DESC LIMIT 1)
FROM unnest(%(kinds)s::text[], %(firsts)s::date[], %(lasts)s::date[]) AS k(kind, first, last)
CROSS JOIN LATERAL generate_series(k.first, k.last, interval '1 day') AS d(day)
"""


def _targets_in_force(spans) -> dict:
    """{(kind, day): minutes or None} over the spans (kind, first, last)."""
    if not spans:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _TARGETS_SQL,
            {"kinds": [s[0] for s in spans], "firsts": [s[1] for s in spans], "lasts": [s[2] for s in spans]},
        )
        return {(kind, day): minutes for kind, day, minutes in cursor.fetchall()}


def _target_spans(*targets) -> list[tuple]:
    """The past days each target covers, bounded by the summary's first day (a day never rolled
    has no figures to correct) and yesterday (today is the beat's)."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    first_rolled = QueueSummary.objects.aggregate(first=Min("day"))["first"]
    if first_rolled is None:
        return []
    spans = []
    for target in targets:
        if target is None:
            continue
        first, last = max(target.valid_from, first_rolled), min(target.valid_to or yesterday, yesterday)
        if first <= last:
            spans.append((target.kind, first, last))
    return spans


def _target_days_reroll(spans, before: dict) -> list:
    """Roll again, for every office, the days where a kind's target in force changed, and among
    them only those with that kind's tickets rolled up."""
    after = _targets_in_force(spans)
    changed = {key for key in after if before.get(key) != after[key]}
    if not changed:
        return []
    kinds, days = {kind for kind, _day in changed}, {day for _kind, day in changed}
    rolled = QueueSummary.objects.filter(day__in=days, service__kind__in=kinds).values_list("day", "service__kind")
    return queue_days_changed(days={day for day, kind in rolled.distinct() if (kind, day) in changed})


@transaction.atomic
def service_target_save(*, target: ServiceTarget, officer=None) -> ServiceTarget:
    """Save an announced target (new or changed, the admin's form). A target covering past days
    changes their share within target: the days whose target in force it changes (under its
    span before and after) are rolled again for every office."""
    previous = ServiceTarget.objects.select_for_update().filter(pk=target.pk).first() if target.pk else None
    spans = _target_spans(previous, target)
    before = _targets_in_force(spans)
    if officer is not None:
        target._history_user = officer
    target.save()
    _target_days_reroll(spans, before)
    return target


@transaction.atomic
def service_target_delete(*, target: ServiceTarget, officer=None) -> None:
    """Delete an announced target: the past days it set the target of are rolled again."""
    target = ServiceTarget.objects.select_for_update().get(pk=target.pk)
    spans = _target_spans(target)
    before = _targets_in_force(spans)
    if officer is not None:
        target._history_user = officer
    target.delete()
    _target_days_reroll(spans, before)


def service_kind_changed(*, service: Service) -> list:
    """A service's kind changed (the admin): the target and the process step of its tickets
    on every past day change with it, so the days with its tickets rolled up are rolled again
    for its office. Returns them."""
    days = (
        QueueSummary.objects.filter(office_id=service.office_id, service=service, day__lt=timezone.localdate())
        .values_list("day", flat=True)
        .distinct()
    )
    return queue_days_changed(days=days, office_id=service.office_id)


# A case's step, on the ticket its officer is serving for that case's customer: the counter the
# officer is signed in at (Counter.officer, unique), its one open ticket (ticket_one_per_counter),
# if that ticket is the customer's: their kind and ID, or tied to the case (ticket_case_link: the
# record, its employer or person), or naming no one. One statement.
_EVENT_SQL = """
INSERT INTO queueing_ticketevent (ticket_id, kind, at)
SELECT t.id, %(kind)s, %(at)s
FROM queueing_counter c
JOIN queueing_ticket t ON t.counter_id = c.id AND t.status IN ('called', 'serving')
WHERE c.officer_id = %(officer)s AND t.status = 'serving'
  AND (t.customer_ref = ''
       OR (t.customer_kind = %(customer_kind)s AND t.customer_ref = %(customer_ref)s)
       OR (t.case_type_id, t.case_id) IN (SELECT * FROM unnest(%(case_types)s::int[], %(case_ids)s::bigint[])))
ON CONFLICT (ticket_id, kind) DO NOTHING
"""


def ticket_event_record(*, kind: str, officer, at, record=None, customer=None, **_signal) -> int:
    """The listener of sso.core.signals.case_event: keep the step (`kind`, done `at`) on the
    ticket `officer` is serving now for the case's `customer` (an sso.core.signals.Customer),
    the first of its kind (a later one is ignored). A ticket of another customer (an officer
    issuing employer X's receipt while serving employer Y) gets nothing, and neither does an
    officer serving no ticket or a `kind` the queue does not time. A ticket naming no one, or
    tied to `record` or to one of the customer's records, is the case's. Returns the rows
    written (0 or 1)."""
    if kind not in TicketEvent.Kind.values or officer is None or officer.pk is None:
        return 0
    cases = [obj for obj in (record, *(customer.records if customer else ())) if obj is not None and obj.pk]
    values = {
        "kind": kind,
        "at": at,
        "officer": officer.pk,
        "customer_kind": customer.kind if customer else None,
        "customer_ref": (customer.ref or None) if customer else None,
        "case_types": [ContentType.objects.get_for_model(type(obj)).pk for obj in cases],
        "case_ids": [obj.pk for obj in cases],
    }
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_SQL, values)
        return cursor.rowcount
