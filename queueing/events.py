"""Queue events for the display board: numbered per office, kept briefly for catch-up.

Each call is published on the office's Redis channel and appended to a short list, so a
board that reconnects with `Last-Event-ID` receives the calls it missed. The same round trip
makes the phones' cached answer of the office stale (`phone_state_key`), so a phone hears of its
call at its next poll, and says whether the office has a customer who asked for messages
today (queueing.notices), so only then is a task enqueued.
"""

import json

from queueing.notices import office_wake, wanted_key
from sso.core.redis import redis_client

KEEP = 50


def channel(office_id: int) -> str:
    # Keys live in REDIS_URL's database, but pub/sub channels are shared by every database of
    # the server: the database's number keeps apart the boards of several databases sharing
    # one Redis (test processes, staging beside production).
    return f"queue:board:{_database()}:{office_id}"


def _database() -> int:
    return int(redis_client().connection_pool.connection_kwargs.get("db") or 0)


def _seq_key(office_id: int) -> str:
    return f"queue:board:{office_id}:seq"


def _log_key(office_id: int) -> str:
    return f"queue:board:{office_id}:log"


def phone_state_key(office_id: int) -> str:
    """The generation of the office's queue as the customers' phones read it (queueing.phone):
    raised by a change, it makes the cached state stale."""
    return f"queue:phone:{office_id}"


def phone_state_bust(office_id: int) -> None:
    """Make the phones' cached answer of the office stale (a ticket started, finished, given
    up): its generation goes up, and the next poll rebuilds it."""
    redis_client().incr(phone_state_key(office_id))


# Number, keep and publish in one round trip (every call at every counter goes through here).
_PUBLISH = """
local id = redis.call('INCR', KEYS[1])
local message = '{"id": ' .. id .. ', ' .. ARGV[1]
redis.call('LPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call('PUBLISH', ARGV[3], message)
redis.call('INCR', KEYS[3])
return {id, redis.call('EXISTS', KEYS[4])}
"""
_script = None


def event_publish(office_id: int, payload: dict) -> int:
    global _script
    if _script is None:
        _script = redis_client().register_script(_PUBLISH)
    body = json.dumps(payload, ensure_ascii=False)[1:]  # the object without its opening brace
    event_id, wanted = _script(
        keys=[_seq_key(office_id), _log_key(office_id), phone_state_key(office_id), wanted_key(office_id)],
        args=[body, KEEP, channel(office_id)],
    )
    if wanted:  # someone of the office asked for messages today: the worker looks what is due
        office_wake(office_id)
    return int(event_id)


def events_since(office_id: int, last_id: int) -> list[dict]:
    """Events after `last_id`, oldest first (at most the last KEEP)."""
    rows = [json.loads(raw) for raw in redis_client().lrange(_log_key(office_id), 0, KEEP - 1)]
    return sorted((row for row in rows if row["id"] > last_id), key=lambda row: row["id"])


def last_event_id(office_id: int) -> int:
    return int(redis_client().get(_seq_key(office_id)) or 0)
