"""The back office's cross-checks of accepted statements and the verifier's resolutions.
(The reimbursements they request are `contributions.services.reimbursements`.)

`statement_verify` runs in Celery after a statement is accepted and again after it is paid.
Every check is one set-based SQL statement over the statement's lines (a 10,000-line
statement verifies in well under a second) that inserts its findings with
`ON CONFLICT DO NOTHING` on the finding's unique key: a retried or redelivered task finds
nothing new. Findings and reimbursements made here carry audit rows with no officer (the
system) from the statement's office.

The checks join the registry's tables (persons, employment spells, branches, employers) in
the same statements as the lines, which is what keeps them set-based: reading the registry
through its selectors row by row, or copying it first, would cost a query per line or a
second pass. The registry still owns those tables: their names come from
`registry.selectors.sql_tables()` (from the registry's models), never from importing
`registry.models` here, so the only thing these checks assume is the columns they read.
"""

import datetime
import json
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from contributions import rules
from contributions.lifecycles import FINDING
from contributions.models import (
    ContributionMonth,
    Finding,
    Payment,
    Receipt,
    Reimbursement,
    Statement,
    StatementLine,
)
from registry.selectors import Section, sql_tables
from sso.core.audit import history_copy
from sso.core.models import Office
from sso.core.months import month_add, month_index
from sso.core.records import refuse, stamp

ZERO = Decimal("0.00")

# The cross-check's figures are a dated row (`CollectionRule`, `rules.collection_rule_for`):
# a wage more than `wage_outlier_factor` times the person's usual wage, or less than that
# wage divided by it, is shown to a verifier (3 flags a wage tripled or cut to a third:
# raises and cuts of that size are rare and are where keying errors, an extra zero or a
# daily wage keyed as monthly, and under-declaration show; SSO practice, not the Act); the
# usual wage is the median of the actual wages filed in the `wage_history_months` months
# before the wage period (the median, so that one odd month does not move it); Section 33
# cover for a person aged `over_age_years` or more on the first day of the period is checked.
# Two statements of one wage period paid at once both look for above-ceiling pay: the step
# is serialised per wage period with this advisory lock (the second key is the period).
_ABOVE_CEILING_LOCK = 3301


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _audit_rows(model, ids: list[int], *, office_id, when) -> None:
    """The audit rows of rows made here in SQL: no officer (the system's own work)."""
    if ids:
        history_copy(model, ids, history_type="+", officer=None, when=when, office_id=office_id)


# The cross-checks ----------------------------------------------------------------------
#
# Each returns (SQL, params) of a SELECT of (line_id, person_id, detail jsonb): the findings
# of one kind. The common parameters are those of `_params`.

_LINE = _table(StatementLine)
_REGISTRY = sql_tables()
_PERSON = _REGISTRY.person
_EMPLOYMENT = _REGISTRY.employment
_BRANCH = _REGISTRY.branch
_EMPLOYER = _REGISTRY.employer
_MONTH = _table(ContributionMonth)
_PAYMENT = _table(Payment)
_RECEIPT = _table(Receipt)
_REIMBURSEMENT = _table(Reimbursement)

# An employment spell of the person at the statement's employer that overlaps the wage period.
_COVERS = (
    f"SELECT 1 FROM {_EMPLOYMENT} e WHERE e.person_id = l.person_id AND e.employer_id = %(employer)s"
    " AND e.started_on <= %(period_end)s AND (e.ended_on IS NULL OR e.ended_on >= %(period)s)"
)


def _params(statement: Statement) -> dict:
    period = statement.period
    rule = rules.collection_rule_for(period)
    return {
        "statement": statement.pk,
        "employer": statement.employer_id,
        "branch": statement.branch_id,
        "period": period,
        "period_end": month_add(period, 1) - datetime.timedelta(days=1),
        "history_from": month_add(period, -rule.wage_history_months),
        "factor": rule.wage_outlier_factor.normalize(),
        "age_cutoff": period.replace(year=period.year - rule.over_age_years),
        "s33": Section.S33,
    }


