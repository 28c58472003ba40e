"""The queue's sections of the supervisors' report pages (see sso.core.reports).

Every figure comes from the summary rows (`queueing.selectors.queue_measures`), never from
the tickets; every table row drills down to the ticket list (`queueing:ticket_list`) with the
office, the days and the row's service, counter, officer or priority class. Durations are in
whole minutes (rounded up; percentiles nearest-rank), shares 0..1.

Over 500 lines: every section of the queue's measures on the report pages (services, the
process end to end and repeat visits, days, counters, priority, the national page) is found
here, in the module sso.core.reports reads (`<app>.reports`).
"""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from queueing.models import Counter, Service, ServiceKind, Ticket
from queueing.selectors import (
    REPEAT_DAYS,
    QueueMeasures,
    queue_measures,
    rating_counts,
    repeat_visits,
    service_targets_on,
)
from queueing.services import queue_today_refresh
from sso.core.db import reports_after_write
from sso.core.models import Office, User
from sso.core.reports import (
    NATIONAL,
    OFFICE,
    Chart,
    Column,
    Content,
    Figure,
    Period,
    ReportSection,
    Table,
    dashboard_url,
)

PERMISSION = "core.view_reports"
# The share of visits within their service's target that an office is held to: the line
# drawn on the charts of % within target.
WITHIN_TARGET_GOAL = 0.9


def _measures(period: Period, *by, **where) -> list[QueueMeasures]:
    with _today_fresh(period):
        return queue_measures(start=period.start, end=period.end, office_ids=period.offices(), by=by, **where)


def _waits(period: Period, *by) -> list[QueueMeasures]:
    """Arrivals and average waits alone (no histogram): what the hour tables show."""
    with _today_fresh(period):
        return queue_measures(start=period.start, end=period.end, office_ids=period.offices(), by=by, histograms=())


def _today_fresh(period: Period):
    """An office's range reaching today reads today's figures of the last minute: rolled here
    when the beat's (every five minutes) or the last section's roll is older
    (`queue_today_refresh`), then read from the replica once it has replayed them, else from
    the primary. The national page reads the beat's."""
    rolled = False
    if period.office_id is not None and period.end >= timezone.localdate():
        rolled = queue_today_refresh(office_id=period.office_id)
    return reports_after_write(rolled)


def _drill(period: Period, office_code: str, *, day: datetime.date | None = None, **filters) -> str:
    """The ticket list of the office over the period's days (or one `day`), narrowed by `filters`."""
    start, end = (day, day) if day else (period.start, period.end)
    query = {"office": office_code, "day_from": start.isoformat(), "day_to": end.isoformat()}
    query.update({key: value for key, value in filters.items() if value is not None})
    return f"{reverse('queueing:ticket_list')}?{urlencode(query)}"


