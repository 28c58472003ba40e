"""Reads of contribution collection beyond one line."""

import datetime

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from contributions import rules
from contributions.models import CollectionDay, ContributionMonth, Finding, Reimbursement
from sso.core.db import reports_alias
from sso.core.months import month_add, month_first


def _paid_months(person_id: int, sections, first: datetime.date | None, before: datetime.date | None):
    months = ContributionMonth.objects.filter(person_id=person_id)
    if sections is not None:
        months = months.filter(section__in=list(sections))
    if first is not None:
        months = months.filter(period__gte=first)
    if before is not None:
        months = months.filter(period__lt=before)
    return months.order_by().values_list("period", flat=True).distinct()


def paid_months(
    person_id: int, *, sections=None, first: datetime.date | None = None, before: datetime.date | None = None
) -> list[datetime.date]:
    """The wage periods paid for a person under `sections` (all when None), oldest first, from
    `first` (included) to `before` (excluded) when given: the one reading of "months paid"
    that every rule counts (the benefits' qualifying months, Section 39's 12 months of Section
    33, the person page). A month is paid when a posted payment holds it (`ContributionMonth`:
    a voided payment's months are gone); a month paid by two employers counts once; months
    merely on record (employed, insured) do not count."""
    return sorted(_paid_months(person_id, sections, first, before))


def paid_months_count(
    person_id: int, *, sections=None, first: datetime.date | None = None, before: datetime.date | None = None
) -> int:
    """How many months `paid_months` holds, counted in the database (one index scan of
    (person, period))."""
    return _paid_months(person_id, sections, first, before).count()


def contribution_months_count(person_id: int, *, before: datetime.date, months: int, section: str | None = None) -> int:
    """How many wage periods were paid for a person in the `months` months before the month
    of `before` (that month itself excluded): the qualifying count of the benefit rules
    ("3 months within the 15 months before treatment"), read by `paid_months_count`."""
    last = month_first(before)
    return paid_months_count(
        person_id, sections=None if section is None else (section,), first=month_add(last, -months), before=last
    )


def contribution_history(person_id: int, *, limit: int = 36) -> list[ContributionMonth]:
    """A person's latest paid months, newest first, with the employer (the person page)."""
    return list(
        ContributionMonth.objects.filter(person_id=person_id)
        .select_related("employer")
        .order_by("-period", "employer_id")[:limit]
    )


# For benefits ---------------------------------------------------------------------------
# The contribution history the benefit rules count (months paid, wages, ceilings) and the
# back office's check that a person is still on an employer's statements.


def contribution_wages(
    person_id: int, *, sections, first: datetime.date | None = None, before: datetime.date | None = None
) -> list[tuple[datetime.date, object]]:
    """(period, wage) of each paid month row of the person under `sections` (one per
    employer), from `first` (included) to `before` (excluded) when given."""
    months = ContributionMonth.objects.filter(person_id=person_id, section__in=list(sections))
    if first is not None:
        months = months.filter(period__gte=first)
    if before is not None:
        months = months.filter(period__lt=before)
    return list(months.values_list("period", "wage"))


def wage_ceiling(period: datetime.date):
    """The Section 33 wage ceiling of a wage period (15,000 before 2026, 17,500 from it)."""
    return rules.rate_for(period).wage_ceiling


def statement_line_after(person_id: int, day: datetime.date):
    """The latest line listing the person on a statement (accepted or paid, not replaced by
    an amendment) for a wage month starting after `day`, with its statement and employer;
    None when no statement lists the person after `day`."""
    from contributions.models import Statement, StatementLine

    done = (Statement.Status.ACCEPTED, Statement.Status.PAID)
    return (
        StatementLine.objects.filter(person_id=person_id, statement__status__in=done, statement__period__gt=day)
        .exclude(statement__amendments__status__in=done)
        .select_related("statement__employer")
        .order_by("-statement__period", "-statement_id")
        .first()
    )


# For the reports ------------------------------------------------------------------------
# The back office's measures (contributions/reports.py): collection by channel and statements
# by source from the daily summary (`CollectionDay`), findings and reimbursements live; all
# from the reports database (`sso.core.db`).


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The day's first instant and the next day's, in the offices' time zone (Bangkok)."""
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return since, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def _in_offices(queryset, office_ids, path: str = "office_id"):
    """Narrowed to the offices (None: every office)."""
    return queryset if office_ids is None else queryset.filter(**{f"{path}__in": office_ids})


def collection_days(*, first: datetime.date, last: datetime.date, office_ids=None, measure: str = "payment") -> list:
    """(day, key, count, amount) of the summary, summed over the offices, by day and key."""
    rows = _in_offices(
        CollectionDay.objects.using(reports_alias()).filter(day__range=(first, last), measure=measure), office_ids
    )
    return list(
        rows.values("day", "key").annotate(n=Sum("count"), total=Sum("amount")).values_list("day", "key", "n", "total")
    )


def findings_as_of(*, first: datetime.date, last: datetime.date, office_ids=None) -> list[dict]:
    """The statements' findings by kind: open at the end of `last`, found and resolved from
    `first` to `last`, and the oldest open one's found time."""
    since, _ = day_bounds(first)
    _, until = day_bounds(last)
    open_at_end = Q(found_at__lt=until) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=until))
    findings = _in_offices(Finding.objects.using(reports_alias()), office_ids, "statement__office_id").filter(
        Q(found_at__lt=until) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
    )
    return list(
        findings.values("kind")
        .annotate(
            open=Count("id", filter=open_at_end),
            found=Count("id", filter=Q(found_at__gte=since)),
            resolved=Count("id", filter=Q(resolved_at__gte=since, resolved_at__lt=until)),
            oldest_open=Min("found_at", filter=open_at_end),
        )
        .order_by("kind")
    )


def reimbursements_summary(*, first: datetime.date, last: datetime.date, office_ids=None) -> list[dict]:
    """Reimbursements by status: requested, approved, with the bank and returned by it
    (pending, as they are now), and those paid from `first` to `last` (by a cheque batch paid
    then, or confirmed paid by the bank then); count and amount of each."""
    S = Reimbursement.Status
    rows = _in_offices(Reimbursement.objects.using(reports_alias()), office_ids).filter(
        Q(status__in=(S.REQUESTED, S.APPROVED, S.IN_BATCH, S.FAILED))
        | Q(status=S.PAID, batch__paid_on__range=(first, last))
        | Q(status=S.PAID, paid_at__date__range=(first, last))
    )
    return list(rows.values("status").annotate(n=Count("id"), total=Sum("amount")).order_by("status"))
