"""Step 4 of a claim, paying: payment orders, bank batch files, the bank's confirmation and
the monthly recurring run.

An order is made `held` while the back office has not verified the claim (verification
`pending` or `findings`), else `pending`; `benefits.backoffice` releases held orders when the
findings are cleared. Batches take only `pending` bank transfers. The monthly run is one
INSERT ... SELECT ... ON CONFLICT DO NOTHING: a month of a claim is paid once however often
it runs (the unique (claim, period) index; a cancelled month is not made again). The bank file layout
is in docs/benefits.md ("Paying").
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.lifecycles import CLAIM, PAYMENT_BATCH, PAYMENT_ORDER
from benefits.models import Claim, PaymentBatch, PaymentOrder
from registry import selectors as registry
from sso.core.audit import history_copy, history_copy_where
from sso.core.formats import lazy_format
from sso.core.months import month_add, month_first
from sso.core.records import refuse, stamp
from sso.core.uploads import UploadRefused, csv_rows, size_check

HELD_WHEN = (Claim.Verification.PENDING, Claim.Verification.FINDINGS)
PAID, FAILED = PaymentOrder.Status.PAID, PaymentOrder.Status.FAILED


def _status_for(claim: Claim) -> str:
    return PaymentOrder.Status.HELD if claim.verification in HELD_WHEN else PaymentOrder.Status.PENDING


def _snapshot(person_id) -> dict:
    """Where to pay: the person's open bank account, else cash at the office."""
    account = registry.bank_account_open(person_id)
    if account is None:
        return {"method": PaymentOrder.Method.CASH, "bank_id": None, "account_number": "", "account_name": ""}
    return {
        "method": PaymentOrder.Method.TRANSFER,
        "bank_id": account.bank_id,
        "account_number": account.account_number,
        "account_name": account.account_name,
    }


# Orders ------------------------------------------------------------------------------------


def payment_orders_first(*, claim: Claim, officer, today: datetime.date | None = None) -> list[PaymentOrder]:
    """The orders of a claim just approved (called inside `claim_adjudicate`'s transaction).

    One-off: one order for the amount, for the event month. Monthly: the months from the
    event month (the rules count `months` from it) up to the month of approval, so a claim
    decided late is paid its arrears at once; the monthly run makes the later months."""
    today = today or timezone.localdate()
    first = month_first(claim.event_date)
    if claim.monthly:
        last = month_first(today)
        periods = []
        period = first
        while period <= last and (claim.months is None or len(periods) < claim.months):
            periods.append(period)
            period = month_add(period, 1)
        if not periods:  # an event dated after approval's month cannot happen; keep one month
            periods = [first]
    else:
        periods = [first]
    snapshot = _snapshot(claim.person_id)
    made = []
    for period in periods:
        if PaymentOrder.objects.filter(claim=claim, period=period).exists():
            continue
        order = stamp(
            PaymentOrder(claim=claim, period=period, amount=claim.amount, status=_status_for(claim), **snapshot),
            officer,
        )
        order.save()
        made.append(order)
    return made


_RUN_SQL = """
INSERT INTO benefits_paymentorder
    (claim_id, period, amount, method, bank_id, account_number, account_name, status, batch_id,
     created_at, paid_at, bank_reference, failure_reason)
SELECT c.id, %(month)s, c.amount,
       CASE WHEN a.id IS NULL THEN 'cash' ELSE 'transfer' END,
       a.bank_id, COALESCE(a.account_number, ''), COALESCE(a.account_name, ''),
       CASE WHEN c.verification IN ('pending', 'findings') THEN 'held' ELSE 'pending' END,
       NULL, %(now)s, NULL, NULL, ''
FROM benefits_claim c
LEFT JOIN registry_bankaccount a ON a.person_id = c.person_id AND a.valid_to IS NULL
WHERE c.status = 'approved' AND c.monthly AND c.amount IS NOT NULL
  AND date_trunc('month', c.event_date)::date <= %(month)s
  AND (c.months IS NULL OR %(month)s < (date_trunc('month', c.event_date) + c.months * interval '1 month')::date)
  {office}
  AND NOT (c.id = ANY(%(cancelled)s))
ON CONFLICT DO NOTHING
"""


