"""Audit trail: django-simple-history records every change of a business record.

This module adds the office the change was made from, and turns history rows into the
"who, when, which office, what changed (old -> new)" lines of the history page.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.http import Http404
from django.utils import timezone
from simple_history.signals import pre_create_historical_record


def _stamp_office(sender, instance, history_instance, history_user=None, **kwargs):
    if history_user is not None and hasattr(history_instance, "history_office_id"):
        history_instance.history_office_id = getattr(history_user, "office_id", None)


def last_login_update(sender, user, **kwargs):
    user.last_login = timezone.now()
    user.save_without_historical_record(update_fields=["last_login"])


def history_copy(model, pks, *, history_type: str, officer, when=None, office_id=None) -> None:
    """Write the audit rows of records just saved (with `save_without_historical_record` or
    `bulk_create`) in one INSERT ... SELECT from their table: the same rows simple_history
    writes ("+" created, "~" changed; by the officer, from their office), without building a
    history object in Python for each. For the peak paths (bulk registration, statements
    and payments posted by banks)."""
    quote = connection.ops.quote_name
    history_copy_where(
        model,
        f"{quote(model._meta.pk.column)} = ANY(%s)",
        [list(pks)],
        history_type=history_type,
        officer=officer,
        when=when,
        office_id=office_id,
    )


def history_copy_where(
    model, where: str, params: list, *, history_type: str, officer, when=None, office_id=None, cursor=None
) -> None:
    """`history_copy` for the rows `where` (SQL on the model's table, with `params`) chooses:
    for a run that knows its rows by what they hold rather than by a list of ids (an id array
    of 500,000 is slow to match when the table's statistics are stale). No officer is the
    system's own work; `office_id` defaults to the officer's office."""
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column.column) for column in history.tracked_fields)
    office_id = office_id if office_id is not None else getattr(officer, "office_id", None)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason,"
        f" history_type, history_user_id, history_office_id)"
        f" SELECT {columns}, %s, NULL, %s, %s, %s FROM {quote(model._meta.db_table)}"
        f" WHERE {where} ORDER BY {quote(model._meta.pk.column)}"
    )
    values = [when or timezone.now(), history_type, getattr(officer, "pk", None), office_id, *params]
    if cursor is not None:
        cursor.execute(sql, values)
        return
    with connection.cursor() as own_cursor:
        own_cursor.execute(sql, values)


def audited_save(record, officer, *, update_fields=None) -> None:
    """Save one business record and its audit row (see `history_copy`)."""
    adding = record._state.adding
    record.save_without_historical_record(update_fields=update_fields)
    history_copy(type(record), [record.pk], history_type="+" if adding else "~", officer=officer)


def connect_signals():
    pre_create_historical_record.connect(_stamp_office, dispatch_uid="core.audit.stamp_office")


def audited_model_get(label: str):
    """The model named `app_label.model` if it keeps history, else 404."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404("Unknown record kind.") from None
    if not hasattr(model, "history") or not hasattr(model, "OFFICE_SCOPE"):
        raise Http404("This record kind keeps no history.")
    return model


@dataclass
class Change:
    name: str
    field: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    when: object
    user: object
    office: object
    kind: str
    changes: list[Change] = field(default_factory=list)


_KIND = {"+": "created", "~": "changed", "-": "deleted"}


def _display(model, field_name, value):
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(field_name)
    if model_field.many_to_many:
        key = model_field.related_model._meta.model_name
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        return ", ".join(str(obj) for obj in model_field.related_model._default_manager.filter(pk__in=ids)) or "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return related if related is not None else value
    return value


def history_entries(obj, limit: int = 200) -> list[HistoryEntry]:
    """The record's history, newest first, each entry with its field changes."""
    model = type(obj)
    records = list(
        obj.history.select_related("history_user", "history_office").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        entry = HistoryEntry(
            when=record.history_date,
            user=record.history_user,
            office=record.history_office,
            kind=_KIND.get(record.history_type, record.history_type),
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                verbose = str(model._meta.get_field(change.field).verbose_name)
                entry.changes.append(
                    Change(
                        change.field,
                        verbose,
                        _display(model, change.field, change.old),
                        _display(model, change.field, change.new),
                    )
                )
        elif record.history_type == "+":
            for model_field in model._meta.concrete_fields:
                if model_field.name in ("id", "password"):
                    continue
                value = getattr(record, model_field.attname, None)
                if value not in (None, "") and hasattr(record, model_field.attname):
                    entry.changes.append(
                        Change(
                            model_field.name,
                            str(model_field.verbose_name),
                            "—",
                            _display(model, model_field.name, value),
                        )
                    )
        entries.append(entry)
    return entries
