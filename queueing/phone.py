"""The ticket on the customer's phone: what its page shows and how it stays live.

300 phones of one office each asking every few seconds must not each hold a server thread
(a stream) nor each query the database. So a phone polls a small JSON answer, and the
answers of all the office's tickets come from one statement, cached in Redis for
`STATE_SECONDS` under `queueing.events.phone_state_key`: a call or recall drops it in its
board event's round trip (queueing.events), a start, finish or give-up once it commits
(queueing.services), so a phone hears of its call at its next poll. One phone in a second
rebuilds it (a short lock); the others read it. A ticket the cached state does not hold (a
day's old finished tickets) is read by its key alone.

The answer names this ticket only (its number, service, status, people ahead, the wait, the
counter when called): never another ticket, a person or an ID.
"""

import json
import time

from django.utils import timezone

from queueing import devices
from queueing.events import phone_state_key
from queueing.models import Counter, Service, Ticket
from queueing.selectors import service_average_minutes, service_targets_on, ticket_people_ahead_and_wait
from sso.core import providers
from sso.core.redis import redis_client

# How long the office's state is kept, and how often the page asks (the JS reads it): every
# POLL_SECONDS, and every POLL_NEAR_SECONDS once NEAR_AHEAD or fewer are ahead, so the call
# reaches the one called within about a second while the many further back ask less often.
STATE_SECONDS = 1
POLL_SECONDS = 3
POLL_NEAR_SECONDS = 1
NEAR_AHEAD = 2
# How long the QR's link opens the ticket's page: the day, and the evening's rating.
PHONE_TICKET_SECONDS = 24 * 3600
# Finished tickets kept in the state this long (then read by key): the page's last poll.
RECENT_DONE_SECONDS = 30 * 60
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
      AND (t.status <> 'done' OR t.finished_at >= %(since)s)),
  'counters', (
    SELECT coalesce(json_object_agg(s.service_id, s.n), '{}')
    FROM (SELECT cs.service_id, count(*) AS n FROM queueing_counter c
          JOIN queueing_counter_services cs ON cs.counter_id = c.id
          WHERE c.office_id = %(office)s AND c.officer_id IS NOT NULL AND c.is_active
          GROUP BY cs.service_id) s),
  'services', (
    SELECT coalesce(json_object_agg(s.id, s.kind), '{}') FROM queueing_service s WHERE s.office_id = %(office)s)
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
            {"office": office_id, "day": day, "since": now - timezone.timedelta(seconds=RECENT_DONE_SECONDS)},
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
    return {"day": day.isoformat(), "tickets": tickets}


def office_state(office_id: int) -> dict:
    """The office's tickets as the phones see them, from the cache (rebuilt at most about
    once per `STATE_SECONDS` by one process: the others wait a moment for it)."""
    client = redis_client()
    key = phone_state_key(office_id)
    for _attempt in range(10):
        cached = client.get(key)
        if cached is not None:
            return json.loads(cached)
        if client.set(f"{key}:lock", 1, nx=True, px=2000):
            try:
                state = _state_build(office_id)
                client.set(key, json.dumps(state), px=STATE_SECONDS * 1000)
                return state
            finally:
                client.delete(f"{key}:lock")
        time.sleep(0.03)
    return _state_build(office_id)


def ticket_state(ticket_id: int, office_id: int) -> dict | None:
    """This ticket's answer: status, and people ahead and wait (waiting), the counter (called
    or being served), the outcome (done). None if the office's state does not hold it."""
    return office_state(office_id)["tickets"].get(str(ticket_id))


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