def _not_employed():
    """Lines of persons whose employment by this employer does not reach into the wage period
    (the counter checked it, but a later SSO 6-09 or a corrected hire date can change it)."""
    return (
        "SELECT l.id, l.person_id, jsonb_build_object("
        " 'period', %(period)s::date, 'wage', l.wage::text,"
        " 'employments', COALESCE((SELECT jsonb_agg(jsonb_build_object("
        "   'branch', b.number, 'started_on', e.started_on, 'ended_on', e.ended_on) ORDER BY e.started_on)"
        f"  FROM {_EMPLOYMENT} e JOIN {_BRANCH} b ON b.id = e.branch_id"
        "   WHERE e.person_id = l.person_id AND e.employer_id = %(employer)s), '[]'::jsonb))"
        f" FROM {_LINE} l WHERE l.statement_id = %(statement)s AND NOT EXISTS ({_COVERS})"
    )


def _other_branch():
    """Lines of persons employed by this employer in the period, but not at this branch."""
    return (
        "SELECT l.id, l.person_id, jsonb_build_object("
        " 'period', %(period)s::date,"
        f" 'branch', (SELECT number FROM {_BRANCH} WHERE id = %(branch)s),"
        " 'employments', (SELECT jsonb_agg(jsonb_build_object("
        "   'branch', b.number, 'started_on', e.started_on, 'ended_on', e.ended_on) ORDER BY e.started_on)"
        f"  FROM {_EMPLOYMENT} e JOIN {_BRANCH} b ON b.id = e.branch_id"
        "   WHERE e.person_id = l.person_id AND e.employer_id = %(employer)s"
        "   AND e.started_on <= %(period_end)s AND (e.ended_on IS NULL OR e.ended_on >= %(period)s)))"
        f" FROM {_LINE} l WHERE l.statement_id = %(statement)s AND EXISTS ({_COVERS})"
        f" AND NOT EXISTS ({_COVERS} AND e.branch_id = %(branch)s)"
    )


def _wage_outlier():
    """Lines whose wage is more than the rule's `wage_outlier_factor` times the person's usual wage or
    less than that fraction of it. The usual wage is the median of the actual
    wages filed for the Section 33 months paid in the rule's `wage_history_months` months before
    (the months' contribution wages stop at the ceiling, the filed wages do not); with no
    paid month, the monthly wage registered for the employment (SSO 1-03), if any. Persons
    with neither are skipped."""
    return (
        "WITH history AS ("
        "  SELECT m.person_id, count(*) AS months,"
        "   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY h.wage)::numeric, 2) AS median"
        f"  FROM {_MONTH} m JOIN {_PAYMENT} p ON p.id = m.payment_id"
        f"  JOIN {_LINE} h ON h.statement_id = p.statement_id AND h.person_id = m.person_id"
        "  WHERE m.section = %(s33)s AND m.period >= %(history_from)s AND m.period < %(period)s"
        f"  AND m.person_id IN (SELECT person_id FROM {_LINE} WHERE statement_id = %(statement)s)"
        "  GROUP BY m.person_id),"
        " usual AS ("
        "  SELECT l.id, l.person_id, l.wage, h.months,"
        "   COALESCE(h.median, ("
        f"    SELECT e.monthly_wage FROM {_EMPLOYMENT} e WHERE e.person_id = l.person_id"
        "     AND e.employer_id = %(employer)s AND e.started_on <= %(period_end)s"
        "     ORDER BY e.started_on DESC LIMIT 1)) AS usual,"
        "   CASE WHEN h.median IS NULL THEN 'registered_wage' ELSE 'history' END AS basis"
        f"  FROM {_LINE} l LEFT JOIN history h ON h.person_id = l.person_id"
        "  WHERE l.statement_id = %(statement)s)"
        " SELECT id, person_id, jsonb_build_object("
        "  'wage', wage::text, 'usual_wage', usual::text, 'basis', basis, 'months', COALESCE(months, 0),"
        "  'factor', %(factor)s::text)"
        " FROM usual WHERE usual > 0 AND (wage > usual * %(factor)s OR wage * %(factor)s < usual)"
    )


