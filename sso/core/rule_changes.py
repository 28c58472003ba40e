"""Changing a rule table with four eyes: propose, confirm, withdraw (`RuleChange`).

A head-office rules administrator proposes a new row of a rule table from a future date,
with the reason and the legal instrument (ministerial regulation, announcement); a second
one confirms it before the row's start date, and only then is the row added (and the open
row of the same scope closed the day before). The proposer cannot confirm; either may
withdraw a change still proposed. Every refusal names its field in Thai and English and
stores nothing; each step is audited on the change (its history) with who and when.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sso.core.formats import date_lazy, lazy_format
from sso.core.lifecycle import Lifecycle
from sso.core.models import Office, RuleChange
from sso.core.records import refuse, stamp
from sso.core.rules import (
    DAY,
    RuleTable,
    continues_after,
    overlap_and_gap_errors,
    period_errors,
    raise_errors,
    split_rows,
    table_get,
    value_dump,
    value_load,
)

PERMISSION = "core.manage_rules"

RULE_CHANGE = Lifecycle(
    RuleChange,
    {RuleChange.Status.PROPOSED: {RuleChange.Status.CONFIRMED, RuleChange.Status.WITHDRAWN}},
)


def may_manage_rules(user) -> bool:
    """A head-office rules administrator (the superuser too): the permission alone is not
    enough, an office's administrator elsewhere changes no national rule."""
    if not (user.is_authenticated and user.has_perm(PERMISSION)):
        return False
    return user.is_superuser or (user.office_id is not None and user.office.kind == Office.Kind.HEAD)


def _officer_check(officer) -> None:
    if not may_manage_rules(officer):
        refuse("officer", _("Only a head-office rules administrator changes the rule tables."), code="forbidden")


def _table(key: str) -> RuleTable:
    table = table_get(key)
    if table is None:
        refuse("table", _("There is no such rule table."), code="unknown_table")
    return table


def change_values(table: RuleTable, change: RuleChange) -> dict:
    """The change's values as the model's Python values (a province as a Province)."""
    return {name: value_load(table, name, change.values.get(name)) for name in (*table.scope, *table.fields)}


def change_scope(table: RuleTable, change: RuleChange) -> dict:
    return {table.model._meta.get_field(name).attname: change.values.get(name) for name in table.scope}


def _scope_ids(table: RuleTable, values: dict) -> dict:
    return {name: value_dump(table, name, values.get(name)) for name in table.scope}


def _pending(table: RuleTable, scope_ids: dict, *, exclude=None) -> list:
    changes = RuleChange.objects.filter(table=table.key, status=RuleChange.Status.PROPOSED)
    if exclude is not None:
        changes = changes.exclude(pk=exclude.pk)
    return [
        (change.valid_from, change.valid_to)
        for change in changes
        if all(change.values.get(name) == value for name, value in scope_ids.items())
    ]


def _checks(table: RuleTable, values: dict, valid_from, valid_to, *, today, exclude=None) -> None:
    """Every check a new row of `table` passes, at the proposal and again at the confirmation."""
    errors = list(period_errors(table, valid_from, valid_to, today=today))
    instance = table.model(**values)
    try:
        instance.clean_fields(exclude=[f.name for f in table.model._meta.fields if f.name not in table.fields])
    except ValidationError as exc:
        errors += [(name, message) for name, messages in exc.message_dict.items() for message in messages]
    if table.check is not None:
        errors += table.check(values)
    if not errors:
        scope_ids = _scope_ids(table, values)
        scope = {name: values.get(name) for name in table.scope}
        scope = {name: getattr(value, "pk", value) for name, value in scope.items()}
        errors += overlap_and_gap_errors(
            table, scope, valid_from, valid_to, pending=_pending(table, scope_ids, exclude=exclude)
        )
    raise_errors(errors)


def _lock(table: RuleTable) -> None:
    # Two proposals of one table are checked against each other one at a time.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"rules:{table.key}"])


