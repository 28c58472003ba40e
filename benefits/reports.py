"""The back office's measures of benefit claims, on the back-office report page
(`sso.core.reports`, slot BACKOFFICE): how long each step takes, the claims waiting by step
and age, the verifiers' queue, and the payment orders and bank batches.

Why these sources (a month's page must stay fast with a year of history):
- Step durations over a range read a daily summary (`ClaimStepDay`: per day, office, benefit
  and step the sorted durations in seconds), so a month of an office is at most 31 x 24 rows
  and its p50/p90 are exact (every duration is kept; a histogram would round them). It is
  rolled by `benefits.summaries.claim_steps_roll`: the beat every five minutes for today and
  yesterday, and here for the days of the range never rolled and a stale today.
- The backlog, the verification queue and the orders are "now" figures over small live sets
  (claims not yet decided or paid, open findings, orders not yet paid) read through their
  status indexes; no summary would be cheaper than reading them. They are as of now, not of
  the range's end (the page says so in the tables' titles).
"""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import selectors, summaries
from benefits.models import Benefit, ClaimStepDay, PaymentBatch, PaymentOrder
from contributions.selectors import report_office_ids as office_ids
from sso.core.reports import BACKOFFICE, Chart, Column, Content, Figure, Period, ReportSection, Table

BANDS = ((0, 3, "0-3"), (4, 7, "4-7"), (8, 14, "8-14"), (15, 30, "15-30"), (31, None, "31+"))
WAITING = (
    ("recorded", _("To examine")),
    ("examined", _("To decide at the counter")),
    ("referred", _("To decide in the back office")),
    ("approved", _("To pay")),
)
HOURS = Decimal("0.01")


def _hours(seconds) -> Decimal:
    return (Decimal(str(seconds)) / 3600).quantize(HOURS)


def _band(days: int) -> str:
    return next(label for low, high, label in BANDS if days >= low and (high is None or days <= high))


def durations(period: Period) -> Content:
    summaries.claim_steps_fill(first=period.start, last=period.end)
    labels, steps = dict(Benefit.choices), dict(ClaimStepDay.Step.choices)
    rows = [
        {
            "benefit": labels.get(benefit, benefit),
            "step": steps[step],
            "claims": count,
            "p50": _hours(p50),
            "p90": _hours(p90),
        }
        for benefit, step, count, p50, p90 in selectors.step_durations(
            first=period.start, last=period.end, office_ids=office_ids(period)
        )
    ]
    return Content(
        tables=[
            Table(
                "step_durations",
                _("Step durations (hours)"),
                [
                    Column("benefit", _("Benefit")),
                    Column("step", _("Step")),
                    Column("claims", _("Claims"), "int"),
                    Column("p50", _("p50 (hours)"), "decimal"),
                    Column("p90", _("p90 (hours)"), "decimal"),
                ],
                rows,
            )
        ],
        charts=[Chart("step_durations", _("Step durations (hours)"), "bar", "step_durations", "step", ["p50", "p90"])],
    )


def backlog(period: Period) -> Content:
    now = timezone.now()
    counts = {status: dict.fromkeys([label for _l, _h, label in BANDS], 0) for status, _label in WAITING}
    for status, recorded_at in selectors.claims_waiting(office_ids(period)):
        counts[status][_band((now - recorded_at).days)] += 1
    url = reverse("benefits:claim_list")
    rows = [
        {"status": status, "step": label, **counts[status], "total": sum(counts[status].values())}
        for status, label in WAITING
    ]
    verify = selectors.verification_waiting(office_ids(period))

    def queue_row(key, label, times):
        ages = sorted((now - at).total_seconds() / 86400 for at in times)
        return {
            "queue": label,
            "key": key,
            "claims": len(ages),
            "oldest": Decimal(str(ages[-1])).quantize(HOURS) if ages else None,
        }

    return Content(
        figures=[
            Figure("waiting", _("Claims waiting now"), sum(row["total"] for row in rows), drill=f"{url}?status=open")
        ],
        tables=[
            Table(
                "backlog",
                _("Claims waiting now by step and age (days since recorded)"),
                [Column("step", _("Step"))]
                + [Column(label, label, "int") for _l, _h, label in BANDS]
                + [Column("total", _("Total"), "int")],
                rows,
                totals={
                    "step": _("Total"),
                    **{label: sum(r[label] for r in rows) for _l, _h, label in BANDS},
                    "total": sum(r["total"] for r in rows),
                },
                drill=lambda row: f"{url}?status={row['status']}",
            ),
            Table(
                "verification",
                _("The verifiers' queue now"),
                [
                    Column("queue", _("Waiting")),
                    Column("claims", _("Count"), "int"),
                    Column("oldest", _("Oldest (days)"), "decimal"),
                ],
                [
                    queue_row("pending", _("Claims waiting for the cross-check"), verify["pending"]),
                    queue_row("findings", _("Open findings"), verify["findings"]),
                ],
                drill=lambda row: (
                    f"{url}?verification=pending" if row["key"] == "pending" else reverse("benefits:verify_list")
                ),
            ),
        ],
        charts=[
            Chart("backlog", _("Claims waiting by step"), "bar", "backlog", "step", [label for _l, _h, label in BANDS])
        ],
    )


def paying(period: Period) -> Content:
    orders = selectors.orders_by_status(office_ids(period))
    batches = selectors.batches_in(first=period.start, last=period.end, office_ids=office_ids(period))
    order_labels, batch_labels = dict(PaymentOrder.Status.choices), dict(PaymentBatch.Status.choices)
    order_rows = [
        {
            "status": order_labels[status],
            "key": status,
            "orders": orders.get(status, (0, None))[0],
            "amount": orders.get(status, (0, Decimal("0.00")))[1] or Decimal("0.00"),
        }
        for status in (PaymentOrder.Status.PENDING, PaymentOrder.Status.HELD, PaymentOrder.Status.FAILED)
    ]
    batch_rows = [
        {
            "status": batch_labels[status],
            "batches": batches.get(status, (0, 0, 0))[0],
            "orders": batches.get(status, (0, 0, 0))[1] or 0,
            "amount": batches.get(status, (0, 0, Decimal("0.00")))[2] or Decimal("0.00"),
        }
        for status in (PaymentBatch.Status.SENT, PaymentBatch.Status.CONFIRMED)
    ]
    pages = {"failed": reverse("benefits:payments_returned")}
    return Content(
        tables=[
            Table(
                "orders",
                _("Payment orders not yet paid (now)"),
                [
                    Column("status", _("Status")),
                    Column("orders", _("Orders"), "int"),
                    Column("amount", _("Amount"), "money"),
                ],
                order_rows,
                drill=lambda row: pages.get(row["key"], reverse("benefits:payments")),
            ),
            Table(
                "batches",
                _("Bank batches to pay in the range"),
                [
                    Column("status", _("Status")),
                    Column("batches", _("Batches"), "int"),
                    Column("orders", _("Orders"), "int"),
                    Column("amount", _("Amount"), "money"),
                ],
                batch_rows,
                drill=lambda row: reverse("benefits:payments"),
            ),
        ],
    )


SECTIONS = (
    ReportSection(
        BACKOFFICE, "claim_durations", _("Claims: step durations"), durations, permission="core.view_reports", order=10
    ),
    ReportSection(BACKOFFICE, "claim_backlog", _("Claims waiting"), backlog, permission="core.view_reports", order=11),
    ReportSection(
        BACKOFFICE, "claim_payments", _("Benefit payments"), paying, permission="core.view_reports", order=12
    ),
)
