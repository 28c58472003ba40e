"""Demo contribution history for the registry's demo employers and insured persons:

    manage.py demo_data --contribution-months 12

For each of the N wage periods ending with the last one whose due date has passed: one
statement (SSO 1-10) per branch with employees, its lines from each employee's registered
monthly wage (with a small variation some months), computed with the period's rate row as
`rules.line_compute` does; a payment for it (mostly on time, some late with the surcharge,
a mix of methods and channels), its receipt, and each person's ContributionMonth; and the
monthly payments of Section 39 and Section 40 persons. The latest period is left partly
unfiled and partly unpaid (so the arrears page has content), and an odd earlier statement
is unpaid too.

Everything is made set-based in SQL (INSERT ... SELECT over the employments and a series
of periods), so that a year for a million persons (~9 M statement lines, ~10 M contribution
months, ~2 M payments and receipts) takes minutes, not hours: 12 months for 100,000 persons
took 38 s on a busy 2-core machine. For big loads the indexes and foreign keys of the loaded
tables are dropped first and made again after, in the same transaction.
Receipts are numbered per office and year (B.E.) in the order of posting, after the last
number of the office's series, and the series is moved on: the numbers stay unbroken.

Demo history gets no audit (simple_history) rows: it was never entered by an officer.
Idempotent: a branch and period with a statement, or a person and month already paid, is
left alone; what is left unfiled or unpaid is chosen by a hash of the branch (or person)
and the month, so a second run chooses the same and adds nothing.
Over 500 lines: one set-based plan per kind of record, in the order they are made; they
share temporary tables, so they stay in one module.
"""

import datetime
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from contributions import rules
from contributions.arrears import latest_due_period
from contributions.models import ContributionRate
from registry.selectors import sql_tables
from sso.core.demo import ids_reserve
from sso.core.formats import BE_OFFSET
from sso.core.models import Province
from sso.core.months import month_add

DEFAULT_MONTHS = 12
# The foreign keys of the loaded tables are dropped before a load and made again after it:
# one join per foreign key checks every row, instead of a deferred trigger check per row
# (which, for a few hundred thousand rows, takes longer than the load). From this many new
# statement lines on, or when the load at least doubles the lines, the indexes are dropped and
# made again too (one sort per index instead of an index insert per row).
REINDEX_FROM = 200_000
LOADED_TABLES = (
    "contributions_statement",
    "contributions_statementline",
    "contributions_payment",
    "contributions_receipt",
    "contributions_contributionmonth",
)
# Shares of the latest period (in %): not filed, filed and not paid; earlier periods: not paid.
LATEST_UNFILED, LATEST_UNPAID, EARLIER_UNPAID = 7, 6, 1
LATE_PERCENT = 10  # paid after the due date, with the surcharge
WORK_TABLES = ("demo_period", "demo_rate", "demo_s40", "demo_officer", "demo_job", "demo_stmt", "demo_vol")


def add_arguments(parser):
    parser.add_argument(
        "--contribution-months",
        type=int,
        default=DEFAULT_MONTHS,
        help="months of contribution history (statements, payments, receipts) ending with the last one due; 0: none",
    )


def seed(*, stdout=None, **options) -> None:
    months = options.get("contribution_months")
    months = DEFAULT_MONTHS if months is None else months
    if months <= 0:
        return
    started = time.monotonic()
    counts = contributions_generate(months=months, stdout=stdout)
    if stdout is not None:
        stdout.write(
            f"contributions: {counts['statements']:,} new statements ({counts['lines']:,} lines),"
            f" {counts['payments']:,} payments ({counts['voluntary']:,} Section 39/40),"
            f" {counts['months']:,} contribution months in {time.monotonic() - started:.1f} s"
        )


# Rules as small tables the SQL joins ------------------------------------------------------


