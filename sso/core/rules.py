"""The rule tables: every dated table of figures the system computes with, as one registry.

Each app lists its rule tables in its own `ruletables.py` (TABLES), the way `menu.py` lists
menu entries: the model, the fields that name a row's scope (a province for a temporary rate
cut, a parameter's key, a Section 40 option, a kind of service), the figures, the checks of
their ranges, what a change affects, and the preview of a change on real data. The rules
page, the four-eyes changes (`sso.core.rule_changes`) and the read API (`/api/rules/`) work
on this registry alone, so `sso.core` changes every app's figures without importing an app.

A table's rows have `valid_from` and `valid_to` (inclusive; open if empty). Rows are never
edited in place: a change adds a row from a future date, and closes the open row of the same
scope the day before (the one field of an earlier row that a change writes). The checks
here are the ones every table shares: no overlap, and for a scope that must always have a
row (`continuous`), no gap.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sso.core.formats import date_lazy, lazy_format

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Preview:
    """What a proposed change does on real data: a sentence, a table and totals."""

    summary: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    totals: tuple = ()


@dataclass(frozen=True)
class RuleTable:
    """One dated table of rules, as an app registers it."""

    model: type
    area: str  # the heading it is grouped under on the rules page
    fields: tuple[str, ...]  # the figures a change sets
    scope: tuple[str, ...] = ()  # the fields naming the scope a row holds for
    effect: str = ""  # what a change affects, and what it leaves as it was
    # (values) -> [(field, message)]: the figures' ranges, beyond each field's own validation.
    check: Callable[[dict], list] | None = None
    # (scope values) -> whether that scope must always have a row (no gap allowed).
    continuous: Callable[[dict], bool] = lambda scope: True
    monthly: bool = False  # rows start on the 1st and end on a month's last day (wage periods)
    # (change) -> Preview, reading the app's own data.
    preview: Callable[[object], Preview] | None = None
    # (row) -> None: saves a new row through the app's service when it has one; default save().
    save: Callable[[object], None] | None = None
    order: int = 100
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    def field_label(self, name: str):
        return self.model._meta.get_field(name).verbose_name

    def scope_of(self, row) -> dict:
        return {name: getattr(row, self.model._meta.get_field(name).attname) for name in self.scope}

    def scope_filter(self, scope: dict) -> dict:
        return {self.model._meta.get_field(name).attname: value for name, value in scope.items()}

    def rows(self, scope: dict | None = None):
        queryset = self.model._default_manager.all()
        if scope is not None:
            queryset = queryset.filter(**self.scope_filter(scope))
        related = [name for name in self.scope if self.model._meta.get_field(name).is_relation]
        return queryset.select_related(*related).order_by("valid_from")

    def in_force(self, day: datetime.date):
        """The rows in force on `day`, every scope."""
        return [row for row in self.rows() if row.valid_from <= day and (row.valid_to is None or row.valid_to >= day)]


@functools.cache
def _all_tables() -> tuple[RuleTable, ...]:
    found = []
    for app in settings.INSTALLED_APPS:
        try:
            module = import_module(f"{app}.ruletables")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.ruletables":
                raise
            continue
        found.extend(module.TABLES)
    return tuple(sorted(found, key=lambda table: (table.order, table.key)))


def tables() -> tuple[RuleTable, ...]:
    return _all_tables()


def table_get(key: str) -> RuleTable | None:
    return next((table for table in _all_tables() if table.key == key), None)


# Values as stored on a proposed change (JSON) and back -----------------------------------


def value_dump(table: RuleTable, name: str, value):
    model_field = table.model._meta.get_field(name)
    if value is None:
        return None
    if model_field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(value, Decimal) and isinstance(model_field, models.DecimalField):
        return str(value.quantize(Decimal(1).scaleb(-model_field.decimal_places)))  # 3 -> "3.00", as stored
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value


def value_load(table: RuleTable, name: str, value):
    model_field = table.model._meta.get_field(name)
    if value is None:
        return None
    if model_field.is_relation:
        return model_field.related_model._default_manager.get(pk=value)
    return model_field.to_python(value)


def value_display(table: RuleTable, name: str, value) -> str:
    """A stored value as a person reads it (a province by name, a choice by its label)."""
    model_field = table.model._meta.get_field(name)
    if value in (None, ""):
        return "—" if model_field.is_relation else ""
    if model_field.is_relation:
        found = model_field.related_model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


# The shared checks -------------------------------------------------------------------------


def _period_text(start, end) -> str:
    return lazy_format(
        _("%(start)s to %(end)s"), {"start": date_lazy(start), "end": date_lazy(end) if end else _("open")}
    )


def split_rows(rows, valid_from, valid_to) -> list:
    """The rows a new row from `valid_from` to `valid_to` cuts: those of its scope that started
    before it and run into it. Each is closed the day before the new row; one that ran past the
    new row's end goes on after it as a copy (see `rule_changes.rule_change_confirm`)."""
    return [row for row in rows if row.valid_from < valid_from and (row.valid_to is None or row.valid_to >= valid_from)]


