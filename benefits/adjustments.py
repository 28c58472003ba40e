"""Adjustment orders: what an appeal upheld against an approval changes in months already paid.

The appeal records the amount the rules now give (`Appeal.reexamined_amount`). When it differs
from the approved amount, `claim_amount_revise` (inside the appeal decision's transaction)
makes it the claim's amount and settles every month of the claim:

- a month not yet paid (its order pending, held, or returned by the bank) is paid at the new
  amount: its order's amount is changed, with the reason;
- a month paid (or with the bank) at less gets an adjustment order of its own for the
  difference (`PaymentOrder.kind` "adjustment", `adjusts` the month's order, `appeal`, the
  reason in Thai and English), paid as any order is: held until verified, then by bank batch or
  at the office;
- a month paid at more gets a `PaymentRecovery` of the difference, recovered by withholding it
  from the claim's next payments as they become payable (`recoveries_apply`: at once from the
  months waiting, then from each month the monthly run makes and each held order released),
  never taking a payment below zero: an order whose whole amount is withheld is paid without
  money moving. A cancelled order gives back what was withheld from it (`recoveries_restore`).

What a month was paid is every order of the month not cancelled (the month's payment and any
earlier adjustment, each with what was withheld from it) less the overpayments already
recorded for it, so a second appeal adjusts from where the first left the month. The months
to come are made at the new amount by the monthly run (it reads the claim's amount). Every
write is audited (the orders', recoveries' and claim's history, by the deciding officer).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from benefits.lifecycles import PAYMENT_ORDER
from benefits.models import Appeal, Claim, PaymentOrder, PaymentRecovery
from sso.core.formats import lazy_format, money_display, month_numeric
from sso.core.records import stamp

O = PaymentOrder.Status  # noqa: E741 - as in benefits.lifecycles
# Money that left (or is leaving) the office for the month.
PAID_OR_SENT = (O.PAID, O.IN_BATCH)
# A month's order still to pay: it is paid at the new amount instead.
NOT_YET_PAID = (O.PENDING, O.HELD, O.FAILED)
ZERO = Decimal("0.00")


@dataclass
class Revision:
    """What an appeal's new amount changed: the claim's amount, the orders re-amounted before
    payment, the adjustment orders made and the overpayments recorded."""

    before: Decimal | None
    after: Decimal
    reamounted: list[PaymentOrder] = field(default_factory=list)
    adjustments: list[PaymentOrder] = field(default_factory=list)
    recoveries: list[PaymentRecovery] = field(default_factory=list)

    @property
    def adjusted_total(self) -> Decimal:
        return sum((order.amount for order in self.adjustments), ZERO)

    @property
    def recovery_total(self) -> Decimal:
        return sum((recovery.amount for recovery in self.recoveries), ZERO)


def _both(render) -> dict[str, str]:
    """A reason as stored: `render(language)` in Thai and in English."""
    texts = {}
    for language in ("th", "en"):
        with translation.override(language):
            texts[language] = str(render(language))
    return texts


def _reason(appeal: Appeal, period: datetime.date, paid, due) -> dict[str, str]:
    return _both(
        lambda language: lazy_format(
            _("Appeal %(appeal)s upheld: %(month)s paid %(paid)s, due %(due)s."),
            {
                "appeal": appeal.pk,
                "month": month_numeric(period, language),
                "paid": money_display(paid, language),
                "due": money_display(due, language),
            },
        )
    )


def _reamount_reason(appeal: Appeal, before, after) -> dict[str, str]:
    return _both(
        lambda language: lazy_format(
            _("Appeal %(appeal)s upheld: the amount changed from %(before)s to %(after)s before payment."),
            {
                "appeal": appeal.pk,
                "before": money_display(before, language),
                "after": money_display(after, language),
            },
        )
    )


def claim_amount_revise(*, claim: Claim, appeal: Appeal, amount: Decimal, officer) -> Revision:
    """Make `amount` (the rules' on re-examination) the claim's amount and settle the months
    already made (see the module's docstring). Called inside the appeal decision's
    transaction, with the claim locked; refuses nothing."""
    from benefits.payments import _snapshot, _status_for

    revision = Revision(before=claim.amount, after=amount)
    claim.amount = amount
    stamp(claim, officer, f"appeal {appeal.pk}").save(update_fields=["amount"])
    orders = list(claim.payment_orders.select_for_update().exclude(status=O.CANCELLED).order_by("period", "kind", "id"))
    recovered_before = dict(
        PaymentRecovery.objects.filter(claim=claim).values_list("period").annotate(total=Sum("amount"))
    )
    months: dict[datetime.date, list[PaymentOrder]] = {}
    for order in orders:
        months.setdefault(order.period, []).append(order)
    snapshot = None
    for period, month_orders in months.items():
        payment = next((order for order in month_orders if order.kind == PaymentOrder.Kind.PAYMENT), None)
        if payment is None:
            continue
        if payment.status in NOT_YET_PAID and len(month_orders) == 1:
            new_amount = max(amount - payment.withheld, ZERO)
            if new_amount != payment.amount:
                payment.reason = _reamount_reason(appeal, payment.amount + payment.withheld, amount)
                payment.amount = new_amount
                stamp(payment, officer, f"appeal {appeal.pk}").save(update_fields=["amount", "reason"])
                revision.reamounted.append(payment)
            continue
        paid = sum((order.amount + order.withheld for order in month_orders), ZERO) - recovered_before.get(period, ZERO)
        difference = amount - paid
        if difference > 0:
            if snapshot is None:
                snapshot = _snapshot(claim.person_id)
            adjustment = stamp(
                PaymentOrder(
                    claim=claim,
                    period=period,
                    amount=difference,
                    kind=PaymentOrder.Kind.ADJUSTMENT,
                    adjusts=payment,
                    appeal=appeal,
                    reason=_reason(appeal, period, paid, amount),
                    status=_status_for(claim),
                    **snapshot,
                ),
                officer,
            )
            adjustment.save()
            revision.adjustments.append(adjustment)
        elif difference < 0:
            recovery = stamp(
                PaymentRecovery(
                    claim=claim,
                    appeal=appeal,
                    period=period,
                    paid=paid,
                    due=amount,
                    amount=-difference,
                    reason=_reason(appeal, period, paid, amount),
                    created_by=officer,
                ),
                officer,
            )
            recovery.save()
            revision.recoveries.append(recovery)
    if revision.recoveries:
        recoveries_apply(officer=officer, claim_ids=[claim.pk])
    return revision


def revision_note(revision: Revision) -> object:
    """What the revision did, for the appeal's step note (a lazy message)."""
    parts = [
        lazy_format(
            _("amount %(before)s -> %(after)s"),
            {"before": money_display(revision.before) or "—", "after": money_display(revision.after)},
        )
    ]
    if revision.adjustments:
        parts.append(
            lazy_format(
                _("%(count)s adjustment orders, %(total)s"),
                {"count": len(revision.adjustments), "total": money_display(revision.adjusted_total)},
            )
        )
    if revision.recoveries:
        parts.append(
            lazy_format(
                _("%(count)s overpaid months to recover, %(total)s"),
                {"count": len(revision.recoveries), "total": money_display(revision.recovery_total)},
            )
        )
    return "; ".join(str(part) for part in parts)


# Recovering an overpayment ------------------------------------------------------------------


def recoveries_offset(*, orders, officer) -> list[PaymentOrder]:
    """Withhold the claims' outstanding overpayments from `orders` (payable, read
    `select_for_update`), oldest overpayment first, each order down to zero at most. Returns
    the orders changed (saved, audited)."""
    orders = sorted(orders, key=lambda order: (order.period, order.id))
    claim_ids = {order.claim_id for order in orders}
    if not claim_ids:
        return []
    outstanding: dict[int, list[PaymentRecovery]] = {}
    for recovery in (
        PaymentRecovery.objects.select_for_update()
        .filter(claim_id__in=claim_ids, recovered__lt=F("amount"))
        .order_by("created_at", "id")
    ):
        outstanding.setdefault(recovery.claim_id, []).append(recovery)
    changed = []
    for order in orders:
        taken = ZERO
        for recovery in outstanding.get(order.claim_id, []):
            take = min(recovery.outstanding, order.amount - taken)
            if take <= 0:
                continue
            recovery.recovered += take
            stamp(recovery, officer, f"order {order.pk}").save(update_fields=["recovered"])
            taken += take
        if taken:
            order.amount -= taken
            order.withheld += taken
            stamp(order, officer, "recovery").save(update_fields=["amount", "withheld"])
            changed.append(order)
    return changed


def recoveries_apply(*, officer, claim_ids=None) -> list[PaymentOrder]:
    """Withhold the outstanding overpayments from the pending orders of the claims that have
    one (of `claim_ids` when given): called when orders become payable (an appeal's revision,
    the monthly run, held orders released). An order whose whole amount is withheld is paid
    without money moving (no transfer of nothing). Returns the orders changed."""
    recoveries = PaymentRecovery.objects.filter(recovered__lt=F("amount"))
    if claim_ids is not None:
        recoveries = recoveries.filter(claim_id__in=list(claim_ids))
    owing = set(recoveries.values_list("claim_id", flat=True))
    if not owing:
        return []
    orders = PaymentOrder.objects.select_for_update().filter(claim_id__in=owing, status=O.PENDING)
    changed = recoveries_offset(orders=list(orders), officer=officer)
    settled = []
    for order in changed:
        if order.amount == 0:
            order.paid_at = timezone.now()
            PAYMENT_ORDER.move(order, O.PAID, officer=officer, reason="recovery", update_fields=["paid_at"])
            settled.append(order.pk)
    if settled:
        from benefits.payments import claims_paid_mark

        claims_paid_mark(order_ids=settled, officer=officer)
    return changed


def recoveries_restore(*, order: PaymentOrder, officer) -> None:
    """A cancelled order's withheld money goes back to the claim's overpayments, the latest
    recovered first (it was not paid, so it recovered nothing)."""
    if not order.withheld:
        return
    left = order.withheld
    for recovery in (
        PaymentRecovery.objects.select_for_update()
        .filter(claim_id=order.claim_id, recovered__gt=0)
        .order_by("-created_at", "-id")
    ):
        back = min(left, recovery.recovered)
        recovery.recovered -= back
        stamp(recovery, officer, f"order {order.pk} cancelled").save(update_fields=["recovered"])
        left -= back
        if not left:
            break