@transaction.atomic
def rule_change_propose(
    *,
    table_key: str,
    values: dict,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    reason: str,
    legal_reference: str,
    officer,
    today: datetime.date | None = None,
) -> RuleChange:
    """Propose a new row of a rule table; nothing changes in the table until it is confirmed."""
    _officer_check(officer)
    table = _table(table_key)
    today = today or timezone.localdate()
    reason, legal_reference = (reason or "").strip(), (legal_reference or "").strip()
    missing = []
    if not reason:
        missing.append(("reason", _("Give the reason for the change.")))
    if not legal_reference:
        missing.append(
            ("legal_reference", _("Name the legal instrument (ministerial regulation, announcement) of the change."))
        )
    raise_errors(missing)
    _lock(table)
    _checks(table, values, valid_from, valid_to, today=today)
    change = RuleChange(
        table=table.key,
        values={name: value_dump(table, name, values.get(name)) for name in (*table.scope, *table.fields)},
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason,
        legal_reference=legal_reference[:300],
        proposed_by=officer,
        proposed_at=timezone.now(),
    )
    stamp(change, officer, "proposed")
    change.save()
    return change


def _locked(change: RuleChange) -> RuleChange:
    return RuleChange.objects.select_for_update().get(pk=change.pk)


@transaction.atomic
def rule_change_confirm(*, change: RuleChange, officer, today: datetime.date | None = None) -> RuleChange:
    """The second administrator's confirmation: the checks again, then the row is added and
    the rows of its scope that started before are cut around it (`rules.split_rows`).
    Refused to the proposer, and once the row's start date has come (a row must never start
    before it was known)."""
    _officer_check(officer)
    change = _locked(change)
    table = _table(change.table)
    today = today or timezone.localdate()
    RULE_CHANGE.check(change, RuleChange.Status.CONFIRMED)
    if change.proposed_by_id == officer.pk:
        refuse("officer", _("The administrator who proposed a change cannot confirm it: a second one must."), "own")
    if change.valid_from <= today:
        refuse(
            "valid_from",
            lazy_format(
                _("The row was to start on %(day)s, which has come: propose the change again from a later date."),
                {"day": date_lazy(change.valid_from)},
            ),
            "started",
        )
    _lock(table)
    values = change_values(table, change)
    _checks(table, values, change.valid_from, change.valid_to, today=today, exclude=change)
    reason = lazy_format(_("Rule change %(number)s"), {"number": change.pk})
    # The rows of the scope that started before cut around the new row: closed the day before
    # it, and one that ran past its end goes on after it as a copy (a temporary change).
    for cut in split_rows(
        table.model._default_manager.select_for_update().filter(**change_scope(table, change)).order_by("valid_from"),
        change.valid_from,
        change.valid_to,
    ):
        if continues_after(cut, change.valid_to):
            after = table.model._default_manager.get(pk=cut.pk)
            after.pk = after.id = None
            after.valid_from, after.valid_to = change.valid_to + DAY, cut.valid_to
            stamp(after, officer, str(reason))
            after.save()
        cut.valid_to = change.valid_from - DAY
        stamp(cut, officer, str(reason))
        cut.save(update_fields=["valid_to"])
    row = table.model(**values, valid_from=change.valid_from, valid_to=change.valid_to)
    if hasattr(row, "note"):
        row.note = f"{change.legal_reference}: {change.reason}"[:300]
    stamp(row, officer, str(reason))
    if table.save is not None:
        table.save(row)
    else:
        row.save()
    change.decided_by, change.decided_at, change.row_id = officer, timezone.now(), row.pk
    return RULE_CHANGE.move(
        change,
        RuleChange.Status.CONFIRMED,
        officer=officer,
        reason="confirmed",
        update_fields=["decided_by", "decided_at", "row_id"],
    )


@transaction.atomic
def rule_change_withdraw(*, change: RuleChange, officer) -> RuleChange:
    """Withdraw a change still proposed (its proposer or another rules administrator)."""
    _officer_check(officer)
    change = _locked(change)
    RULE_CHANGE.check(change, RuleChange.Status.WITHDRAWN)
    change.decided_by, change.decided_at = officer, timezone.now()
    return RULE_CHANGE.move(
        change,
        RuleChange.Status.WITHDRAWN,
        officer=officer,
        reason="withdrawn",
        update_fields=["decided_by", "decided_at"],
    )
