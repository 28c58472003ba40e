"""Gap-free numbers (receipts, queue tickets): a counter row per series, bumped by an upsert
in the caller's transaction. A failed write rolls its number back, so the series has no
gaps; the row lock serialises concurrent takers of one series and no one else.
"""

from django.db import connection


def _upsert_sql(model, key: tuple[str, ...], start: int = 1) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(name) for name in key)
    return (
        f"INSERT INTO {table} ({columns}, last_number) VALUES ({', '.join(['%s'] * len(key))}, {int(start)})"
        f" ON CONFLICT ({columns}) DO UPDATE SET last_number = {table}.last_number + 1"
        " RETURNING last_number"
    )


def number_next(model, **key) -> int:
    """The next number of the series `key` (e.g. office_id=3, year=2569) of `model`, a table
    with the key's columns unique together and a `last_number` column."""
    names = tuple(key)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(model, names), [key[name] for name in names])
        return cursor.fetchone()[0]


def number_next_sql(model, *key: str) -> str:
    """The upsert as SQL with one %s per key column, for a caller that runs it inside a
    larger statement (the kiosk's ticket, one round trip)."""
    return _upsert_sql(model, key)
