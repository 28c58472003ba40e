"""Step 4 of a claim, paying: payment orders, bank batch files, the bank's confirmation and
the monthly recurring run.

An order is made `held` while the back office has not verified the claim (verification
`pending` or `findings`), else `pending`; `benefits.backoffice` releases held orders when the
findings are cleared. Batches take only `pending` bank transfers. The monthly run is one
INSERT ... SELECT ... ON CONFLICT DO NOTHING: a month of a claim is paid once however often
it runs (the unique (claim, period) index; a cancelled month is not made again). The bank file layout
is in docs/benefits.md ("Paying").
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.adjustments import recoveries_apply, recoveries_restore
from benefits.lifecycles import CLAIM, PAYMENT_BATCH, PAYMENT_ORDER
from benefits.models import Claim, PaymentBatch, PaymentOrder
from registry import selectors as registry
from sso.core import payouts
from sso.core.audit import history_copy, history_copy_where
from sso.core.months import month_add, month_first
from sso.core.records import refuse, stamp

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
        if PaymentOrder.objects.filter(claim=claim, period=period, kind=PaymentOrder.Kind.PAYMENT).exists():
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
    if made:
        # Overpayments still to recover are withheld from the months just made.
        recoveries_apply(officer=officer)
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
    return PAYOUTS.reference(order_id, period)


def batch_file(batch: PaymentBatch) -> bytes:
    """The batch as the bank's CSV file (UTF-8, CRLF): a header line and one line per
    transfer (layout in docs/benefits.md; written by `sso.core.payouts`, as reimbursements' are)."""
    return payouts.bank_file(PAYOUTS, batch)


@transaction.atomic
def batch_mark_sent(*, batch: PaymentBatch, officer) -> PaymentBatch:
    return payouts.batch_mark_sent(PAYOUTS, batch=batch, officer=officer)


# The bank's confirmation ---------------------------------------------------------------------

ConfirmationResult = payouts.ConfirmationResult


def confirmation_import(*, batch: PaymentBatch, content: bytes, officer) -> ConfirmationResult:
    """Apply the bank's confirmation of a batch (`sso.core.payouts.confirmation_import`):
    each line (order id, PAID or FAILED, bank reference, reason); a one-off claim whose
    orders are all paid moves to paid. Idempotent; a file with any error line stores nothing."""
    return payouts.confirmation_import(PAYOUTS, batch=batch, content=content, officer=officer)


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
    recoveries_restore(order=order, officer=officer)
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


# The one payout mechanism (sso.core.payouts), as benefits' tables hold it.
PAYOUTS = payouts.Payouts(
    item=PaymentOrder,
    batch=PaymentBatch,
    lifecycle=PAYMENT_ORDER,
    batch_lifecycle=PAYMENT_BATCH,
    prefix="SSO",
    after_paid=claims_paid_mark,
)
