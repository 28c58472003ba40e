"""The ticket on the customer's phone: what its page shows and how it stays live.

300 phones of one office each asking every few seconds must not each hold a server thread
(a stream) nor each query the database. So a phone polls a small JSON answer, and the
answers of all the office's tickets come from one statement, kept in Redis as a hash (a field
per ticket: a poll reads its own, one round trip) and counted recent for `STATE_SECONDS`. A
call or recall raises the office's generation (`queueing.events.phone_state_key`) in its board
event's round trip, a start, finish or give-up once it commits (queueing.services): the next
poll finds the state stale and rebuilds it, so a phone hears of its call at its next poll. One
phone rebuilds it at a time, at most every `REBUILD_EVERY_MS` (counters calling many times a
second cannot make every poll rebuild it); meanwhile the others read the state as last built.
The state holds the open tickets only: a finished one (the page's last poll, then it reloads)
or one issued since the last build is read by its key alone.

The answer names this ticket only (its number, service, status, people ahead, the wait, the
counter when called): never another ticket, a person or an ID.
"""

import json
import time
import uuid

from django.utils import timezone

from queueing import devices
from queueing.events import phone_state_key
from queueing.models import Counter, Service, Ticket
from queueing.selectors import service_average_minutes, service_targets_on, ticket_people_ahead_and_wait
from sso.core import providers
from sso.core.redis import redis_client

# How long the office's state is kept, and how often the page asks (the JS reads it): every
# POLL_SECONDS, and every POLL_NEAR_SECONDS once NEAR_AHEAD or fewer are ahead, so the call
# reaches the one called within a second (half a second's wait at most, and the poll's round
# trip) while the many further back ask less often: an office's few phones at the head of each
# service's line poll twice a second, from the same cached state (bench/README.md).
STATE_SECONDS = 1
# A state made stale by a change is rebuilt at most every REBUILD_EVERY_MS; one whose build
# took over REBUILD_LONG_MS (a queue of thousands) at most once in REBUILD_SHARE times that:
# the phones of an office whose counters call many times a second read a state that old at
# most, and its rebuilds take no more than a tenth of one core from the counters' calls.
REBUILD_EVERY_MS = 250
REBUILD_LONG_MS = 100
REBUILD_SHARE = 10
POLL_SECONDS = 3
POLL_NEAR_SECONDS = 0.5
NEAR_AHEAD = 2
# How long the QR's link opens the ticket's page: the day, and the evening's rating.
PHONE_TICKET_SECONDS = 24 * 3600
# Polls one address may make in a minute: every second is 60; a family or a carrier's shared
# address (CGNAT) holds several phones.
POLLS_PER_MINUTE = 600

_STATE_SQL = """
SELECT json_build_object(
  'tickets', (
    SELECT coalesce(json_agg(json_build_array(t.id, t.service_id, t.status, t.outcome, c.number)
                    ORDER BY t.priority, t.queued_at, t.id), '[]')
    FROM queueing_ticket t LEFT JOIN queueing_counter c ON c.id = t.counter_id
    WHERE t.office_id = %(office)s AND t.service_day = %(day)s
      AND t.status <> 'done'),
  'counters', (
    SELECT coalesce(json_object_agg(s.service_id, s.n), '{}')
    FROM (SELECT cs.service_id, count(*) AS n FROM queueing_counter c
          JOIN queueing_counter_services cs ON cs.counter_id = c.id
          WHERE c.office_id = %(office)s AND c.officer_id IS NOT NULL AND c.is_active
          GROUP BY cs.service_id) s),
  'services', (
    SELECT coalesce(json_object_agg(s.id, s.kind), '{}') FROM queueing_service s WHERE s.office_id = %(office)s),
  'serving', (
    SELECT coalesce(json_object_agg(c.number, t.prefix || CASE WHEN t.number < 1000
                    THEN lpad(t.number::text, 3, '0') ELSE t.number::text END), '{}')
    FROM queueing_ticket t JOIN queueing_counter c ON c.id = t.counter_id
    WHERE t.office_id = %(office)s AND t.service_day = %(day)s AND t.status IN ('called', 'serving'))
)
"""


def ticket_from_token(token: str) -> Ticket | None:
    """The ticket the QR's link names, or None: tampered with, too old or gone."""
    pk = devices.ticket_id_from_token(token, max_age=PHONE_TICKET_SECONDS)
    if pk is None:
        return None
    return Ticket.objects.select_related("service", "office").filter(pk=pk).first()