def _over_age():
    """Lines of persons aged the rule's `over_age_years` or more on the first day of the wage period
    and paid for under Section 33."""
    return (
        "SELECT l.id, l.person_id, jsonb_build_object("
        " 'birth_date', p.birth_date, 'age', date_part('year', age(%(period)s::date, p.birth_date))::int,"
        " 'period', %(period)s::date)"
        f" FROM {_LINE} l JOIN {_PERSON} p ON p.id = l.person_id"
        " WHERE l.statement_id = %(statement)s AND p.birth_date <= %(age_cutoff)s"
    )


def _deceased():
    """Lines of persons who died before the wage period. (A deceased status always has its
    date, by the person's check constraint; a death during the period leaves a part-month's
    wage, which is normal.)"""
    return (
        "SELECT l.id, l.person_id, jsonb_build_object("
        " 'died_on', p.died_on, 'status', p.status, 'period', %(period)s::date, 'wage', l.wage::text)"
        f" FROM {_LINE} l JOIN {_PERSON} p ON p.id = l.person_id"
        " WHERE l.statement_id = %(statement)s AND p.died_on < %(period)s"
    )


def _duplicate_payment():
    """The statement paid more than once (a bank, a post office or the internet posts a
    second payment; `statement_pay` requests its reimbursement): one finding for the verifier."""
    return (
        "SELECT NULL::bigint, NULL::bigint, jsonb_build_object("
        " 'payments', jsonb_agg(jsonb_build_object("
        "   'receipt', o.code || '-' || r.year || '-' || lpad(r.number::text, 7, '0'),"
        "   'amount', p.amount::text, 'paid_on', p.paid_on, 'channel', p.channel) ORDER BY p.posted_at, p.id),"
        " 'reimbursed', COALESCE(sum(x.amount), 0)::text)"
        f" FROM {_PAYMENT} p LEFT JOIN {_RECEIPT} r ON r.payment_id = p.id"
        f" LEFT JOIN {_table(Office)} o ON o.id = r.office_id"
        f" LEFT JOIN {_REIMBURSEMENT} x ON x.payment_id = p.id AND x.kind = 'duplicate_payment'"
        " WHERE p.statement_id = %(statement)s AND p.status = 'posted'"
        " HAVING count(*) > 1"
    )


_CHECKS = (
    (Finding.Kind.NOT_EMPLOYED, _not_employed),
    (Finding.Kind.OTHER_BRANCH, _other_branch),
    (Finding.Kind.WAGE_OUTLIER, _wage_outlier),
    (Finding.Kind.OVER_AGE, _over_age),
    (Finding.Kind.DECEASED, _deceased),
)


