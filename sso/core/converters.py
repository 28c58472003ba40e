"""URL converters. `<id:pk>` is a record id as PostgreSQL keeps it (bigint): an id of more
than 18 digits matches no URL (404) instead of reaching the database out of range."""

from django.urls import register_converter

BIGINT_MAX = 2**63 - 1


class IdConverter:
    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