def _periods_load(cursor, first: datetime.date, months: int) -> list[datetime.date]:
    """demo_period (one row per wage period: due date, surcharge and Section 39 figures),
    demo_rate (the rate row of each period in each province) and demo_s40 (the options)."""
    periods = [month_add(first, n) for n in range(months)]
    cursor.execute(
        """CREATE TEMP TABLE demo_period (period date PRIMARY KEY, period_end date, pm int, is_latest bool,
           due_on date, surcharge_rate numeric, started_counts bool,
           s39_amount numeric, s39_base numeric, s39_government numeric) ON COMMIT DROP"""
    )
    cursor.execute(
        """CREATE TEMP TABLE demo_rate (period date, province_id bigint, employee_rate numeric,
           employer_rate numeric, government_rate numeric, wage_floor numeric, wage_ceiling numeric,
           employee_bp int, employer_bp int, government_bp int, floor_s int, ceiling_s int,
           PRIMARY KEY (period, province_id)) ON COMMIT DROP"""
    )
    cursor.execute(
        """CREATE TEMP TABLE demo_s40 (period date, option int, person_amount numeric, government_amount numeric,
           PRIMARY KEY (period, option)) ON COMMIT DROP"""
    )
    provinces = list(Province.objects.values_list("id", flat=True))
    own = set(ContributionRate.objects.filter(province__isnull=False).values_list("province_id", flat=True))
    rows, rates, options = [], [], []
    for period in periods:
        rule = rules.surcharge_rule_for(period)
        try:
            s39 = rules.section39_rate_for(period)
            s39_values = (rules.section39_amount(period), s39.section39_base, s39.section39_government)
        except ValidationError:  # no Section 39 rate then: no Section 39 payments that month
            s39_values = (None, None, None)
        end = month_add(period, 1) - datetime.timedelta(days=1)
        pm = period.year * 12 + period.month
        rows.append(
            (period, end, pm, period == periods[-1], rules.due_date(period, rule), rule.monthly_rate,
             rule.started_month_counts, *s39_values)
        )  # fmt: skip
        national = rules.rate_for(period)
        overrides = {province_id: rules.rate_for(period, province_id) for province_id in own}
        for province_id in provinces:
            rate = overrides.get(province_id, national)
            rates.append(
                (period, province_id, rate.employee_rate, rate.employer_rate, rate.government_rate,
                 rate.wage_floor, rate.wage_ceiling)
            )  # fmt: skip
        for option in (1, 2, 3):
            try:
                row = rules.section40_option_for(period, option)
            except ValidationError:
                continue
            options.append((period, option, row.person_amount, row.government_amount))
    cursor.executemany("INSERT INTO demo_period VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.executemany("INSERT INTO demo_rate VALUES (%s, %s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 0)", rates)
    # The same figures in whole hundredths (of a percent, of a baht) for integer arithmetic.
    cursor.execute(
        """UPDATE demo_rate SET employee_bp = employee_rate * 100, employer_bp = employer_rate * 100,
           government_bp = government_rate * 100, floor_s = wage_floor * 100, ceiling_s = wage_ceiling * 100"""
    )
    if options:
        cursor.executemany("INSERT INTO demo_s40 VALUES (%s, %s, %s, %s)", options)
    cursor.execute("ANALYZE demo_period")
    cursor.execute("ANALYZE demo_rate")
    return periods


def _officers_load(cursor) -> bool:
    """demo_officer: who posts an office's demo payments (its counter officer, else any of its
    staff, else the first user). False when there is no user at all."""
    cursor.execute(
        """CREATE TEMP TABLE demo_officer ON COMMIT DROP AS
           SELECT o.id AS office_id, COALESCE(
               (SELECT MIN(u.id) FROM core_user u JOIN core_user_groups ug ON ug.user_id = u.id
                JOIN auth_group g ON g.id = ug.group_id WHERE g.name = 'counter_officer' AND u.office_id = o.id),
               (SELECT MIN(u.id) FROM core_user u WHERE u.office_id = o.id),
               (SELECT MIN(u.id) FROM core_user u)) AS user_id
           FROM core_office o"""
    )
    cursor.execute("SELECT COUNT(*) FROM demo_officer WHERE user_id IS NULL")
    return cursor.fetchone()[0] == 0


# Section 33: statements, lines, payments, months ----------------------------------------------

# A 31-bit hash of a number (PostgreSQL's own integer hash: the same on every run).
_H = "(hashint8({0}) & 2147483647)"

# Each employee in each period of the window, with the wage of the month and the shares as
# `rules.line_compute` makes them, in integers for speed: wages in satang, rates in
# hundredths of a percent, so that wage x rate / 100 is exact and (x + 500000) / 1000000
# rounds it half-up to whole baht. Some months (30%) the wage moves by up to 5%.
_EXPANSION = f"""
    demo_job j
    JOIN demo_period p ON p.period BETWEEN j.first_p AND j.last_p
    JOIN demo_rate r ON r.period = p.period AND r.province_id = j.province_id
    CROSS JOIN LATERAL (SELECT {_H.format("j.person_id * 4096 + p.pm")}) v(h)
    CROSS JOIN LATERAL (
        SELECT (CASE WHEN v.h % 10 < 3 THEN (j.wage_s::bigint * (95 + v.h / 10 % 11) + 50000) / 100000 * 1000
                     ELSE j.wage_s END)::int
    ) w(wage)
    CROSS JOIN LATERAL (SELECT LEAST(GREATEST(w.wage, r.floor_s), r.ceiling_s)) c(base)
    CROSS JOIN LATERAL (SELECT ((c.base::bigint * r.employee_bp + 500000) / 1000000)::int,
                               ((c.base::bigint * r.employer_bp + 500000) / 1000000)::int,
                               ((c.base::bigint * r.government_bp + 500000) / 1000000)::int) a(ee, er, gov)
""".replace(" % ", " %% ")


def _jobs_load(cursor, first: datetime.date, last: datetime.date) -> None:
    """demo_job: each employment spell over the window in whole months. Two spells of a person
    at one branch that share a month (left and hired again) count that month once."""
    last_end = month_add(last, 1) - datetime.timedelta(days=1)
    tables = sql_tables()
    cursor.execute(
        f"""CREATE TEMP TABLE demo_job ON COMMIT DROP AS
           SELECT person_id, employer_id, branch_id, office_id, province_id, wage_s, first_p, last_p FROM (
               SELECT person_id, employer_id, branch_id, office_id, province_id, wage_s, last_p,
                      CASE WHEN previous IS NULL THEN first_p
                           ELSE GREATEST(first_p, (previous + INTERVAL '1 month')::date) END AS first_p
               FROM (
                   SELECT e.person_id, e.employer_id, e.branch_id, m.responsible_office_id AS office_id,
                          b.province_id, (LEAST(COALESCE(e.monthly_wage, 0), 20000000) * 100)::int AS wage_s,
                          GREATEST(date_trunc('month', e.started_on)::date, %(first)s) AS first_p,
                          LEAST(COALESCE(date_trunc('month', e.ended_on)::date, %(last)s), %(last)s) AS last_p,
                          MAX(COALESCE(date_trunc('month', e.ended_on)::date, 'infinity'::date)) OVER (
                              PARTITION BY e.person_id, e.branch_id ORDER BY e.started_on, e.id
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous
                   FROM {tables.employment} e
                   JOIN {tables.employer} m ON m.id = e.employer_id
                   JOIN {tables.branch} b ON b.id = e.branch_id
                   JOIN {tables.person} ip ON ip.id = e.person_id
                   WHERE e.started_on <= %(last_end)s AND (e.ended_on IS NULL OR e.ended_on >= %(first)s)
                     AND ip.status <> 'merged'
               ) spells
           ) jobs
           WHERE first_p <= last_p""",
        {"first": first, "last": last, "last_end": last_end},
    )
    cursor.execute("ANALYZE demo_job")


def _statements_plan(cursor, today: datetime.date) -> tuple[int, int]:
    """demo_stmt: one row per new statement (branch and period without one), with its totals
    and what happens to it (filed when, paid or not, how). Returns (statements, lines)."""
    cursor.execute(
        f"""CREATE TEMP TABLE demo_stmt ON COMMIT DROP AS
        WITH totals AS (
            SELECT j.branch_id, p.period, j.employer_id, j.office_id, j.province_id,
                   COUNT(*) AS head_count, SUM(w.wage)::numeric / 100 AS total_wages,
                   SUM(a.ee)::numeric AS employee_total, SUM(a.er)::numeric AS employer_total,
                   SUM(a.gov)::numeric AS government_total
            FROM {_EXPANSION}
            GROUP BY j.branch_id, p.period, j.employer_id, j.office_id, j.province_id
        ),
        hashed AS (
            SELECT t.*, p.is_latest, p.due_on, p.surcharge_rate, p.started_counts,
                   {_H.format("t.branch_id * 4096 + p.pm")} AS h1
            FROM totals t JOIN demo_period p ON p.period = t.period
            WHERE NOT EXISTS (
                SELECT 1 FROM contributions_statement s
                WHERE s.branch_id = t.branch_id AND s.period = t.period AND s.status <> 'void')
        ),
        decided AS (
            SELECT h.*, hashint4(h.h1) & 2147483647 AS h2, hashint4(h.h1 + 1) & 2147483647 AS h3,
                   CASE WHEN h.is_latest THEN h.h1 %% 100 >= {LATEST_UNFILED + LATEST_UNPAID}
                        ELSE h.h1 %% 100 >= {EARLIER_UNPAID} END AS paid,
                   h.h1 / 100 %% 100 < {LATE_PERCENT} AS late
            FROM hashed h
            WHERE NOT (h.is_latest AND h.h1 %% 100 < {LATEST_UNFILED})
        ),
        dated AS (
            SELECT d.*, LEAST(%(today)s, CASE
                       WHEN d.paid AND d.late THEN d.due_on + 1 + d.h2 %% 75
                       ELSE (d.period + INTERVAL '1 month')::date + d.h2 %% EXTRACT(DAY FROM d.due_on)::int
                   END) AS filed_on
            FROM decided d
        )
        SELECT d.*, ROW_NUMBER() OVER (ORDER BY d.period, d.branch_id) AS seq,
               LEAST(%(now)s - INTERVAL '5 minutes', (d.filed_on + TIME '08:30' + (d.h3 %% 480) * INTERVAL '1 minute')
                     AT TIME ZONE %(zone)s) AS received_at,
               -- Months late as `rules.surcharge_compute` counts them (from the day after the due date).
               CASE WHEN d.filed_on <= d.due_on THEN 0 ELSE
                   (EXTRACT(YEAR FROM d.filed_on) * 12 + EXTRACT(MONTH FROM d.filed_on))::int
                   - (EXTRACT(YEAR FROM d.due_on + 1) * 12 + EXTRACT(MONTH FROM d.due_on + 1))::int
                   - (EXTRACT(DAY FROM d.filed_on) < EXTRACT(DAY FROM d.due_on + 1))::int
                   + d.started_counts::int END AS surcharge_months
        FROM dated d""",
        {"today": today, "now": timezone.now(), "zone": settings.TIME_ZONE},
    )
    cursor.execute("SELECT COUNT(*), COALESCE(SUM(head_count), 0)::bigint FROM demo_stmt")
    statements, lines = cursor.fetchone()
    cursor.execute("ANALYZE demo_stmt")
    return statements, lines


def _statements_insert(cursor, statement_base: int, payment_base: int) -> tuple[int, int]:
    """The statements, their lines, the payments and the paid months; returns (payments, months)."""
    params = {"statements": statement_base, "payments": payment_base}
    cursor.execute(
        """INSERT INTO contributions_statement (id, period, source, file_name, status, verification,
               employee_rate, employer_rate, government_rate, wage_floor, wage_ceiling, head_count, total_wages,
               employee_total, employer_total, government_total, received_at, verified_at, amends_id,
               branch_id, employer_id, office_id, received_by_id)
           SELECT %(statements)s + s.seq - 1, s.period,
                  (ARRAY['file', 'file', 'excel', 'counter', 'api'])[1 + s.h3 %% 5], '',
                  CASE WHEN s.paid THEN 'paid' ELSE 'accepted' END, 'clear',
                  r.employee_rate, r.employer_rate, r.government_rate, r.wage_floor, r.wage_ceiling,
                  s.head_count, s.total_wages, s.employee_total, s.employer_total, s.government_total,
                  s.received_at, s.received_at + INTERVAL '1 hour', NULL,
                  s.branch_id, s.employer_id, s.office_id, o.user_id
           FROM demo_stmt s
           JOIN demo_rate r ON r.period = s.period AND r.province_id = s.province_id
           JOIN demo_officer o ON o.office_id = s.office_id
           ORDER BY s.seq""",
        params,
    )
    cursor.execute(
        f"""INSERT INTO contributions_statementline (line_number, wage, contribution_wage, employee_amount,
               employer_amount, person_id, statement_id)
           SELECT ROW_NUMBER() OVER (PARTITION BY s.seq ORDER BY j.person_id), w.wage::numeric / 100,
                  c.base::numeric / 100, a.ee, a.er, j.person_id, %(statements)s + s.seq - 1
           FROM {_EXPANSION}
           JOIN demo_stmt s ON s.branch_id = j.branch_id AND s.period = p.period""",
        params,
    )
    # Cheques and transfers carry a reference, as the counter requires.
    cursor.execute(
        """INSERT INTO contributions_payment (id, kind, period_from, period_to, section40_option, method, channel,
               reference, contribution_amount, surcharge_amount, surcharge_months, government_amount, amount,
               paid_on, posted_at, idempotency_key, status, office_id, person_id, posted_by_id, statement_id)
           SELECT %(payments)s + s.seq - 1, 'statement', s.period, s.period, NULL, m.method, m.channel,
                  CASE m.method WHEN 'cheque' THEN 'CHQ' || LPAD((s.h2 %% 10000000)::text, 7, '0')
                                WHEN 'transfer' THEN 'TRF' || LPAD((s.h3 %% 100000000)::text, 8, '0')
                                ELSE '' END,
                  s.employee_total + s.employer_total, x.surcharge, s.surcharge_months, s.government_total,
                  s.employee_total + s.employer_total + x.surcharge,
                  s.filed_on, s.received_at + INTERVAL '2 minutes', NULL, 'posted',
                  s.office_id, NULL, o.user_id, %(statements)s + s.seq - 1
           FROM demo_stmt s
           JOIN demo_officer o ON o.office_id = s.office_id
           CROSS JOIN LATERAL (SELECT
               ROUND((s.employee_total + s.employer_total) * s.surcharge_rate / 100 * s.surcharge_months, 2)
           ) x(surcharge)
           CROSS JOIN LATERAL (SELECT CASE WHEN s.h1 / 10000 %% 100 < 35 THEN 'transfer'
                                           WHEN s.h1 / 10000 %% 100 < 65 THEN 'cash'
                                           WHEN s.h1 / 10000 %% 100 < 85 THEN 'cheque' ELSE 'card' END) mm(method)
           CROSS JOIN LATERAL (SELECT mm.method, CASE
               WHEN mm.method = 'transfer' THEN (CASE WHEN s.h2 %% 2 = 0 THEN 'bank' ELSE 'internet' END)
               WHEN mm.method = 'cheque' AND s.h2 %% 5 = 0 THEN 'post'
               ELSE 'counter' END) m(method, channel)
           WHERE s.paid
           ORDER BY s.seq""",
        params,
    )
    payments = cursor.rowcount
    cursor.execute(
        f"""INSERT INTO contributions_contributionmonth (period, section, wage, amount, employer_id, person_id,
               payment_id)
           SELECT p.period, '33', c.base::numeric / 100, a.ee, j.employer_id, j.person_id,
                  %(payments)s + s.seq - 1
           FROM {_EXPANSION}
           JOIN demo_stmt s ON s.branch_id = j.branch_id AND s.period = p.period
           WHERE s.paid""",
        params,
    )
    return payments, cursor.rowcount


# Sections 39 and 40 -----------------------------------------------------------------------------


def _voluntary_plan(cursor, today: datetime.date) -> int:
    """demo_vol: one payment per person and month paid (most Section 39 persons pay every
    month; under half of Section 40 persons pay at all, as in the real register)."""
    tables = sql_tables()
    cursor.execute(
        f"""CREATE TEMP TABLE demo_vol ON COMMIT DROP AS
        WITH months AS (
            SELECT sp.person_id, ip.office_id, p.period, p.is_latest, sp.section, sp.s40_option,
                   CASE WHEN sp.section = '39' THEN p.s39_amount ELSE o.person_amount END AS amount,
                   CASE WHEN sp.section = '39' THEN p.s39_government ELSE o.government_amount END AS government,
                   CASE WHEN sp.section = '39' THEN p.s39_base ELSE 0 END AS wage,
                   {_H.format("sp.person_id")} AS hp, {_H.format("sp.person_id * 4096 + p.pm")} AS h1
            FROM {tables.section_spell} sp
            JOIN {tables.person} ip ON ip.id = sp.person_id
            JOIN demo_period p ON sp.valid_from <= p.period_end AND (sp.valid_to IS NULL OR sp.valid_to >= p.period)
            LEFT JOIN demo_s40 o ON o.period = p.period AND o.option = sp.s40_option
            WHERE sp.section IN ('39', '40') AND ip.status <> 'merged'
              AND NOT EXISTS (
                  SELECT 1 FROM contributions_contributionmonth cm
                  WHERE cm.person_id = sp.person_id AND cm.period = p.period AND cm.section = sp.section)
        ),
        chosen AS (
            SELECT m.*, hashint4(m.h1) & 2147483647 AS h2, hashint4(m.h1 + 1) & 2147483647 AS h3
            FROM months m
            WHERE m.amount IS NOT NULL
              AND m.hp %% 100 < CASE WHEN m.section = '39' THEN 95 ELSE 45 END
              AND m.h1 %% 100 >= CASE WHEN m.is_latest THEN 15 ELSE 3 END
        )
        SELECT c.*, ROW_NUMBER() OVER (ORDER BY c.period, c.person_id) AS seq,
               LEAST(%(today)s, c.period + c.h2 %% 45) AS paid_on,
               LEAST(%(now)s, (LEAST(%(today)s, c.period + c.h2 %% 45) + TIME '08:30' + (c.h3 %% 480)
                   * INTERVAL '1 minute') AT TIME ZONE %(zone)s) AS posted_at
        FROM chosen c""",
        {"today": today, "now": timezone.now(), "zone": settings.TIME_ZONE},
    )
    cursor.execute("SELECT COUNT(*) FROM demo_vol")
    return cursor.fetchone()[0]


def _voluntary_insert(cursor, payment_base: int) -> None:
    params = {"payments": payment_base}
    cursor.execute(
        """INSERT INTO contributions_payment (id, kind, period_from, period_to, section40_option, method, channel,
               reference, contribution_amount, surcharge_amount, surcharge_months, government_amount, amount,
               paid_on, posted_at, idempotency_key, status, office_id, person_id, posted_by_id, statement_id)
           SELECT %(payments)s + v.seq - 1, CASE WHEN v.section = '39' THEN 'section39' ELSE 'section40' END,
                  v.period, v.period, CASE WHEN v.section = '40' THEN v.s40_option END,
                  m.method, CASE WHEN m.method = 'transfer' THEN 'internet'
                                 WHEN m.method = 'cash' AND v.h2 %% 4 = 0 THEN 'post' ELSE 'counter' END,
                  CASE WHEN m.method = 'transfer' THEN 'TRF' || LPAD((v.h3 %% 100000000)::text, 8, '0') ELSE '' END,
                  v.amount, 0, 0, v.government, v.amount, v.paid_on, v.posted_at, NULL, 'posted',
                  v.office_id, v.person_id, o.user_id, NULL
           FROM demo_vol v
           JOIN demo_officer o ON o.office_id = v.office_id
           CROSS JOIN LATERAL (SELECT CASE WHEN v.h1 / 100 %% 100 < 60 THEN 'cash'
                                           WHEN v.h1 / 100 %% 100 < 85 THEN 'transfer' ELSE 'card' END) m(method)
           ORDER BY v.seq""",
        params,
    )
    cursor.execute(
        """INSERT INTO contributions_contributionmonth (period, section, wage, amount, employer_id, person_id,
               payment_id)
           SELECT v.period, v.section, v.wage, v.amount, NULL, v.person_id, %(payments)s + v.seq - 1
           FROM demo_vol v ORDER BY v.seq""",
        params,
    )


# Receipts ----------------------------------------------------------------------------------------


def _receipts_insert(cursor, first_payment: int, last_payment: int) -> int:
    """A receipt for each new payment, numbered per office and year (B.E.) in the order of
    posting after the series' last number; then the series is moved on."""
    params = {"first": first_payment, "last": last_payment, "zone": settings.TIME_ZONE, "be": BE_OFFSET}
    cursor.execute(
        """INSERT INTO contributions_receipt (year, number, issued_at, voided_at, void_reason, issued_by_id,
               office_id, payment_id, voided_by_id)
           SELECT p.year, COALESCE(rs.last_number, 0) + ROW_NUMBER() OVER (
                      PARTITION BY p.office_id, p.year ORDER BY p.posted_at, p.id),
                  p.posted_at, NULL, '', p.posted_by_id, p.office_id, p.id, NULL
           FROM (SELECT id, office_id, posted_at, posted_by_id,
                        EXTRACT(YEAR FROM posted_at AT TIME ZONE %(zone)s)::int + %(be)s AS year
                 FROM contributions_payment WHERE id BETWEEN %(first)s AND %(last)s) p
           LEFT JOIN contributions_receiptseries rs ON rs.office_id = p.office_id AND rs.year = p.year""",
        params,
    )
    receipts = cursor.rowcount
    cursor.execute(
        """INSERT INTO contributions_receiptseries (office_id, year, last_number)
           SELECT office_id, year, MAX(number) FROM contributions_receipt
           WHERE payment_id BETWEEN %(first)s AND %(last)s GROUP BY office_id, year
           ON CONFLICT (office_id, year) DO UPDATE SET last_number = EXCLUDED.last_number""",
        params,
    )
    return receipts


# Indexes around a big load -------------------------------------------------------------------------


def _load_constraints_drop(cursor, *, indexes: bool) -> list[str]:
    """Drop the foreign keys of the loaded tables and, with `indexes`, their unique
    constraints and indexes too (the primary keys stay); returns the statements that make
    them again. The load runs under an exclusive lock and makes unique rows by construction;
    making the unique indexes again checks that it did."""
    tables = list(LOADED_TABLES)
    cursor.execute(
        """SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = ANY(%s) AND t.relname = ANY(%s)
           ORDER BY c.contype DESC""",
        [["f", "u"] if indexes else ["f"], tables],
    )
    constraints = cursor.fetchall()
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    dropped = []
    if indexes:
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               WHERE t.relname = ANY(%s) AND NOT x.indisprimary""",
            [tables],
        )
        dropped = cursor.fetchall()
    for name, _definition in dropped:
        cursor.execute(f'DROP INDEX "{name}"')
    # Unique constraints first (their indexes), then the other indexes, then the foreign keys.
    restore = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "u"
    ]
    restore += [definition for _name, definition in dropped]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return restore


# The whole load ------------------------------------------------------------------------------------


@transaction.atomic
def contributions_generate(*, months: int, today: datetime.date | None = None, stdout=None) -> dict:
    """N months of contribution history ending with the last period due (see the module's
    docstring). Returns how many of each thing were added."""
    started = time.monotonic()
    today = today or timezone.localdate()
    last = latest_due_period(today)
    first = month_add(last, -(months - 1))
    counts = {"statements": 0, "lines": 0, "payments": 0, "voluntary": 0, "months": 0}

    def phase(text):
        if stdout is not None and lines >= REINDEX_FROM:
            stdout.write(f"contributions: {text} ({time.monotonic() - started:.1f} s)")

    lines = 0
    with connection.cursor() as cursor:
        # Nothing else may file, pay or number receipts while ids and numbers are handed out.
        cursor.execute(f"LOCK TABLE {', '.join(LOADED_TABLES)}, contributions_receiptseries IN EXCLUSIVE MODE")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Temporary tables go at commit; a caller's outer transaction (a test) may run this twice.
        cursor.execute("DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{table}" for table in WORK_TABLES))
        if not _officers_load(cursor):
            if stdout is not None:
                stdout.write("contributions: no user to post the demo payments; skipped")
            return counts
        _periods_load(cursor, first, months)
        _jobs_load(cursor, first, last)
        statements, lines = _statements_plan(cursor, today)
        voluntary = _voluntary_plan(cursor, today)
        if not (statements or voluntary):
            return counts
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'contributions_statementline'")
        big = lines >= min(REINDEX_FROM, max(cursor.fetchone()[0], 1))
        phase(f"planned {statements:,} statements ({lines:,} lines), {voluntary:,} Section 39/40 payments")
        # Checks still pending in a caller's transaction (a test that just made the registry)
        # run now: a table with pending checks cannot have its constraints altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        restore = _load_constraints_drop(cursor, indexes=big)
        statement_base = ids_reserve(cursor, "contributions_statement", statements)
        payment_base = ids_reserve(cursor, "contributions_payment", statements + voluntary)
        payments, paid_months = _statements_insert(cursor, statement_base, payment_base) if statements else (0, 0)
        phase("statements, lines, payments and months")
        if voluntary:
            _voluntary_insert(cursor, payment_base + statements)
        receipts = _receipts_insert(cursor, payment_base, payment_base + statements + voluntary - 1)
        phase(f"{receipts:,} receipts")
        if restore:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in restore:
                cursor.execute(statement)
            phase("indexes and foreign keys made again")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are all initially deferred
        for table in LOADED_TABLES:
            cursor.execute(f"ANALYZE {table}")
        counts |= {
            "statements": statements,
            "lines": lines,
            "payments": payments + voluntary,
            "voluntary": voluntary,
            "months": paid_months + voluntary,
        }
    return counts