@transaction.atomic
def monthly_run(*, month: datetime.date, officer=None, office=None) -> int:
    """Make the month's order of every approved monthly claim whose schedule covers the month,
    in one statement; returns how many were made (0 on a re-run). `office` limits it to one
    office's claims (the run by hand); the beat job runs every office."""
    month = month_first(month)
    sql = _RUN_SQL.replace("{office}", "AND c.office_id = %(office)s" if office is not None else "")
    # A month cancelled by an officer is not made again. (Not a NOT EXISTS on the table being
    # filled: on a small table the planner may scan it again for every row, as it grows.)
    cancelled = list(
        PaymentOrder.objects.filter(period=month, status=PaymentOrder.Status.CANCELLED).values_list(
            "claim_id", flat=True
        )
    )
    params = {"month": month, "now": timezone.now(), "office": getattr(office, "pk", office), "cancelled": cancelled}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        made = cursor.rowcount
        if made:
            # The audit rows of the orders the run made, chosen by the run's month and time
            # rather than by their ids (see history_copy_where).
            # A run for one office chooses only that office's orders: two offices' runs at the
            # same moment must not write each other's audit rows.
            where, where_params = "period = %s AND created_at = %s", [month, params["now"]]
            if params["office"] is not None:
                where += " AND claim_id IN (SELECT id FROM benefits_claim WHERE office_id = %s)"
                where_params.append(params["office"])
            history_copy_where(
                PaymentOrder,
                where,
                where_params,
                history_type="+",
                officer=officer,
                when=params["now"],
                cursor=cursor,
            )
    return made


# Batches ------------------------------------------------------------------------------------


@transaction.atomic
def batch_make(*, office, bank, pay_on: datetime.date, officer) -> PaymentBatch:
    """Put the office's pending transfers to `bank` in a new batch (one UPDATE)."""
    if office is None:
        refuse("office", _("Only an officer of an office can make its batches."), "no_office")
    batch = stamp(PaymentBatch(office=office, bank=bank, pay_on=pay_on, created_by=officer), officer)
    batch.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE benefits_paymentorder o SET status = %s, batch_id = %s"
            " FROM benefits_claim c WHERE c.id = o.claim_id AND c.office_id = %s"
            " AND o.status = ANY(%s) AND o.method = 'transfer' AND o.bank_id = %s RETURNING o.id, o.amount",
            [
                PaymentOrder.Status.IN_BATCH,
                batch.pk,
                office.pk,
                PAYMENT_ORDER.sources(PaymentOrder.Status.IN_BATCH),
                bank.pk,
            ],
        )
        rows = cursor.fetchall()
    if not rows:
        refuse("bank", _("No transfer to this bank is waiting to be paid."), "empty")
    history_copy(PaymentOrder, [row[0] for row in rows], history_type="~", officer=officer)
    batch.order_count = len(rows)
    batch.total = sum((row[1] for row in rows), Decimal("0"))
    stamp(batch, officer).save(update_fields=["order_count", "total"])
    return batch


def order_reference(order_id: int, period: datetime.date) -> str:
    return f"SSO{order_id}-{period:%Y%m}"