def _findings_insert(kind: str, select_sql: str, params: dict, when) -> list[int]:
    """Insert the findings the SELECT finds; those already made (the unique key of statement,
    kind and person) are left alone. Returns the ids of the new ones."""
    sql = (
        f"INSERT INTO {_table(Finding)} (statement_id, line_id, person_id, kind, detail, status, found_at,"
        " resolution_note)"
        f" SELECT %(statement)s, c.line_id, c.person_id, %(kind)s, c.detail, 'open', %(when)s, ''"
        f" FROM ({select_sql}) AS c (line_id, person_id, detail)"
        " ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "kind": kind, "when": when})
        return [row[0] for row in cursor.fetchall()]


def _above_ceiling_candidates(statement: Statement) -> list[tuple]:
    """Persons of this statement paid for its wage period by two or more employers whose
    contribution wages together exceed the ceiling: (person, line, own payment, wages,
    employee share paid, employers as JSON). Per employer, the latest payment counts (an
    amending statement's, if paid)."""
    sql = (
        "WITH months AS ("
        "  SELECT DISTINCT ON (m.person_id, m.employer_id) m.person_id, m.employer_id, m.wage, m.amount,"
        "   m.payment_id, p.statement_id"
        f"  FROM {_MONTH} m JOIN {_PAYMENT} p ON p.id = m.payment_id"
        "  WHERE m.period = %(period)s AND m.section = %(s33)s AND p.status = 'posted'"
        f"  AND m.person_id IN (SELECT person_id FROM {_LINE} WHERE statement_id = %(statement)s)"
        "  ORDER BY m.person_id, m.employer_id, m.payment_id DESC)"
        " SELECT m.person_id,"
        f"  (SELECT id FROM {_LINE} WHERE statement_id = %(statement)s AND person_id = m.person_id),"
        "  max(CASE WHEN m.statement_id = %(statement)s THEN m.payment_id END),"
        "  sum(m.wage), sum(m.amount),"
        "  jsonb_agg(jsonb_build_object('employer', e.account_number, 'wage', m.wage::text,"
        "   'employee_share', m.amount::text) ORDER BY e.account_number)"
        f" FROM months m JOIN {_EMPLOYER} e ON e.id = m.employer_id"
        " GROUP BY m.person_id"
        " HAVING count(*) > 1 AND sum(m.wage) > %(ceiling)s"
        "  AND max(CASE WHEN m.statement_id = %(statement)s THEN m.payment_id END) IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(statement), "ceiling": statement.wage_ceiling})
        return cursor.fetchall()


def _above_ceiling(statement: Statement, when) -> tuple[list[int], list[int]]:
    """Reimburse each person the employee share paid above the share on the ceiling, once
    per person and wage period: a later run, or the other employer's statement, requests only
    what is not requested yet (a rejected request counts as decided). Returns the ids of the
    new findings and reimbursements."""
    if not _above_ceiling_candidates(statement):
        return [], []
    period = statement.period
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ABOVE_CEILING_LOCK, month_index(period)])
    candidates = _above_ceiling_candidates(statement)  # again: what the other holder committed counts now
    due = rules.line_compute(statement.wage_ceiling, statement).employee
    requested = dict(
        Reimbursement.objects.filter(
            kind=Reimbursement.Kind.ABOVE_CEILING, period=period, person_id__in=[row[0] for row in candidates]
        )
        .values("person_id")
        .annotate(total=Sum("amount"))
        .values_list("person_id", "total")
    )
    new, findings = [], []
    for person_id, line_id, payment_id, wages, paid, employers in candidates:
        excess = paid - due
        amount = excess - requested.get(person_id, ZERO)
        if amount <= 0:
            continue
        new.append(
            Reimbursement(
                office_id=statement.office_id,
                kind=Reimbursement.Kind.ABOVE_CEILING,
                person_id=person_id,
                payment_id=payment_id,
                period=period,
                amount=amount,
            )
        )
        findings.append(
            (
                line_id,
                person_id,
                {
                    # Django leaves jsonb from a raw cursor as text.
                    "employers": json.loads(employers) if isinstance(employers, str) else employers,
                    "wages": str(wages),
                    "ceiling": str(statement.wage_ceiling),
                    "paid": str(paid),
                    "due": str(due),
                    "excess": str(excess),
                    "reimbursed": str(amount),
                },
            )
        )
    if not new:
        return [], []
    created = Reimbursement.objects.bulk_create(new)
    for (_line, _person, detail), reimbursement in zip(findings, created, strict=True):
        detail["reimbursement"] = reimbursement.pk
    select = "SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(line_id bigint, person_id bigint, detail jsonb)"
    rows = json.dumps([{"line_id": line, "person_id": person, "detail": detail} for line, person, detail in findings])
    finding_ids = _findings_insert(Finding.Kind.ABOVE_CEILING, select, {"statement": statement.pk, "rows": rows}, when)
    return finding_ids, [reimbursement.pk for reimbursement in created]


@transaction.atomic
def statement_verify(*, statement_id: int) -> str:
    """Cross-check a statement against the registry and the person's history and, once it
    is paid, look for overpayments. Safe to re-run: each finding and reimbursement is made
    once. Returns the statement's verification state."""
    statement = Statement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        return "missing"
    if statement.status == Statement.Status.VOID:
        return statement.verification
    when = timezone.now()
    params = _params(statement)
    finding_ids = []
    for kind, check in _CHECKS:
        finding_ids += _findings_insert(kind, check(), params, when)
    reimbursement_ids = []
    if statement.status == Statement.Status.PAID:
        finding_ids += _findings_insert(Finding.Kind.DUPLICATE_PAYMENT, _duplicate_payment(), params, when)
        found, reimbursement_ids = _above_ceiling(statement, when)
        finding_ids += found
    _audit_rows(Finding, finding_ids, office_id=statement.office_id, when=when)
    _audit_rows(Reimbursement, reimbursement_ids, office_id=statement.office_id, when=when)

    verification = _verification_of(statement)
    if verification != statement.verification:
        statement.verification = verification
        statement.verified_at = when
        stamp(statement, None).save(update_fields=["verification", "verified_at"])
    else:
        # verified_at is not audited: no history row for a re-run that changed nothing.
        Statement.objects.filter(pk=statement.pk).update(verified_at=when)
    return verification


