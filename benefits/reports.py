"""The back office's measures of benefit claims, on the back-office report page
(`sso.core.reports`, slot BACKOFFICE): how long each step takes, the claims waiting by step
and age, the verifiers' queue, the payment orders and bank batches, and the documents most
often missing (what makes people come back).

Why these sources (a month's page must stay fast with a year of history):
- Step durations over a range read a daily summary (`ClaimStepDay`: per day, office, benefit
  and step the sorted durations in seconds), so a month of an office is at most 31 x 24 rows
  and its p50/p90 are exact (every duration is kept; a histogram would round them). It is
  rolled by `benefits.summaries.claim_steps_roll`: the beat every five minutes for today and
  yesterday, and here for the days of the range never rolled and a stale today.
- The backlog is as of the end of the range's last day: rebuilt from the claims' steps
  (`selectors.claims_waiting_at`, set-based SQL reading only the claims waiting now or moved
  since, its plan in its comment); when the range ends today it is the live set read through
  the claims' (office, status) index, the same answer (a test holds them equal). Ages are
  whole days from the recording to that instant.
- The verification queue and the orders are "now" figures over small live sets (open
  findings, orders not yet paid) read through their status indexes (the tables' titles say
  "now").
- The documents missing are counted on the claims recorded in the range (a document missing
  when recorded and brought later still counts: the person came back for it), against the
  benefit's claims recorded; the rejections are the claims rejected in the range, with those
  whose required documents were missing (the rules give no reason code for documents).

Everything is read from the reports database (`sso.core.db`: the replica, when there is one);
days rolled here are read there once it has replayed them, else from the primary.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefits import selectors, summaries
from benefits.models import Benefit, ClaimStepDay, PaymentBatch, PaymentOrder
from contributions.selectors import day_bounds
from sso.core.db import reports_after_write
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
    rolled = summaries.claim_steps_fill(first=period.start, last=period.end)
    labels, steps = dict(Benefit.choices), dict(ClaimStepDay.Step.choices)
    with reports_after_write(rolled > 0):  # the days just rolled on the primary
        found = selectors.step_durations(first=period.start, last=period.end, office_ids=period.offices())
    rows = [
        {
            "benefit": labels.get(benefit, benefit),
            "step": steps[step],
            "claims": count,
            "p50": _hours(p50),
            "p90": _hours(p90),
        }
        for benefit, step, count, p50, p90 in found
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


def _as_of(period: Period):
    """The instant the backlog is read at: the end of the range's last day, now for today."""
    now = timezone.now()
    return min(now, day_bounds(period.end)[1]), period.end >= timezone.localdate(now)


def backlog(period: Period) -> Content:
    as_of, today = _as_of(period)
    # Today is the small live set; a past end is rebuilt from the steps (the same answer at now).
    waiting = (
        selectors.claims_waiting(period.offices()) if today else selectors.claims_waiting_at(as_of, period.offices())
    )
    counts = {status: dict.fromkeys([label for _l, _h, label in BANDS], 0) for status, _label in WAITING}
    for status, recorded_at in waiting:
        counts[status][_band((as_of - recorded_at).days)] += 1
    url = reverse("benefits:claim_list")
    rows = [
        {"status": status, "step": label, **counts[status], "total": sum(counts[status].values())}
        for status, label in WAITING
    ]
    verify = selectors.verification_waiting(period.offices())
    now = timezone.now()

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
            Figure(
                "waiting",
                _("Claims waiting at the end of the range"),
                sum(row["total"] for row in rows),
                # The claim list shows the statuses of now: a link only when the range ends today.
                drill=f"{url}?status=open" if today else None,
            )
        ],
        tables=[
            Table(
                "backlog",
                _("Claims waiting at the end of the range by step and age (days since recorded)"),
                [Column("step", _("Step"))]
                + [Column(label, label, "int") for _l, _h, label in BANDS]
                + [Column("total", _("Total"), "int")],
                rows,
                totals={
                    "step": _("Total"),
                    **{label: sum(r[label] for r in rows) for _l, _h, label in BANDS},
                    "total": sum(r["total"] for r in rows),
                },
                drill=(lambda row: f"{url}?status={row['status']}") if today else None,
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


COUNTED = ("recorded", "lacking", "rejected", "rejected_missing")


def documents(period: Period) -> Content:
    since, until = day_bounds(period.start)[0], day_bounds(period.end)[1]
    scope = {"since": since, "until": until, "office_ids": period.offices()}
    recorded = selectors.claims_recorded_by_benefit(**scope)
    rejected = selectors.rejected_for_missing_documents(**scope)
    labels = dict(Benefit.choices)
    english = (get_language() or "th").startswith("en")
    missing = selectors.documents_missing(**scope)
    document_rows = [
        {
            "benefit": labels.get(row["benefit"], row["benefit"]),
            "document": row["name_en"] if english else row["name_th"],
            "claims": row["claims"],
            "share": row["claims"] / recorded[row["benefit"]] if recorded.get(row["benefit"]) else 0.0,
        }
        for row in missing
    ]
    lacking = selectors.claims_missing_documents_by_benefit(**scope)
    benefit_rows = [
        {
            "benefit": labels.get(benefit, benefit),
            "recorded": recorded.get(benefit, 0),
            "lacking": lacking.get(benefit, 0),
            "share": lacking.get(benefit, 0) / recorded[benefit] if recorded.get(benefit) else 0.0,
            "rejected": rejected.get(benefit, (0, 0))[0],
            "rejected_missing": rejected.get(benefit, (0, 0))[1],
        }
        for benefit in Benefit.values
        if recorded.get(benefit) or benefit in rejected
    ]
    return Content(
        tables=[
            Table(
                "documents_missing",
                _("Documents most often missing on the claims recorded in the range"),
                [
                    Column("benefit", _("Benefit")),
                    Column("document", _("Document")),
                    Column("claims", _("Claims"), "int"),
                    Column("share", _("Share of the benefit's claims"), "percent"),
                ],
                document_rows,
            ),
            Table(
                "missing_by_benefit",
                _("Claims lacking documents and rejected for missing documents"),
                [
                    Column("benefit", _("Benefit")),
                    Column("recorded", _("Claims recorded"), "int"),
                    Column("lacking", _("With a document missing"), "int"),
                    Column("share", _("Share"), "percent"),
                    Column("rejected", _("Rejected in the range"), "int"),
                    Column("rejected_missing", _("Rejected with documents missing"), "int"),
                ],
                benefit_rows,
                totals={
                    "benefit": _("Total"),
                    **{key: sum(r[key] for r in benefit_rows) for key in COUNTED},
                    "share": (
                        sum(r["lacking"] for r in benefit_rows) / sum(r["recorded"] for r in benefit_rows)
                        if any(r["recorded"] for r in benefit_rows)
                        else 0.0
                    ),
                },
            ),
        ],
    )


def paying(period: Period) -> Content:
    orders = selectors.orders_by_status(period.offices())
    batches = selectors.batches_in(first=period.start, last=period.end, office_ids=period.offices())
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
    ReportSection(
        BACKOFFICE,
        "claim_documents",
        _("Claims: documents missing"),
        documents,
        permission="core.view_reports",
        order=13,
    ),
)