def _satang(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def batch_file(batch: PaymentBatch) -> bytes:
    """The batch as the bank's CSV file (UTF-8, CRLF): a header line and one line per
    transfer (layout in docs/benefits.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    orders = list(batch.orders.order_by("id").values_list("id", "account_number", "account_name", "amount", "period"))
    total = sum((row[3] for row in orders), Decimal("0"))
    writer.writerow(["H", batch.bank.code, f"{batch.pay_on:%Y%m%d}", batch.pk, len(orders), _satang(total)])
    for order_id, number, name, amount, period in orders:
        writer.writerow(["D", order_id, number, name, _satang(amount), order_reference(order_id, period)])
    return out.getvalue().encode("utf-8")


@transaction.atomic
def batch_mark_sent(*, batch: PaymentBatch, officer) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != PaymentBatch.Status.OPEN:
        refuse("status", _("This batch was already sent."), "sent")
    return PAYMENT_BATCH.move(batch, PaymentBatch.Status.SENT, officer=officer)


# The bank's confirmation ---------------------------------------------------------------------


@dataclass
class ConfirmationResult:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _order_id(text: str) -> int | None:
    """An order id as the bank writes it back: ASCII digits that fit a bigint ("²" is a digit too)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _parse_confirmation(content: bytes) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
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


@transaction.atomic
def confirmation_import(*, batch: PaymentBatch, content: bytes, officer) -> ConfirmationResult:
    """Apply the bank's confirmation of a batch: each line (order id, PAID or FAILED, bank
    reference, reason). Idempotent: a line already applied changes nothing. A file with any
    error line stores nothing; every error is reported with its line number."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    result = ConfirmationResult()
    if batch.status == PaymentBatch.Status.OPEN:
        result.errors.append((0, str(_("Mark the batch sent before importing the bank's confirmation."))))
        return result
    rows, result.errors = _parse_confirmation(content)
    ids = [order_id for _n, cells in rows if (order_id := _order_id(cells[0])) is not None]
    orders = {o.pk: o for o in PaymentOrder.objects.select_for_update().filter(pk__in=ids)}
    references = [cells[2] for _n, cells in rows if cells[2]]
    used = dict(
        PaymentOrder.objects.filter(bank_reference__in=references).values_list("bank_reference", "id")
        if references
        else []
    )
    seen_orders, seen_refs = set(), set()
    paid, failed = [], []
    for number, (order_id, status, reference, reason) in rows:
        status = status.upper()

        def error(message, number=number):
            result.errors.append((number, str(message)))

        if _order_id(order_id) is None:
            error(_("The order id must be a number."))
            continue
        order = orders.get(_order_id(order_id))
        if status not in ("PAID", "FAILED"):
            error(_("The status must be PAID or FAILED."))
            continue
        if status == "PAID" and not reference:
            error(_("A paid line needs the bank reference."))
            continue
        if len(reference) > 60 or len(reason) > 200:
            error(_("The reference (60) or the reason (200) is too long."))
            continue
        if order is None:
            error(lazy_format(_("Order %(order)s is unknown."), {"order": order_id}))
            continue
        if order.pk in seen_orders:
            error(lazy_format(_("Order %(order)s appears twice in the file."), {"order": order_id}))
            continue
        seen_orders.add(order.pk)
        if order.batch_id != batch.pk:
            error(lazy_format(_("Order %(order)s is not in this batch."), {"order": order_id}))
            continue
        if order.status == PaymentOrder.Status.PAID:
            if status == "PAID" and order.bank_reference == reference:
                result.unchanged += 1
            else:
                error(
                    lazy_format(
                        _("Order %(order)s is already paid, with bank reference %(reference)s."),
                        {"order": order_id, "reference": order.bank_reference or "-"},
                    )
                )
            continue
        if order.status == PaymentOrder.Status.FAILED:
            if status == "FAILED":
                result.unchanged += 1
            else:
                error(lazy_format(_("Order %(order)s was already returned as failed."), {"order": order_id}))
            continue
        if order.status != PaymentOrder.Status.IN_BATCH:
            error(lazy_format(_("Order %(order)s is no longer waiting for the bank."), {"order": order_id}))
            continue
        if reference and (reference in seen_refs or used.get(reference, order.pk) != order.pk):
            error(lazy_format(_("Bank reference %(reference)s is already used."), {"reference": reference}))
            continue
        if reference:
            seen_refs.add(reference)
        if status == "PAID":
            paid.append((order.pk, reference))
        else:
            failed.append((order.pk, reference or None, reason or str(_("Returned by the bank"))))
    if result.errors:
        result.errors.sort()
        return result
    now = timezone.now()
    with connection.cursor() as cursor:
        if paid:
            cursor.execute(
                "UPDATE benefits_paymentorder o SET status = %s, paid_at = %s, bank_reference = v.ref"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, ref) WHERE o.id = v.id AND o.status = ANY(%s)",
                [PAID, now, [p[0] for p in paid], [p[1] for p in paid], PAYMENT_ORDER.sources(PAID)],
            )
        if failed:
            cursor.execute(
                "UPDATE benefits_paymentorder o SET status = %s, bank_reference = v.ref, failure_reason = v.why"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, ref, why)"
                " WHERE o.id = v.id AND o.status = ANY(%s)",
                [
                    FAILED,
                    [f[0] for f in failed],
                    [f[1] for f in failed],
                    [f[2] for f in failed],
                    PAYMENT_ORDER.sources(FAILED),
                ],
            )
    changed = [p[0] for p in paid] + [f[0] for f in failed]
    if changed:
        history_copy(PaymentOrder, changed, history_type="~", officer=officer, when=now)
    claims_paid_mark(order_ids=[p[0] for p in paid], officer=officer)
    result.paid, result.failed = len(paid), len(failed)
    if not batch.orders.filter(status=PaymentOrder.Status.IN_BATCH).exists() and batch.status != "confirmed":
        PAYMENT_BATCH.move(batch, PaymentBatch.Status.CONFIRMED, officer=officer)
    return result


# Returned transfers and payment at the office -------------------------------------------------


@transaction.atomic
def order_requeue(*, order: PaymentOrder, officer) -> PaymentOrder:
    """A returned transfer back to pay, to the person's bank account as it is now (fix the
    account in the registry first)."""
    order = PaymentOrder.objects.select_for_update().select_related("claim").get(pk=order.pk)
    if order.status != PaymentOrder.Status.FAILED:
        refuse("status", _("Only a returned transfer can be queued again."), "not_failed")
    snapshot = _snapshot(order.claim.person_id)
    if snapshot["method"] != PaymentOrder.Method.TRANSFER:
        refuse(
            "account_number",
            _("The person has no open bank account: record one, or cancel and pay at the office."),
            "no_account",
        )
    order.bank_id = snapshot["bank_id"]
    order.account_number = snapshot["account_number"]
    order.account_name = snapshot["account_name"]
    order.batch = None
    order.bank_reference = None
    return PAYMENT_ORDER.move(
        order,
        PaymentOrder.Status.PENDING,
        officer=officer,
        update_fields=["bank", "account_number", "account_name", "batch", "bank_reference"],
    )


@transaction.atomic
def order_cancel(*, order: PaymentOrder, officer, reason: str) -> PaymentOrder:
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (PaymentOrder.Status.FAILED, PaymentOrder.Status.PENDING, PaymentOrder.Status.HELD):
        refuse("status", _("A paid order, or one with the bank, cannot be cancelled."), "not_cancellable")
    if not reason.strip():
        refuse("reason", _("Give the reason for cancelling."), "required")
    order.failure_reason = reason.strip()[:200]
    return PAYMENT_ORDER.move(order, PaymentOrder.Status.CANCELLED, officer=officer, update_fields=["failure_reason"])


@transaction.atomic
def order_pay_at_office(*, order: PaymentOrder, officer, method: str, reference: str = "") -> PaymentOrder:
    """Cash or a cheque handed over at the office; `reference` is the receipt or cheque number."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if method not in (PaymentOrder.Method.CASH, PaymentOrder.Method.CHEQUE):
        refuse("method", _("Choose cash or cheque."), "required")
    if order.status != PaymentOrder.Status.PENDING:
        refuse("status", _("Only an order waiting to be paid (not held, not with the bank) can be paid here."))
    if method == PaymentOrder.Method.CHEQUE and not reference.strip():
        refuse("reference", _("Give the cheque number."), "required")
    order.method = method
    order.paid_at = timezone.now()
    order.bank_reference = reference.strip() or None
    try:
        with transaction.atomic():
            PAYMENT_ORDER.move(
                order,
                PaymentOrder.Status.PAID,
                officer=officer,
                update_fields=["method", "paid_at", "bank_reference"],
            )
    except IntegrityError:
        refuse("reference", _("This reference is already used by another payment."), "duplicate")
    claims_paid_mark(order_ids=[order.pk], officer=officer)
    return order


def claims_paid_mark(*, order_ids, officer) -> int:
    """A one-off claim whose orders are all paid moves to the last step, paid (with its
    step record); a monthly benefit stays approved while its months run."""
    if not order_ids:
        return 0
    open_statuses = [value for value in PaymentOrder.Status.values if value not in ("paid", "cancelled")]
    sources = CLAIM.sources(Claim.Status.PAID)
    ids = set(
        Claim.objects.filter(payment_orders__id__in=order_ids, monthly=False, status__in=sources)
        .exclude(payment_orders__status__in=open_statuses)
        .values_list("id", flat=True)
    )
    marked = 0
    for claim in Claim.objects.select_for_update().filter(pk__in=ids, status__in=sources):
        CLAIM.move(claim, Claim.Status.PAID, officer=officer)
        marked += 1
    return marked
