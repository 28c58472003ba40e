"""The arrears list: employers that had employees in a wage period and did not file the
statement (SSO 1-10) for a branch, or filed it and did not pay; with what they owe today
and the CSV / Excel export of the same list.

One set-based query whatever the number of employers: the branches with employees in the
period (an employment covering it, at an employer active then) and the branches with an
unpaid statement for it, minus the branches whose statements are paid; the estimate for a
branch that filed nothing is
computed in SQL exactly as `rules.line_compute` does (per person: the monthly wage clamped
to the floor and ceiling, times each rate, rounded half-up to whole baht), and the surcharge
to date with `rules.surcharge_compute`. The total count comes from the same query
(a window count), so a page costs one query. The registry's tables are joined by the
names `registry.selectors.sql_tables()` gives (see `contributions.services.verification`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contributions import rules
from contributions.models import ContributionRate
from registry.selectors import sql_tables
from sso.core import exports
from sso.core.formats import BE_OFFSET, date_display
from sso.core.months import month_add, month_first

ZERO = Decimal("0.00")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ArrearsRow:
    employer_id: int
    account_number: str
    name_th: str
    name_en: str
    branch_id: int
    branch_number: str
    branch_name: str
    head_count: int
    filed_at: datetime.datetime | None  # the statement's date; None when nothing was filed
    contributions: Decimal  # the statement's unpaid total, or the estimate when not filed
    estimated: bool
    surcharge: Decimal
    surcharge_months: int

    @property
    def filed(self) -> bool:
        return self.filed_at is not None

    @property
    def total(self) -> Decimal:
        return self.contributions + self.surcharge


def period_label(period: datetime.date, separator: str = "/") -> str:
    """A wage period as people write it: 10/2569 in Thai (B.E.), 10/2026 in English."""
    year = period.year + BE_OFFSET if _is_thai() else period.year
    return f"{period.month:02d}{separator}{year}"


def latest_due_period(today: datetime.date | None = None) -> datetime.date:
    """The latest wage period whose due date (the 15th of the next month, from the
    surcharge rule) has passed."""
    today = today or timezone.localdate()
    period = month_add(month_first(today), -1)
    while rules.due_date(period, rules.surcharge_rule_for(period)) >= today:
        period = month_add(period, -1)
    return period


def _rates(period: datetime.date) -> tuple[ContributionRate, list[ContributionRate]]:
    """The national rate row for the period and the provinces' own rows in force then."""
    national = rules.rate_for(period)
    provinces = (
        ContributionRate.objects.filter(province__isnull=False, valid_from__lte=period)
        .exclude(valid_to__lt=period)
        .values_list("province_id", flat=True)
        .distinct()
    )
    return national, [rules.rate_for(period, province_id) for province_id in provinces]


_SQL = """
WITH national (employee_rate, employer_rate, wage_floor, wage_ceiling) AS (
    VALUES (%(ee)s::numeric, %(er)s::numeric, %(floor)s::numeric, %(ceiling)s::numeric)
),
provincial (province_id, employee_rate, employer_rate, wage_floor, wage_ceiling) AS (
    {provincial}
),
statements AS (
    -- Every non-void statement of the period, per branch: filed when, what is unpaid.
    SELECT s.branch_id,
           MIN(s.received_at) AS filed_at,
           SUM(s.employee_total + s.employer_total) FILTER (WHERE s.status = 'accepted') AS unpaid,
           BOOL_OR(s.status = 'accepted') AS open
    FROM contributions_statement s
    JOIN {employer} m ON m.id = s.employer_id
    WHERE s.period = %(period)s AND s.status <> 'void' {office_m}
    GROUP BY s.branch_id
),
working AS MATERIALIZED (
    -- Employments covering the period at a branch without a paid-up statement: most
    -- branches file and pay, so this leaves few rows to join and add up.
    SELECT e.branch_id, e.employer_id, e.person_id, e.monthly_wage
    FROM {employment} e
    WHERE e.started_on <= %(period_end)s AND (e.ended_on IS NULL OR e.ended_on >= %(period)s)
      AND NOT EXISTS (SELECT 1 FROM statements st WHERE st.branch_id = e.branch_id AND NOT st.open) {office_e}
),
employed AS (
    -- Head count, and the estimate as `rules.line_compute` makes it (numeric ROUND is half
    -- away from zero, which is half-up for these positive amounts).
    SELECT e.branch_id, COUNT(DISTINCT e.person_id) AS head_count, SUM({shares}) AS estimate
    FROM working e
    JOIN {employer} m ON m.id = e.employer_id
    JOIN {branch} b ON b.id = e.branch_id
    CROSS JOIN national n
    LEFT JOIN provincial p ON p.province_id = b.province_id
    WHERE (m.status = 'active' OR m.ceased_on >= %(period)s) {office_m}
    GROUP BY e.branch_id
),
arrears AS (
    SELECT COALESCE(w.branch_id, st.branch_id) AS branch_id, w.head_count, w.estimate, st.filed_at, st.unpaid
    FROM employed w
    FULL JOIN (SELECT * FROM statements WHERE open) st ON st.branch_id = w.branch_id
)
SELECT m.id, m.account_number, m.name_th, m.name_en, b.id, b.number, b.name,
       COALESCE(a.head_count, 0), a.filed_at, COALESCE(a.unpaid, a.estimate, 0), a.filed_at IS NULL,
       COUNT(*) OVER ()
FROM arrears a
JOIN {branch} b ON b.id = a.branch_id
JOIN {employer} m ON m.id = b.employer_id
ORDER BY m.account_number, b.number
{limit}
"""


