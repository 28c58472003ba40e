"""Queue events for the display board: numbered per office, kept briefly for catch-up.

Each call is published on the office's Redis channel and appended to a short list, so a
board that reconnects with `Last-Event-ID` receives the calls it missed.
"""

import json

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


# Number, keep and publish in one round trip (every call at every counter goes through here).
_PUBLISH = """
local id = redis.call('INCR', KEYS[1])
local message = '{"id": ' .. id .. ', ' .. ARGV[1]
redis.call('LPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call('PUBLISH', ARGV[3], message)
return id
"""
_script = None


def event_publish(office_id: int, payload: dict) -> int:
    global _script
    if _script is None:
        _script = redis_client().register_script(_PUBLISH)
    body = json.dumps(payload, ensure_ascii=False)[1:]  # the object without its opening brace
    return int(_script(keys=[_seq_key(office_id), _log_key(office_id)], args=[body, KEEP, channel(office_id)]))


def events_since(office_id: int, last_id: int) -> list[dict]:
    """Events after `last_id`, oldest first (at most the last KEEP)."""
    rows = [json.loads(raw) for raw in redis_client().lrange(_log_key(office_id), 0, KEEP - 1)]
    return sorted((row for row in rows if row["id"] > last_id), key=lambda row: row["id"])


def last_event_id(office_id: int) -> int:
    return int(redis_client().get(_seq_key(office_id)) or 0)
