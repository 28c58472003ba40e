"""Idempotency keys of the API's writes (a payment posted, a claim recorded): the key held
for the rest of the transaction, so the same request sent twice at once is done by the first;
the second waits, then finds what the first did. (The record's unique key is the last guard.)"""

import hashlib

from django.db import connection


def idempotency_key_lock(namespace: int, key: str) -> None:
    """Hold `key` until the transaction ends. `namespace` keeps each app's keys apart (the
    first of PostgreSQL's two advisory-lock keys)."""
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, digest])