def _query(period: datetime.date, office_id: int | None, limit: int | None, offset: int) -> tuple[str, dict]:
    national, provincial = _rates(period)
    params = {
        "period": period,
        "period_end": month_add(period, 1) - datetime.timedelta(days=1),
        "ee": national.employee_rate,
        "er": national.employer_rate,
        "floor": national.wage_floor,
        "ceiling": national.wage_ceiling,
        "office": office_id,
        "limit": limit,
        "offset": offset,
    }
    if provincial:
        values = []
        for n, rate in enumerate(provincial):
            values.append(f"(%(p{n})s::bigint, %(pee{n})s::numeric, %(per{n})s::numeric, %(pf{n})s, %(pc{n})s)")
            params |= {
                f"p{n}": rate.province_id,
                f"pee{n}": rate.employee_rate,
                f"per{n}": rate.employer_rate,
                f"pf{n}": rate.wage_floor,
                f"pc{n}": rate.wage_ceiling,
            }
        provincial_sql = "VALUES " + ", ".join(values)
    else:
        provincial_sql = "SELECT NULL::bigint, NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric WHERE false"

    # A province's own row wins over the national one (as `rules.rate_for`).
    def rate(field):
        return f"COALESCE(p.{field}, n.{field})"

    base = f"LEAST(GREATEST(COALESCE(e.monthly_wage, 0), {rate('wage_floor')}), {rate('wage_ceiling')})"
    shares = f"ROUND({base} * {rate('employee_rate')} / 100) + ROUND({base} * {rate('employer_rate')} / 100)"
    tables = sql_tables()
    sql = _SQL.format(
        employer=tables.employer,
        employment=tables.employment,
        branch=tables.branch,
        provincial=provincial_sql,
        shares=shares,
        office_m="AND m.responsible_office_id = %(office)s" if office_id is not None else "",
        office_e=(
            f"AND e.employer_id IN (SELECT id FROM {tables.employer} WHERE responsible_office_id = %(office)s)"
            if office_id is not None
            else ""
        ),
        limit="LIMIT %(limit)s OFFSET %(offset)s" if limit is not None else "",
    )
    return sql, params


def arrears_list(
    *,
    period: datetime.date,
    office_id: int | None,
    limit: int | None = None,
    offset: int = 0,
    today: datetime.date | None = None,
) -> tuple[list[ArrearsRow], int]:
    """(the rows from `offset`, at most `limit` of them; how many rows in all) for a wage
    period and an office (None: every office). Ordered by account number and branch."""
    today = today or timezone.localdate()
    period = month_first(period)
    rule = rules.surcharge_rule_for(period)
    sql, params = _query(period, office_id, limit, offset)
    with transaction.atomic(), connection.cursor() as cursor:
        # Room to hash the period's employments in memory rather than sort them on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for (employer_id, account, name_th, name_en, branch_id, number, branch_name, heads, filed_at, due, estimated,
         _count) in fetched:  # fmt: skip
        due = Decimal(due).quantize(ZERO)
        surcharge = rules.surcharge_compute(period, due, today, rule)
        rows.append(
            ArrearsRow(
                employer_id=employer_id,
                account_number=account,
                name_th=name_th,
                name_en=name_en,
                branch_id=branch_id,
                branch_number=number,
                branch_name=branch_name,
                head_count=heads,
                filed_at=filed_at,
                contributions=due,
                estimated=estimated,
                surcharge=surcharge.amount,
                surcharge_months=surcharge.months,
            )
        )
    total = fetched[0][-1] if fetched else 0
    if not fetched and offset and limit is not None:
        # Past the end: count what there is (a rare second query).
        total = len(arrears_list(period=period, office_id=office_id, today=today)[0])
    return rows, total


# Export ----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Employer account number"),
        _("Employer name"),
        _("Branch"),
        _("Branch name"),
        _("Employees"),
        _("Statement filed on"),
        _("Contributions due"),
        _("Estimate"),
        _("Surcharge to date"),
        _("Months late"),
        _("Total"),
    ]


def _cells(row: ArrearsRow, language_thai: bool) -> list:
    name = row.name_th if language_thai or not row.name_en else row.name_en
    return [
        row.account_number,
        name,
        row.branch_number,
        row.branch_name,
        row.head_count,
        date_display(row.filed_at) if row.filed_at else "",
        row.contributions,
        _("yes") if row.estimated else "",
        row.surcharge,
        row.surcharge_months,
        row.total,
    ]


def _is_thai() -> bool:
    return not (get_language() or "th").startswith("en")


def export_csv(rows: list[ArrearsRow]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Thai text as Thai; names
    cannot become formulas (`sso.core.exports`)."""
    thai = _is_thai()
    return exports.csv_bytes(_headers(), (_cells(row, thai) for row in rows))


_MONEY_COLUMNS = (6, 8, 10)


def export_xlsx(rows: list[ArrearsRow], *, title: str) -> bytes:
    thai = _is_thai()
    return exports.xlsx_bytes(
        title=title,
        header=_headers(),
        rows=(_cells(row, thai) for row in rows),
        number_formats=dict.fromkeys(_MONEY_COLUMNS, "#,##0.00"),
    )
