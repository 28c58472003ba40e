"""Paying out by bank: the one payment-batch mechanism of every app that sends money.

Benefits' payment orders and contributions' reimbursements are both *payouts*: rows with an
amount, a month, a bank account snapshot (`bank`, `account_number`, `account_name`), a
`batch`, a `status`, `paid_at`, a unique `bank_reference` and a `failure_reason`, in a
batch of one bank with a `pay_on` date and a `status` (open, sent, confirmed). An app
describes its tables once with `Payouts` and gets from here the bank's file, the batch
marked sent and the bank's confirmation imported, the same for both; the layouts are in
docs/benefits.md ("Paying").

The confirmation is read through `sso.core.uploads` (size, lines and cells bounded); a file
with any bad line stores nothing and lists every bad line with its number; re-importing is
safe (a line already applied changes nothing). The moves in SQL restrict their WHERE to the
lifecycle's sources, and their audit rows are copied with `history_copy`.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sso.core.audit import history_copy
from sso.core.exports import neutralise
from sso.core.formats import lazy_format
from sso.core.lifecycle import Lifecycle
from sso.core.records import refuse
from sso.core.uploads import UploadRefused, csv_rows, size_check

IN_BATCH, PAID, FAILED = "in_batch", "paid", "failed"
BATCH_OPEN, BATCH_SENT, BATCH_CONFIRMED = "open", "sent", "confirmed"


@dataclass(frozen=True)
class Payouts:
    """One app's payout tables: the item (an order, a reimbursement) and its batch, their
    lifecycles, the prefix of the reference the bank shows the payee, and what follows a
    payment (benefits marks a one-off claim paid)."""

    item: type[Model]
    batch: type[Model]
    lifecycle: Lifecycle
    batch_lifecycle: Lifecycle
    prefix: str
    after_paid: Callable[..., object] | None = None

    def reference(self, item_id: int, period: datetime.date) -> str:
        return f"{self.prefix}{item_id}-{period:%Y%m}"


def satang(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def file_name(batch) -> str:
    return f"sso-{batch.bank.code}-{batch.pay_on:%Y%m%d}-{batch.pk}.csv"


def bank_file(payouts: Payouts, batch) -> bytes:
    """The batch as the bank's CSV file (UTF-8, CRLF): a header line and one line per
    transfer. The account name is the one cell a person types: a name starting with a
    formula character is neutralised (sso.core.exports), as every export is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    items = list(
        payouts.item.objects.filter(batch=batch)
        .order_by("id")
        .values_list("id", "account_number", "account_name", "amount", "period")
    )
    total = sum((row[3] for row in items), Decimal("0"))
    writer.writerow(["H", batch.bank.code, f"{batch.pay_on:%Y%m%d}", batch.pk, len(items), satang(total)])
    for item_id, number, name, amount, period in items:
        writer.writerow(
            ["D", item_id, neutralise(number), neutralise(name), satang(amount), payouts.reference(item_id, period)]
        )
    return out.getvalue().encode("utf-8")


@transaction.atomic
def batch_mark_sent(payouts: Payouts, *, batch, officer):
    batch = payouts.batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BATCH_OPEN:
        refuse("status", _("This batch was already sent."), "sent")
    return payouts.batch_lifecycle.move(batch, BATCH_SENT, officer=officer)


# The bank's confirmation ---------------------------------------------------------------------


@dataclass
class ConfirmationResult:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    paid_ids: list[int] = field(default_factory=list)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def item_id(text: str) -> int | None:
    """An id as the bank writes it back: ASCII digits that fit a bigint ("²" is a digit too)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def confirmation_parse(content: bytes) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The lines of the bank's file (numbered as in the file) and the faults of their form;
    a file past the upload limits (sso/core/uploads.py) is one fault, read no further."""
    try:
        size_check(len(content))
        text = content.decode("utf-8-sig")
    except UploadRefused as refused:
        return [], [(0, str(refused.reason))]
    except UnicodeDecodeError:
        return [], [(0, str(_("The file is not UTF-8 text.")))]
    rows, errors = [], []
    try:
        for number, row in csv_rows(text):
            if not row or not "".join(row).strip():
                continue
            if number == 1 and row[0].strip().lower() in ("order_id", "order"):
                continue  # a header line
            if len(row) not in (3, 4):
                errors.append((number, str(_("Expected 4 fields: order id, PAID or FAILED, bank reference, reason."))))
                continue
            if any(_CONTROL.search(cell) for cell in row):
                errors.append((number, str(_("The line holds a control character (such as NUL); correct the file."))))
                continue
            rows.append((number, [cell.strip() for cell in row] + ([""] if len(row) == 3 else [])))
    except UploadRefused as refused:
        return [], [(0, str(refused.reason))]
    return rows, errors


def _line_check(batch, item, status: str, reference: str, number_text: str, result, seen, used, seen_refs):
    """None when the line is to apply, "same" when already applied, else the error text."""
    if item.pk in seen:
        return lazy_format(_("Order %(order)s appears twice in the file."), {"order": number_text})
    seen.add(item.pk)
    if item.batch_id != batch.pk:
        return lazy_format(_("Order %(order)s is not in this batch."), {"order": number_text})
    if item.status == PAID:
        if status == "PAID" and item.bank_reference == reference:
            return "same"
        return lazy_format(
            _("Order %(order)s is already paid, with bank reference %(reference)s."),
            {"order": number_text, "reference": item.bank_reference or "-"},
        )
    if item.status == FAILED:
        if status == "FAILED":
            return "same"
        return lazy_format(_("Order %(order)s was already returned as failed."), {"order": number_text})
    if item.status != IN_BATCH:
        return lazy_format(_("Order %(order)s is no longer waiting for the bank."), {"order": number_text})
    if reference and (reference in seen_refs or used.get(reference, item.pk) != item.pk):
        return lazy_format(_("Bank reference %(reference)s is already used."), {"reference": reference})
    return None