def _figures(m: QueueMeasures) -> dict:
    """The columns every table of measures shares."""
    return {
        "arrivals": m.arrivals,
        "visits": m.visits,
        "within_target": m.within_target_share,
        "visit_p50": m.visit.percentile(50),
        "visit_p90": m.visit.percentile(90),
        "visit_max": -(-m.visit_max // 60) if m.visit.n else None,
        "wait_average": m.wait_average,
        "wait_p50": m.wait.percentile(50),
        "wait_p90": m.wait.percentile(90),
        "service_average": m.service_average,
        "service_p50": m.service.percentile(50),
        "service_p90": m.service.percentile(90),
        "no_shows": m.no_shows,
        "cancelled": m.cancelled,
        "transfers": m.transfers,
    }


COLUMNS = {
    "arrivals": Column("arrivals", _("Arrivals"), "int"),
    "visits": Column("visits", _("Visits"), "int"),
    "within_target": Column("within_target", _("Within target"), "percent"),
    "visit_p50": Column("visit_p50", _("Visit p50 (min)"), "minutes"),
    "visit_p90": Column("visit_p90", _("Visit p90 (min)"), "minutes"),
    "visit_max": Column("visit_max", _("Longest visit (min)"), "minutes"),
    "wait_average": Column("wait_average", _("Average wait (min)"), "minutes"),
    "wait_p50": Column("wait_p50", _("Wait p50 (min)"), "minutes"),
    "wait_p90": Column("wait_p90", _("Wait p90 (min)"), "minutes"),
    "service_average": Column("service_average", _("Average service (min)"), "minutes"),
    "service_p50": Column("service_p50", _("Service p50 (min)"), "minutes"),
    "service_p90": Column("service_p90", _("Service p90 (min)"), "minutes"),
    "no_shows": Column("no_shows", _("No-shows"), "int"),
    "cancelled": Column("cancelled", _("Cancelled"), "int"),
    "transfers": Column("transfers", _("Transfers"), "int"),
    "target": Column("target", _("Target (min)"), "minutes"),
}


def _columns(*keys) -> list[Column]:
    return [COLUMNS[key] for key in keys]


def _totals(measures: list[QueueMeasures], first: str, keys) -> dict | None:
    """The totals row: the same figures over every row's tickets (percentiles of the whole)."""
    if not measures:
        return None
    whole = queue_total(measures)
    figures = _figures(whole)
    return {first: str(_("Total")), **{key: figures[key] for key in keys if key in figures}}


def queue_total(measures: list[QueueMeasures]) -> QueueMeasures:
    """The measures of several groups added together (histograms element by element)."""
    total = QueueMeasures(group={})
    for m in measures:
        for name in (
            "tickets",
            "arrivals",
            "served",
            "documents_missing",
            "no_shows",
            "cancelled",
            "transfers",
            "targeted",
            "within_target",
            "waited",
            "wait_seconds",
            "service_seconds",
            "visit_seconds",
            "processed",
            "process_targeted",
            "process_within",
            "process_seconds",
        ):
            setattr(total, name, getattr(total, name) + getattr(m, name))
        for name in ("wait_max", "service_max", "visit_max", "process_max"):
            setattr(total, name, max(getattr(total, name), getattr(m, name)))
        for name in ("wait", "service", "visit", "process"):
            into, add = getattr(total, name).counts, getattr(m, name).counts
            into.extend([0] * (len(add) - len(into)))
            for minutes, count in enumerate(add):
                into[minutes] += count
    return total


# --- The office's page ---------------------------------------------------------------------

SERVICE_KEYS = (
    "target",
    "visits",
    "within_target",
    "visit_p50",
    "visit_p90",
    "visit_max",
    "wait_average",
    "wait_p90",
    "service_average",
    "service_p90",
    "arrivals",
    "no_shows",
    "cancelled",
    "transfers",
)


def services_build(period: Period) -> Content:
    """Per service (one a process in an office): visits, % within target, p50/p90 of the visit
    against the target, wait against service time; the office's headline figures."""
    if period.office_id is None:
        return Content()
    office = Office.objects.get(pk=period.office_id)
    services = {s.pk: s for s in Service.objects.filter(office_id=office.pk).order_by("sort_order", "prefix")}
    targets = service_targets_on(period.end)
    measures = {m.group["service"]: m for m in _measures(period, "service")}
    rows = []
    for pk, service in services.items():
        m = measures.get(pk)
        if m is None and not service.is_active:
            continue
        figures = _figures(m or QueueMeasures(group={}))
        rows.append(
            {
                "service": f"{service.prefix} {service.name}",
                "service_id": pk,
                "target": targets.get(service.kind),
                **figures,
            }
        )
    whole = queue_total(list(measures.values()))
    return Content(
        figures=[
            Figure("visits", _("Visits"), whole.visits, drill=_drill(period, office.code)),
            Figure("within_target", _("Within target"), whole.within_target_share, "percent", WITHIN_TARGET_GOAL),
            Figure("visit_p90", _("Visit p90 (min)"), whole.visit.percentile(90), "minutes"),
            Figure("wait_average", _("Average wait (min)"), whole.wait_average, "minutes"),
            Figure("arrivals", _("Arrivals"), whole.arrivals, drill=_drill(period, office.code)),
            Figure("no_shows", _("No-shows"), whole.no_shows, drill=_drill(period, office.code, outcome="no_show")),
        ],
        tables=[
            Table(
                "services",
                str(_("By service")),
                [Column("service", _("Service")), *_columns(*SERVICE_KEYS)],
                rows,
                totals=_totals(list(measures.values()), "service", SERVICE_KEYS),
                drill=lambda row: _drill(period, office.code, service=row["service_id"]),
            )
        ],
        charts=[
            Chart(
                "visit_times",
                str(_("Visit time against the target")),
                "bar",
                "services",
                "service",
                ["visit_p50", "visit_p90", "target"],
            ),
            Chart(
                "wait_service",
                str(_("Wait and service time")),
                "bar",
                "services",
                "service",
                ["wait_average", "service_average"],
            ),
        ],
    )


def days_build(period: Period) -> Content:
    """Per day: % within target with the goal line; and when customers come: per day of the
    week, and arrivals and average waits by hour of day and day of the month (the crowd
    around the 15th)."""
    if period.office_id is None:
        return Content()
    code = Office.objects.values_list("code", flat=True).get(pk=period.office_id)
    days = sorted(_measures(period, "day"), key=lambda m: m.group["day"])
    day_keys = ("arrivals", "visits", "within_target", "visit_p90", "wait_average", "no_shows")
    day_rows = [{"day": m.group["day"], **{k: _figures(m)[k] for k in day_keys}} for m in days]
    by_weekday = sorted(_measures(period, "weekday"), key=lambda m: m.group["weekday"])
    weekday_rows = [
        {"weekday": str(WEEKDAYS[m.group["weekday"] - 1]), **{k: _figures(m)[k] for k in day_keys}} for m in by_weekday
    ]
    cells = sorted(_waits(period, "hour", "day_of_month"), key=lambda m: (m.group["hour"], m.group["day_of_month"]))
    heat_rows = [
        {
            "hour": m.group["hour"],
            "day_of_month": m.group["day_of_month"],
            "arrivals": m.arrivals,
            "wait_average": m.wait_average,
        }
        for m in cells
    ]

    return Content(
        tables=[
            Table(
                "days",
                str(_("By day")),
                [Column("day", _("Day"), "date"), *_columns(*day_keys)],
                day_rows,
                totals=_totals(days, "day", day_keys),
                drill=lambda row: _drill(period, code, day=row["day"]),
            ),
            Table(
                "weekdays",
                str(_("By day of the week")),
                [Column("weekday", _("Day of the week")), *_columns(*day_keys)],
                weekday_rows,
                totals=_totals(by_weekday, "weekday", day_keys),
            ),
            Table(
                "hours",
                str(_("By hour and day of the month")),
                [
                    Column("hour", _("Hour"), "int"),
                    Column("day_of_month", _("Day of the month"), "int"),
                    COLUMNS["arrivals"],
                    COLUMNS["wait_average"],
                ],
                heat_rows,
            ),
        ],
        charts=[
            Chart(
                "within_target_by_day",
                str(_("Visits within target, by day")),
                "line",
                "days",
                "day",
                ["within_target"],
                target=WITHIN_TARGET_GOAL,
            ),
            Chart(
                "arrivals_by_weekday",
                str(_("Arrivals and visits by day of the week")),
                "bar",
                "weekdays",
                "weekday",
                ["arrivals", "visits"],
            ),
            Chart(
                "arrivals_heatmap",
                str(_("Arrivals by hour and day of the month")),
                "heatmap",
                "hours",
                "day_of_month",
                ["hour", "arrivals"],
            ),
            Chart(
                "waits_heatmap",
                str(_("Average wait by hour and day of the month")),
                "heatmap",
                "hours",
                "day_of_month",
                ["hour", "wait_average"],
            ),
        ],
    )


COUNTER_KEYS = (
    "visits",
    "within_target",
    "service_average",
    "service_p50",
    "service_p90",
    "wait_average",
    "no_shows",
    "transfers",
)


def counters_build(period: Period) -> Content:
    """By counter and by officer (of the ticket's last call): served, service time, no-shows."""
    if period.office_id is None:
        return Content()
    code = Office.objects.values_list("code", flat=True).get(pk=period.office_id)
    by_counter = [m for m in _measures(period, "counter") if m.group["counter"] is not None]
    numbers = dict(Counter.objects.filter(pk__in=[m.group["counter"] for m in by_counter]).values_list("pk", "number"))
    counter_rows = sorted(
        ({"counter": numbers[m.group["counter"]], "counter_id": m.group["counter"], **_figures(m)} for m in by_counter),
        key=lambda row: row["counter"],
    )
    by_officer = [m for m in _measures(period, "officer") if m.group["officer"] is not None]
    officers = {u.pk: u for u in User.objects.filter(pk__in=[m.group["officer"] for m in by_officer])}
    officer_rows = sorted(
        (
            {
                "officer": officers[m.group["officer"]].get_full_name() or officers[m.group["officer"]].username,
                "officer_id": m.group["officer"],
                **_figures(m),
            }
            for m in by_officer
        ),
        key=lambda row: row["officer"],
    )
    return Content(
        tables=[
            Table(
                "counters",
                str(_("By counter")),
                [Column("counter", _("Counter"), "int"), *_columns(*COUNTER_KEYS)],
                counter_rows,
                totals=_totals(by_counter, "counter", COUNTER_KEYS),
                drill=lambda row: _drill(period, code, counter=row["counter_id"]),
            ),
            Table(
                "officers",
                str(_("By officer")),
                [Column("officer", _("Officer")), *_columns(*COUNTER_KEYS)],
                officer_rows,
                totals=_totals(by_officer, "officer", COUNTER_KEYS),
                drill=lambda row: _drill(period, code, officer=row["officer_id"]),
            ),
        ],
        charts=[
            Chart(
                "service_by_officer",
                str(_("Service time by officer")),
                "bar",
                "officers",
                "officer",
                ["service_p50", "service_p90"],
            )
        ],
    )


PRIORITY_KEYS = ("arrivals", "visits", "within_target", "wait_average", "wait_p50", "wait_p90", "visit_p90")


def priority_build(period: Period) -> Content:
    """Priority tickets (elderly, disabled, pregnant, monks) apart from the regular ones."""
    if period.office_id is None:
        return Content()
    code = Office.objects.values_list("code", flat=True).get(pk=period.office_id)
    measures = {m.group["priority"]: m for m in _measures(period, "priority")}
    rows = [
        {"priority": str(label), "priority_id": value, **_figures(measures.get(value) or QueueMeasures(group={}))}
        for value, label in Ticket.Priority.choices
    ]
    return Content(
        tables=[
            Table(
                "priority",
                str(_("Priority tickets")),
                [Column("priority", _("Priority")), *_columns(*PRIORITY_KEYS)],
                rows,
                drill=lambda row: _drill(period, code, priority=row["priority_id"]),
            )
        ]
    )


def process_build(period: Period) -> Content:
    """The process, end to end (the seed's standards are about the whole of it): per service,
    the visits that reached their case's step at the counter (a receipt issued, a claim
    recorded or decided) and the time from the visit's start to it, p50/p90 against the
    target; and the customers back within REPEAT_DAYS days after documents were missing."""
    if period.office_id is None:
        return Content()
    office = Office.objects.get(pk=period.office_id)
    services = {s.pk: s for s in Service.objects.filter(office_id=office.pk).order_by("sort_order", "prefix")}
    targets = service_targets_on(period.end)
    measures = {m.group["service"]: m for m in _measures(period, "service")}
    rows = []
    for pk, service in services.items():
        m = measures.get(pk)
        if m is None or not m.processed:
            continue
        rows.append(
            {
                "service": f"{service.prefix} {service.name}",
                "service_id": pk,
                "target": targets.get(service.kind),
                "visits": m.visits,
                "processed": m.processed,
                "process_within": m.process_within_share,
                "process_p50": m.process.percentile(50),
                "process_p90": m.process.percentile(90),
                "process_average": m.process_average,
            }
        )
    whole = queue_total([measures[row["service_id"]] for row in rows])
    repeats = repeat_visits(start=period.start, end=period.end, office_ids=[office.pk])
    repeat_rows = [
        {
            "service": f"{services[r.service_id].prefix} {services[r.service_id].name}",
            "service_id": r.service_id,
            "documents_missing": r.documents_missing,
            "came_back": r.came_back,
            "share": r.share,
        }
        for r in repeats
    ]
    missing, back = sum(r.documents_missing for r in repeats), sum(r.came_back for r in repeats)
    return Content(
        figures=[
            Figure("processed", _("Visits that reached their outcome"), whole.processed),
            Figure("process_p90", _("Process p90 (min)"), whole.process.percentile(90), "minutes"),
            Figure(
                "process_within",
                _("Process within target"),
                whole.process_within_share,
                "percent",
                WITHIN_TARGET_GOAL,
            ),
            Figure("repeat_share", _("Back after documents missing"), back / missing if missing else None, "percent"),
        ],
        tables=[
            Table(
                "process",
                str(_("The process, end to end")),
                [
                    Column("service", _("Service")),
                    COLUMNS["target"],
                    COLUMNS["visits"],
                    Column("processed", _("Reached their outcome"), "int"),
                    Column("process_within", _("Process within target"), "percent"),
                    Column("process_p50", _("Process p50 (min)"), "minutes"),
                    Column("process_p90", _("Process p90 (min)"), "minutes"),
                    Column("process_average", _("Average process (min)"), "minutes"),
                ],
                rows,
                totals={
                    "service": str(_("Total")),
                    "visits": whole.visits,
                    "processed": whole.processed,
                    "process_within": whole.process_within_share,
                    "process_p50": whole.process.percentile(50),
                    "process_p90": whole.process.percentile(90),
                    "process_average": whole.process_average,
                }
                if rows
                else None,
                drill=lambda row: _drill(period, office.code, service=row["service_id"]),
            ),
            Table(
                "repeat_visits",
                str(_("Back within %(days)s days after documents missing") % {"days": REPEAT_DAYS}),
                [
                    Column("service", _("Service")),
                    Column("documents_missing", _("Documents missing"), "int"),
                    Column("came_back", _("Came back"), "int"),
                    Column("share", _("Share back"), "percent"),
                ],
                repeat_rows,
                totals={
                    "service": str(_("Total")),
                    "documents_missing": missing,
                    "came_back": back,
                    "share": back / missing if missing else None,
                }
                if repeat_rows
                else None,
                drill=lambda row: _drill(period, office.code, service=row["service_id"], outcome="documents_missing"),
            ),
        ],
        charts=[
            Chart(
                "process_times",
                str(_("The process against the target")),
                "bar",
                "process",
                "service",
                ["process_p50", "process_p90", "target"],
            ),
        ],
    )


# --- The national page ---------------------------------------------------------------------

OFFICE_KEYS = ("visits", "within_target", "visit_p50", "visit_p90", "wait_average", "wait_p90", "arrivals", "no_shows")
PROCESS_KEYS = ("target", "visits", "within_target", "visit_p50", "visit_p90", "wait_average")


def offices_build(period: Period) -> Content:
    """Every office (of the region or province asked for) side by side for the range, against
    the standard; and each process across those offices against its target."""
    office_ids = period.offices()
    offices = Office.objects.select_related("province").order_by("code")
    if office_ids is not None:
        offices = offices.filter(pk__in=office_ids)
    by_office = {m.group["office"]: m for m in _measures(period, "office")}
    rows = [
        {
            "office": office.code,
            "name": office.name,
            "province": office.province.name,
            **_figures(by_office.get(office.pk) or QueueMeasures(group={})),
        }
        for office in offices
        if office.is_active or office.pk in by_office
    ]
    targets = service_targets_on(period.end)
    by_kind = {m.group["kind"]: m for m in _measures(period, "kind")}
    process_rows = [
        {"service": str(label), "kind": kind, "target": targets.get(kind), **_figures(by_kind[kind])}
        for kind, label in ServiceKind.choices
        if kind in by_kind
    ]
    whole = queue_total(list(by_office.values()))
    return Content(
        figures=[
            Figure("offices", _("Offices"), len(rows)),
            Figure("visits", _("Visits"), whole.visits),
            Figure("within_target", _("Within target"), whole.within_target_share, "percent", WITHIN_TARGET_GOAL),
            Figure("visit_p90", _("Visit p90 (min)"), whole.visit.percentile(90), "minutes"),
        ],
        tables=[
            Table(
                "offices",
                str(_("By office")),
                [
                    Column("office", _("Office")),
                    Column("name", _("Name")),
                    Column("province", _("Province")),
                    *_columns(*OFFICE_KEYS),
                ],
                rows,
                totals=_totals(list(by_office.values()), "office", OFFICE_KEYS),
                drill=lambda row: _drill(period, row["office"]),
                # The office opens its dashboard for the same days; the counts, their tickets.
                links={
                    "office": lambda row: dashboard_url(row["office"], period),
                    "arrivals": lambda row: _drill(period, row["office"]),
                    "no_shows": lambda row: _drill(period, row["office"], outcome="no_show"),
                },
            ),
            Table(
                "processes",
                str(_("By process")),
                [Column("service", _("Service")), *_columns(*PROCESS_KEYS)],
                process_rows,
                totals=_totals(list(by_kind.values()), "service", PROCESS_KEYS),
            ),
        ],
        charts=[
            Chart(
                "offices_within_target",
                str(_("Visits within target, by office")),
                "bar",
                "offices",
                "office",
                ["within_target"],
                target=WITHIN_TARGET_GOAL,
            ),
        ],
    )


# --- Satisfaction: the customers' ratings from their phones (queueing.Rating) ----------------

SCORES = (1, 2, 3, 4, 5)


def _rating_figures(counts: dict[int, int]) -> dict:
    """Ratings, their average and how many gave each score (1-5)."""
    n = sum(counts.values())
    average = round(sum(score * k for score, k in counts.items()) / n, 2) if n else None
    return {"ratings": n, "average": average, **{f"score_{score}": counts.get(score, 0) for score in SCORES}}


def _rating_columns() -> list[Column]:
    return [
        Column("ratings", _("Ratings"), "int"),
        Column("average", _("Average (1-5)"), "decimal"),
        *(Column(f"score_{score}", _("Rated %(score)s") % {"score": score}, "int") for score in SCORES),
    ]


def _rating_rows(rows: list[dict], key) -> dict:
    grouped: dict = {}
    for row in rows:
        counts = grouped.setdefault(key(row), {})
        counts[row["score"]] = counts.get(row["score"], 0) + row["n"]
    return grouped


def satisfaction_build(period: Period) -> Content:
    """The customers' ratings of their service (1-5, given on the ticket's page once it is
    finished): the average and the distribution, per service and per officer."""
    rows = rating_counts(start=period.start, end=period.end, office_ids=period.offices())
    whole = _rating_rows(rows, lambda row: None).get(None, {})
    by_service = _rating_rows(rows, lambda row: row["service_id"])
    by_officer = _rating_rows(rows, lambda row: row["officer_id"])
    services = Service.objects.in_bulk(list(by_service))
    officers = User.objects.in_bulk([pk for pk in by_officer if pk is not None])
    service_rows = sorted(
        ({"service": str(services[pk]), **_rating_figures(counts)} for pk, counts in by_service.items()),
        key=lambda row: row["service"],
    )
    officer_rows = sorted(
        (
            {
                "officer": (officers[pk].get_full_name() or officers[pk].username) if pk else str(_("(none)")),
                **_rating_figures(counts),
            }
            for pk, counts in by_officer.items()
        ),
        key=lambda row: row["officer"],
    )
    distribution = [{"score": str(score), "ratings": whole.get(score, 0)} for score in SCORES]
    figures = _rating_figures(whole)
    return Content(
        figures=[
            Figure("ratings", _("Ratings"), figures["ratings"]),
            Figure("average", _("Average rating (1-5)"), figures["average"], "decimal"),
        ],
        tables=[
            Table(
                "satisfaction_services",
                str(_("Ratings by service")),
                [Column("service", _("Service")), *_rating_columns()],
                service_rows,
                totals={"service": str(_("Total")), **figures} if service_rows else None,
            ),
            Table(
                "satisfaction_officers",
                str(_("Ratings by officer")),
                [Column("officer", _("Officer")), *_rating_columns()],
                officer_rows,
            ),
            Table(
                "satisfaction_distribution",
                str(_("Ratings by score")),
                [Column("score", _("Rating")), Column("ratings", _("Ratings"), "int")],
                distribution,
            ),
        ],
        charts=[
            Chart(
                "satisfaction_scores",
                str(_("Ratings by score")),
                "bar",
                "satisfaction_distribution",
                "score",
                ["ratings"],
            )
        ],
    )


def satisfaction_offices_build(period: Period) -> Content:
    """Every office's ratings side by side: the average and the distribution."""
    rows = rating_counts(start=period.start, end=period.end, office_ids=period.offices())
    by_office = _rating_rows(rows, lambda row: row["office_id"])
    offices = Office.objects.filter(pk__in=list(by_office)).order_by("code")
    table_rows = [
        {"office": office.code, "name": office.name, **_rating_figures(by_office[office.pk])} for office in offices
    ]
    whole = _rating_figures(_rating_rows(rows, lambda row: None).get(None, {}))
    return Content(
        figures=[
            Figure("ratings", _("Ratings"), whole["ratings"]),
            Figure("average", _("Average rating (1-5)"), whole["average"], "decimal"),
        ],
        tables=[
            Table(
                "satisfaction_offices",
                str(_("Ratings by office")),
                [Column("office", _("Office")), Column("name", _("Name")), *_rating_columns()],
                table_rows,
                totals={"office": str(_("Total")), "name": "", **whole} if table_rows else None,
                links={"office": lambda row: dashboard_url(row["office"], period)},
            )
        ],
    )


SECTIONS = (
    ReportSection(OFFICE, "queue_services", _("Service times against the targets"), services_build, PERMISSION, 10),
    ReportSection(OFFICE, "queue_process", _("The process, end to end"), process_build, PERMISSION, 15),
    ReportSection(OFFICE, "queue_days", _("Service times by day and hour"), days_build, PERMISSION, 20),
    ReportSection(OFFICE, "queue_satisfaction", _("Customer satisfaction"), satisfaction_build, PERMISSION, 25),
    ReportSection(OFFICE, "queue_counters", _("Counters and officers"), counters_build, PERMISSION, 30),
    ReportSection(OFFICE, "queue_priority", _("Priority tickets"), priority_build, PERMISSION, 40),
    ReportSection(NATIONAL, "queue_offices", _("Service times by office"), offices_build, PERMISSION, 10),
    ReportSection(
        NATIONAL,
        "queue_satisfaction_offices",
        _("Customer satisfaction by office"),
        satisfaction_offices_build,
        PERMISSION,
        25,
    ),
)
