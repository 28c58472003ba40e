"""Queue events for the display board: numbered per office, kept briefly for catch-up.

Each call is published on the office's Redis channel and appended to a short list, so a
board that reconnects with `Last-Event-ID` receives the calls it missed.
"""

import json

from sso.core.redis import redis_client

KEEP = 50


def channel(office_id: int) -> str:
    return f"queue:board:{office_id}"


def _seq_key(office_id: int) -> str:
    return f"queue:board:{office_id}:seq"


def _log_key(office_id: int) -> str:
    return f"queue:board:{office_id}:log"


def event_publish(office_id: int, payload: dict) -> int:
    client = redis_client()
    event_id = client.incr(_seq_key(office_id))
    message = json.dumps({"id": event_id, **payload}, ensure_ascii=False)
    pipe = client.pipeline()
    pipe.lpush(_log_key(office_id), message)
    pipe.ltrim(_log_key(office_id), 0, KEEP - 1)
    pipe.publish(channel(office_id), message)
    pipe.execute()
    return event_id


def events_since(office_id: int, last_id: int) -> list[dict]:
    """Events after `last_id`, oldest first (at most the last KEEP)."""
    rows = [json.loads(raw) for raw in redis_client().lrange(_log_key(office_id), 0, KEEP - 1)]
    return sorted((row for row in rows if row["id"] > last_id), key=lambda row: row["id"])


def last_event_id(office_id: int) -> int:
    return int(redis_client().get(_seq_key(office_id)) or 0)