def _verification_of(statement: Statement) -> str:
    states = set(statement.findings.values_list("status", flat=True).distinct())
    if Finding.Status.OPEN in states:
        return Statement.Verification.FINDINGS
    return Statement.Verification.RESOLVED if states else Statement.Verification.CLEAR


# The verifier's resolutions ---------------------------------------------------------------

RESOLUTIONS = (Finding.Status.ACCEPTED, Finding.Status.CORRECTED, Finding.Status.REFERRED)


def _resolution_check(statement: Statement, status: str, note: str):
    if status not in RESOLUTIONS:
        refuse("status", _("Choose accept, correct or refer."), "invalid_choice")
    if status == Finding.Status.REFERRED and not note:
        refuse("note", _("Say to which unit the finding is referred, and why."), "required")
    if (
        status == Finding.Status.CORRECTED
        and not Statement.objects.filter(amends=statement).exclude(status=Statement.Status.VOID).exists()
    ):
        refuse(
            "status",
            _("No amending statement has been filed for this statement: file it at the counter first."),
            "no_amendment",
        )


def _statement_settle(statement: Statement, officer) -> None:
    """The statement's verification becomes resolved when its last open finding is."""
    if (
        statement.verification == Statement.Verification.FINDINGS
        and not statement.findings.filter(status=Finding.Status.OPEN).exists()
    ):
        statement.verification = Statement.Verification.RESOLVED
        stamp(statement, officer).save(update_fields=["verification"])


@transaction.atomic
def finding_resolve(*, finding: Finding, officer, status: str, note: str = "") -> Finding:
    """Resolve one finding: accepted as filed, corrected by an amending statement (filed at
    the counter first), or referred to another unit (with a note saying where and why)."""
    note = (note or "").strip()
    # The statement first: two verifiers resolving its last two findings see each other's.
    statement = Statement.objects.select_for_update().get(pk=finding.statement_id)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != Finding.Status.OPEN:
        refuse("status", _("This finding is already resolved."), "already_resolved")
    _resolution_check(statement, status, note)
    finding.resolved_at = timezone.now()
    finding.resolved_by = officer
    finding.resolution_note = note
    FINDING.move(
        finding, status, officer=officer, reason=note, update_fields=["resolved_at", "resolved_by", "resolution_note"]
    )
    _statement_settle(statement, officer)
    return finding


@transaction.atomic
def findings_accept(*, statement: Statement, kind: str, officer, note: str = "") -> int:
    """Accept as filed every open finding of one kind on a statement; returns how many."""
    if kind not in Finding.Kind.values:
        refuse("kind", _("Choose a kind of finding."), "invalid_choice")
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    accepted = Finding.Status.ACCEPTED
    findings = list(
        Finding.objects.select_for_update().filter(statement=statement, kind=kind, status__in=FINDING.sources(accepted))
    )
    if not findings:
        refuse("kind", _("No open finding of this kind is left on the statement."), "none_open")
    now, note = timezone.now(), (note or "").strip()
    for finding in findings:
        finding.status = accepted
        finding.resolved_at = now
        finding.resolved_by = officer
        finding.resolution_note = note
    bulk_update_with_history(
        findings,
        Finding,
        ["status", "resolved_at", "resolved_by", "resolution_note"],
        default_user=officer,
        default_change_reason=note or None,
        custom_historical_attrs={"history_office_id": getattr(officer, "office_id", None)},
    )
    _statement_settle(statement, officer)
    return len(findings)
