"""The back office's measures of contribution collection, on the back-office report page
(`sso.core.reports`, slot BACKOFFICE): contributions collected per day by channel with each
channel's share (the SSO wants employers off the counters), statements received by source,
the cross-check's findings and the reimbursements.

Collection and statements read the daily summary `CollectionDay` (a month of an office is
at most 31 x 8 rows, a year of every office well under a million), rolled up by
`services.collection_summary_roll`: by the beat every five minutes for today and yesterday,
and here for the days of the range never rolled and for today when its roll is over a
minute old. Findings and reimbursements are small live sets read as they are. Everything is
read from the reports database (`sso.core.db`: the replica, when there is one); days rolled
here are read there once it has replayed them, else from the primary.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contributions import selectors, services
from contributions.models import Finding, Payment, Reimbursement, Source
from sso.core.db import reports_after_write
from sso.core.reports import BACKOFFICE, Column, Content, Figure, Period, ReportSection, Table
from sso.core.reports import Chart as ChartSpec

CHANNELS = Payment.Channel
ZERO = Decimal("0.00")


def _share(part, whole):
    return float(part / whole) if whole else 0.0


def collection(period: Period) -> Content:
    rolled = services.collection_summary_fill(first=period.start, last=period.end)
    with reports_after_write(rolled > 0):  # the days just rolled on the primary
        rows = selectors.collection_days(first=period.start, last=period.end, office_ids=period.offices())
    by_day: dict = {}
    counts = dict.fromkeys(CHANNELS.values, 0)
    amounts = dict.fromkeys(CHANNELS.values, ZERO)
    for day, channel, count, amount in rows:
        row = by_day.setdefault(day, {"day": day, **dict.fromkeys(CHANNELS.values, ZERO), "total": ZERO})
        row[channel] += amount
        row["total"] += amount
        counts[channel] += count
        amounts[channel] += amount
    payments, total = sum(counts.values()), sum(amounts.values(), ZERO)
    channel_rows = [
        {
            "channel": label,
            "payments": counts[value],
            "share_payments": _share(counts[value], payments),
            "amount": amounts[value],
            "share_amount": _share(amounts[value], total),
        }
        for value, label in CHANNELS.choices
    ]
    day_rows = [by_day[day] for day in sorted(by_day)]
    return Content(
        figures=[
            Figure("collected", _("Contributions collected"), total, "money"),
            Figure("payments", _("Payments"), payments),
            Figure(
                "counter_share",
                _("Share of the amount paid at the counter"),
                _share(amounts["counter"], total),
                "percent",
            ),
        ],
        tables=[
            Table(
                "by_channel",
                _("Collected by channel"),
                [
                    Column("channel", _("Channel")),
                    Column("payments", _("Payments"), "int"),
                    Column("share_payments", _("Share of payments"), "percent"),
                    Column("amount", _("Amount"), "money"),
                    Column("share_amount", _("Share of the amount"), "percent"),
                ],
                channel_rows,
                totals={
                    "channel": _("Total"),
                    "payments": payments,
                    "share_payments": 1.0 if payments else 0.0,
                    "amount": total,
                    "share_amount": 1.0 if total else 0.0,
                },
            ),
            Table(
                "by_day",
                _("Collected per day by channel"),
                [Column("day", _("Day"), "date")]
                + [Column(value, label, "money") for value, label in CHANNELS.choices]
                + [Column("total", _("Total"), "money")],
                day_rows,
                totals={"day": None, **amounts, "total": total},
                drill=lambda row: f"{reverse('contributions:receipt_list')}?day={row['day'].isoformat()}",
            ),
        ],
        charts=[
            ChartSpec(
                "by_day", _("Collected per day by channel"), "bar", "by_day", "day", list(CHANNELS.values), stacked=True
            ),
        ],
    )


def statements(period: Period) -> Content:
    rolled = services.collection_summary_fill(first=period.start, last=period.end)
    with reports_after_write(rolled > 0):
        rows = selectors.collection_days(
            first=period.start, last=period.end, office_ids=period.offices(), measure="statement"
        )
    counts = dict.fromkeys(Source.values, 0)
    amounts = dict.fromkeys(Source.values, ZERO)
    for _day, source, count, amount in rows:
        counts[source] += count
        amounts[source] += amount
    received = sum(counts.values())
    url = reverse("contributions:statement_list")
    start, end = period.start.isoformat(), period.end.isoformat()
    return Content(
        figures=[Figure("received", _("Statements received"), received)],
        tables=[
            Table(
                "by_source",
                _("Statements received by source"),
                [
                    Column("source", _("Entered as")),
                    Column("statements", _("Statements"), "int"),
                    Column("share", _("Share of statements"), "percent"),
                    Column("amount", _("Contributions"), "money"),
                ],
                [
                    {
                        "code": value,
                        "source": label,
                        "statements": counts[value],
                        "share": _share(counts[value], received),
                        "amount": amounts[value],
                    }
                    for value, label in Source.choices
                ],
                totals={
                    "source": _("Total"),
                    "statements": received,
                    "share": 1.0 if received else 0.0,
                    "amount": sum(amounts.values(), ZERO),
                },
                drill=lambda row: f"{url}?source={row['code']}&received_from={start}&received_to={end}",
            )
        ],
    )


def findings(period: Period) -> Content:
    labels = dict(Finding.Kind.choices)
    rows = selectors.findings_as_of(first=period.start, last=period.end, office_ids=period.offices())
    table_rows = [
        {
            "kind": labels.get(row["kind"], row["kind"]),
            "open": row["open"],
            "found": row["found"],
            "resolved": row["resolved"],
        }
        for row in rows
    ]
    totals = {key: sum(row[key] for row in table_rows) for key in ("open", "found", "resolved")}
    labels_r = dict(Reimbursement.Status.choices)
    reimbursements = [
        {"status": labels_r[row["status"]], "count": row["n"], "amount": row["total"]}
        for row in selectors.reimbursements_summary(first=period.start, last=period.end, office_ids=period.offices())
    ]
    return Content(
        figures=[
            Figure(
                "findings_open",
                _("Findings open at the end of the range"),
                totals["open"],
                drill=reverse("contributions:verify_queue"),
            ),
            Figure("findings_resolved", _("Findings resolved in the range"), totals["resolved"]),
        ],
        tables=[
            Table(
                "findings",
                _("The cross-check's findings"),
                [
                    Column("kind", _("Finding")),
                    Column("open", _("Open at the end"), "int"),
                    Column("found", _("Found in the range"), "int"),
                    Column("resolved", _("Resolved in the range"), "int"),
                ],
                table_rows,
                totals={"kind": _("Total"), **totals},
                drill=lambda row: reverse("contributions:verify_queue"),
            ),
            Table(
                "reimbursements",
                _("Reimbursements: pending now, paid in the range"),
                [
                    Column("status", _("Status")),
                    Column("count", _("Count"), "int"),
                    Column("amount", _("Amount"), "money"),
                ],
                reimbursements,
                drill=lambda row: reverse("contributions:reimbursement_list"),
            ),
        ],
    )


SECTIONS = (
    ReportSection(
        BACKOFFICE,
        "collection",
        _("Contributions collected by channel"),
        collection,
        permission="core.view_reports",
        order=50,
    ),
    ReportSection(
        BACKOFFICE, "statements", _("Statements received"), statements, permission="core.view_reports", order=51
    ),
    ReportSection(
        BACKOFFICE,
        "contribution_findings",
        _("Contribution findings and reimbursements"),
        findings,
        permission="core.view_reports",
        order=52,
    ),
)