@transaction.atomic
def confirmation_import(payouts: Payouts, *, batch, content: bytes, officer) -> ConfirmationResult:
    """Apply the bank's confirmation of a batch: each line (id, PAID or FAILED, bank
    reference, reason). Idempotent: a line already applied changes nothing. A file with any
    error line stores nothing; every error is reported with its line number."""
    model = payouts.item
    table = connection.ops.quote_name(model._meta.db_table)
    batch = payouts.batch.objects.select_for_update().get(pk=batch.pk)
    result = ConfirmationResult()
    if batch.status == BATCH_OPEN:
        result.errors.append((0, str(_("Mark the batch sent before importing the bank's confirmation."))))
        return result
    rows, result.errors = confirmation_parse(content)
    ids = [found for _n, cells in rows if (found := item_id(cells[0])) is not None]
    items = {row.pk: row for row in model.objects.select_for_update().filter(pk__in=ids)}
    references = [cells[2] for _n, cells in rows if cells[2]]
    used = dict(
        model.objects.filter(bank_reference__in=references).values_list("bank_reference", "id") if references else []
    )
    seen, seen_refs = set(), set()
    paid, failed = [], []
    for number, (number_text, status, reference, reason) in rows:
        status = status.upper()
        if item_id(number_text) is None:
            result.errors.append((number, str(_("The order id must be a number."))))
            continue
        if status not in ("PAID", "FAILED"):
            result.errors.append((number, str(_("The status must be PAID or FAILED."))))
            continue
        if status == "PAID" and not reference:
            result.errors.append((number, str(_("A paid line needs the bank reference."))))
            continue
        if len(reference) > 60 or len(reason) > 200:
            result.errors.append((number, str(_("The reference (60) or the reason (200) is too long."))))
            continue
        item = items.get(item_id(number_text))
        if item is None:
            result.errors.append((number, str(lazy_format(_("Order %(order)s is unknown."), {"order": number_text}))))
            continue
        fault = _line_check(batch, item, status, reference, number_text, result, seen, used, seen_refs)
        if fault == "same":
            result.unchanged += 1
            continue
        if fault is not None:
            result.errors.append((number, str(fault)))
            continue
        if reference:
            seen_refs.add(reference)
        if status == "PAID":
            paid.append((item.pk, reference))
        else:
            failed.append((item.pk, reference or None, reason or str(_("Returned by the bank"))))
    if result.errors:
        result.errors.sort()
        return result
    now = timezone.now()
    with connection.cursor() as cursor:
        if paid:
            cursor.execute(
                f"UPDATE {table} o SET status = %s, paid_at = %s, bank_reference = v.ref"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, ref) WHERE o.id = v.id AND o.status = ANY(%s)",
                [PAID, now, [p[0] for p in paid], [p[1] for p in paid], payouts.lifecycle.sources(PAID)],
            )
        if failed:
            cursor.execute(
                f"UPDATE {table} o SET status = %s, bank_reference = v.ref, failure_reason = v.why"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, ref, why)"
                " WHERE o.id = v.id AND o.status = ANY(%s)",
                [
                    FAILED,
                    [f[0] for f in failed],
                    [f[1] for f in failed],
                    [f[2] for f in failed],
                    payouts.lifecycle.sources(FAILED),
                ],
            )
    changed = [p[0] for p in paid] + [f[0] for f in failed]
    if changed:
        history_copy(model, changed, history_type="~", officer=officer, when=now)
    result.paid_ids = [p[0] for p in paid]
    if payouts.after_paid is not None:
        payouts.after_paid(order_ids=result.paid_ids, officer=officer)
    result.paid, result.failed = len(paid), len(failed)
    if batch.status != BATCH_CONFIRMED and not model.objects.filter(batch=batch, status=IN_BATCH).exists():
        payouts.batch_lifecycle.move(batch, BATCH_CONFIRMED, officer=officer)
    return result


# The payee's account ---------------------------------------------------------------------------


def account_checked(bank, account_number: str, account_name: str) -> tuple[str, str]:
    """A payee's account typed by an officer (an employer's, a hospital's): the number has the
    bank's count of digits (dashes and spaces allowed), the name is given. Returns the digits
    and the name, or refuses naming the field."""
    account_number = (account_number or "").strip()
    digits = "".join(ch for ch in account_number if ch.isdigit())
    if bank is None:
        refuse("bank", _("Choose the bank."), "required")
    if len(digits) != bank.account_digits or any(ch not in "0123456789- " for ch in account_number):
        refuse(
            "account_number",
            lazy_format(
                _("An account number of %(bank)s has %(count)s digits."),
                {"bank": bank.name, "count": bank.account_digits},
            ),
            "length",
        )
    account_name = " ".join((account_name or "").split())
    if not account_name:
        refuse("account_name", _("Enter the name on the account."), "required")
    if len(account_name) > 200 or _CONTROL.search(account_name):
        refuse("account_name", _("The name on the account is too long or holds a control character."), "invalid")
    return digits, account_name