def continues_after(row, valid_to) -> bool:
    return valid_to is not None and (row.valid_to is None or row.valid_to > valid_to)


def overlap_and_gap_errors(
    table: RuleTable, scope: dict, valid_from, valid_to, *, pending=()
) -> list[tuple[str, object]]:
    """The refusals of a new row of `scope` from `valid_from` to `valid_to` among the rows
    stored and the `pending` changes' periods [(start, end)] of the same scope. A row that
    started before is cut around the new one (allowed, `split_rows`); a row starting on or
    after the new one's start inside its period is an overlap, refused, and so is a pending
    change's; for a continuous scope, so is a day without a row."""
    errors = []
    end = valid_to or datetime.date.max
    rows = list(table.rows(scope))
    for row in rows:
        if valid_from <= row.valid_from <= end:
            errors.append(
                (
                    "valid_from",
                    lazy_format(
                        _(
                            "The period overlaps the row of %(period)s for the same scope, which starts within it:"
                            " end the new row before that one starts."
                        ),
                        {"period": _period_text(row.valid_from, row.valid_to)},
                    ),
                )
            )
    for start, stop in pending:
        if start <= end and valid_from <= (stop or datetime.date.max):
            errors.append(
                (
                    "valid_from",
                    lazy_format(
                        _("The period overlaps a change already proposed for the same scope (%(period)s)."),
                        {"period": _period_text(start, stop)},
                    ),
                )
            )
    if table.continuous(scope):
        before = [row for row in rows if row.valid_from < valid_from]
        previous = max(before, key=lambda row: row.valid_from, default=None)
        if previous is not None and previous.valid_to is not None and previous.valid_to < valid_from - DAY:
            errors.append(
                (
                    "valid_from",
                    lazy_format(
                        _("The rule would have no row from %(start)s to %(end)s: start the new row the day after."),
                        {"start": date_lazy(previous.valid_to + DAY), "end": date_lazy(valid_from - DAY)},
                    ),
                )
            )
        followed = any(row.valid_from == valid_to + DAY for row in rows) if valid_to else True
        continued = any(continues_after(row, valid_to) for row in split_rows(rows, valid_from, valid_to))
        if valid_to is not None and not (followed or continued):
            errors.append(
                (
                    "valid_to",
                    lazy_format(
                        _("The rule would have no row from %(day)s: leave the end open or add the row that follows."),
                        {"day": date_lazy(valid_to + DAY)},
                    ),
                )
            )
    return errors


def period_errors(table: RuleTable, valid_from, valid_to, *, today) -> list[tuple[str, object]]:
    errors = []
    if valid_from is None:
        return [("valid_from", _("Give the date the new row starts."))]
    if valid_from <= today:
        errors.append(
            (
                "valid_from",
                _(
                    "A change starts on a future date: rows in force or past are never changed;"
                    " add a row from tomorrow or later."
                ),
            )
        )
    if valid_to is not None and valid_to < valid_from:
        errors.append(("valid_to", _("The end is before the start.")))
    if table.monthly:
        if valid_from.day != 1:
            errors.append(("valid_from", _("This table holds wage periods: a row starts on the first day of a month.")))
        if valid_to is not None and (valid_to + DAY).day != 1:
            errors.append(("valid_to", _("This table holds wage periods: a row ends on the last day of a month.")))
    return errors


def raise_errors(errors: list[tuple[str, object]]) -> None:
    if errors:
        by_field: dict[str, list] = {}
        for name, message in errors:
            by_field.setdefault(name, []).append(ValidationError(message, code="invalid"))
        raise ValidationError(by_field)


def percent_range(values: dict, names, low=Decimal(0), high=Decimal(15)) -> list:
    """Refusals of rates outside low..high per cent (the rates' range in the Act, s.46)."""
    return [
        (
            name,
            lazy_format(_("A rate must be between %(low)s%% and %(high)s%%."), {"low": low, "high": high}),
        )
        for name in names
        if values.get(name) is not None and not (low <= values[name] <= high)
    ]


def at_least(values: dict, names, low) -> list:
    return [
        (name, lazy_format(_("The value must be at least %(low)s."), {"low": low}))
        for name in names
        if values.get(name) is not None and values[name] < low
    ]