def _state_build(office_id: int) -> dict:
    from django.db import connection

    now = timezone.now()
    day = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            _STATE_SQL,
            {"office": office_id, "day": day},
        )
        raw = cursor.fetchone()[0]
    raw = raw if isinstance(raw, dict) else json.loads(raw)
    targets = None
    per_person = {}
    for service_id, kind in raw["services"].items():
        minutes = service_average_minutes(Service(pk=int(service_id), kind=kind))
        if minutes is None:
            targets = service_targets_on(day) if targets is None else targets
            target = targets.get(kind)
            minutes = target / 3 if target else 10
        per_person[service_id] = minutes
    tickets, ahead_of = {}, {}
    for pk, service_id, status, outcome, counter in raw["tickets"]:
        entry = {"status": status}
        if status == Ticket.Status.WAITING:
            ahead = ahead_of.get(service_id, 0)
            ahead_of[service_id] = ahead + 1
            open_counters = max(int(raw["counters"].get(str(service_id), 0)), 1)
            entry |= {"ahead": ahead, "wait": int(-(-(ahead * per_person[str(service_id)] / open_counters) // 1))}
        elif status in (Ticket.Status.CALLED, Ticket.Status.SERVING):
            entry["counter"] = counter
        else:
            entry["outcome"] = outcome
        tickets[str(pk)] = entry
    # The counters' screens: the number each counter calls or serves.
    return {"day": day.isoformat(), "tickets": tickets, "serving": raw["serving"]}


def _keys(office_id: int) -> tuple[str, str, str, str]:
    """The office's generation (raised by every change that must reach the phones at once:
    a call in its board event's round trip, a start, finish or give-up on commit), its state
    (a Redis hash: a field per ticket, so a poll reads its own ticket only), the mark that the
    state is recent (kept STATE_SECONDS), and the rebuild's lock."""
    generation = phone_state_key(office_id)
    return generation, f"{generation}:state", f"{generation}:fresh", f"{generation}:lock"


def _state_rebuild(client, office_id: int) -> dict:
    """Build the office's state and keep it (the generation read before the build: a change
    during the build leaves the state stale, to be rebuilt at the next poll). Returns its
    fields, decoded."""
    generation_key, state_key, fresh_key, _lock = _keys(office_id)
    generation = client.get(generation_key) or b"0"
    state = _state_build(office_id)
    fields = {ticket: json.dumps(entry) for ticket, entry in state["tickets"].items()}
    fields |= {"_day": json.dumps(state["day"]), "_serving": json.dumps(state["serving"])}
    fields["_generation"] = generation
    building = f"{state_key}:{uuid.uuid4().hex[:12]}"
    pipe = client.pipeline(transaction=False)
    pipe.hset(building, mapping=fields)
    pipe.rename(building, state_key)  # the whole new state at once
    pipe.expire(state_key, 24 * 3600)
    pipe.set(fresh_key, 1, px=int(STATE_SECONDS * 1000))
    pipe.execute()
    return {"_serving": state["serving"], "_day": state["day"], **state["tickets"]}


def state_fields(office_id: int, fields: list[str]) -> dict:
    """Some fields of the office's state as the phones and the counters' screens see it: a
    ticket's answer (its id), "_serving" (the number each counter calls or serves). One Redis
    round trip while the state is recent
    and no change came since; else rebuilt by one process at a time, at most once every
    REBUILD_EVERY_MS (or REBUILD_SHARE times its build's time, if longer; the others
    meanwhile answer from the state as last built: a counter calling many a second cannot
    make every poll rebuild it)."""
    client = redis_client()
    generation_key, state_key, fresh_key, lock_key = _keys(office_id)
    pipe = client.pipeline(transaction=False)
    pipe.get(generation_key)
    pipe.hmget(state_key, ["_generation", *fields])
    pipe.exists(fresh_key)
    generation, values, fresh = pipe.execute()
    built, values = values[0], values[1:]
    if built is not None and (
        (fresh and built == (generation or b"0"))
        or not client.set(lock_key, 1, nx=True, px=max(int(REBUILD_EVERY_MS), 1))
    ):
        pairs = zip(fields, values, strict=True)
        return {field: json.loads(value) if value is not None else None for field, value in pairs}
    started = time.monotonic()
    state = _state_rebuild(client, office_id)
    took_ms = (time.monotonic() - started) * 1000
    if REBUILD_EVERY_MS and took_ms > REBUILD_LONG_MS:  # a long build: the next waits longer
        client.set(lock_key, 1, px=int(took_ms * REBUILD_SHARE))
    return {field: state.get(field) for field in fields}


def office_state(office_id: int) -> dict:
    """The office's whole state (the messages' check): its tickets' answers, what each counter
    serves."""
    client = redis_client()
    generation_key, state_key, fresh_key, _lock = _keys(office_id)
    generation, fresh = client.get(generation_key) or b"0", client.exists(fresh_key)
    raw = client.hgetall(state_key)
    if not fresh or raw.get(b"_generation") != generation:
        state = _state_rebuild(client, office_id)
    else:
        state = {key.decode(): json.loads(value) for key, value in raw.items() if key != b"_generation"}
    tickets = {key: value for key, value in state.items() if not key.startswith("_")}
    return {"day": state["_day"], "tickets": tickets, "serving": state["_serving"]}


def ticket_state(ticket_id: int, office_id: int) -> dict | None:
    """This ticket's answer: status, and people ahead and wait (waiting), the counter (called
    or being served), the outcome (done). None if the office's state does not hold it."""
    return state_fields(office_id, [str(ticket_id)])[str(ticket_id)]


def ticket_state_of(ticket: Ticket) -> dict:
    """The answer for a ticket read by its key (the page itself, an old finished ticket)."""
    state = ticket_state(ticket.pk, ticket.office_id) if ticket.status != Ticket.Status.DONE else None
    if state is not None:
        return state
    if ticket.status == Ticket.Status.DONE:
        return {"status": ticket.status, "outcome": ticket.outcome}
    if ticket.status in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        counter = Counter.objects.filter(pk=ticket.counter_id).values_list("number", flat=True).first()
        return {"status": ticket.status, "counter": counter}
    # Issued since the state was cached (it lives a second), or another day's: the kiosk's read.
    ahead, wait = ticket_people_ahead_and_wait(ticket)
    return {"status": ticket.status, "ahead": ahead, "wait": wait}


def documents_to_bring(service: Service) -> list[dict]:
    """What the service needs the person to bring: its claim's documents (benefits' rules,
    asked through sso.core.providers) and the service's own list, in the page's language."""
    from django.utils.translation import get_language

    english = (get_language() or "th").startswith("en")
    documents = [
        {"name": name_en if english else name_th, "required": required}
        for name_th, name_en, required in providers.ask(providers.SERVICE_DOCUMENTS, service.kind)
    ]
    own = service.documents_en if english and service.documents_en.strip() else service.documents_th
    documents += [{"name": line.strip(), "required": True} for line in own.splitlines() if line.strip()]
    return documents


# --- The counters' own screens (a counter display, a satisfaction tablet) -----------------------

# How long after its service a ticket may still be rated at the counter's tablet.
TABLET_RATE_MINUTES = 10
# How often a counter's screens ask (from the same cached state as the phones).
COUNTER_SCREEN_POLL_SECONDS = 1


def counter_serving(office_id: int, number: int) -> str:
    """The number the counter is calling or serving now ('' when none)."""
    return (state_fields(office_id, ["_serving"])["_serving"] or {}).get(str(number), "")


def finished_key(office_id: int) -> str:
    """The ticket each counter of the office finished last with a service given (a hash:
    counter id -> ticket id), set once a finish commits (queueing.services)."""
    return f"queue:finished:{office_id}"


def counter_finished(office_id: int, counter_id: int, ticket_id: int) -> None:
    client = redis_client()
    client.hset(finished_key(office_id), str(counter_id), ticket_id)
    client.expire(finished_key(office_id), 24 * 3600)


def counter_just_finished(counter: Counter, *, now=None) -> Ticket | None:
    """The ticket the counter has just finished, to be rated at its tablet: its last, finished
    with a service given within TABLET_RATE_MINUTES, not yet rated, and no one called since."""
    from queueing.models import Rating
    from queueing.services import RATED_OUTCOMES

    if (state_fields(counter.office_id, ["_serving"])["_serving"] or {}).get(str(counter.number)):
        return None
    pk = redis_client().hget(finished_key(counter.office_id), str(counter.pk))
    if pk is None:
        return None
    now = now or timezone.now()
    ticket = (
        Ticket.objects.select_related("service")
        .filter(
            pk=int(pk),
            counter_id=counter.pk,
            status=Ticket.Status.DONE,
            outcome__in=RATED_OUTCOMES,
            finished_at__gte=now - timezone.timedelta(minutes=TABLET_RATE_MINUTES),
        )
        .first()
    )
    if ticket is None or Rating.objects.filter(ticket_id=ticket.pk).exists():
        return None
    return ticket
