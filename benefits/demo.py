"""Demo claims for the demo offices' insured persons, made through the real services.

    manage.py demo_data --benefit-claims 21

In each demo office (those of `sso.core.demo.DEMO_OFFICES`, whose demo officers do the work)
a set of scenarios is played over the last months, in time order: claims of each benefit
the persons' contribution history supports are recorded, examined, cross-checked (the back
office's `claim_verify`), decided, appealed and paid with `benefits.services`,
`benefits.backoffice`, `benefits.appeals` and `benefits.payments`, so every claim is what the
rules give, has its steps, documents and audit rows, and every payment order was made by an
approval or the monthly run. Bank batches are made, sent and confirmed every few weeks; the
monthly run makes the recurring months on the 1st of each month.

The services read the clock through `django.utils.timezone.now`; each action runs with that
clock set to its moment in the past (`_clock`), so recording times, steps, decisions, orders
and audit rows carry the dates the supervisors' reports (service times, monthly figures) read.

A scenario takes the first person of the office (by id) whom the rules answer as the scenario
needs (eligible, or refused with the scenario's code), one person per claim; a scenario no
person fits (an old-age pension needs 180 months of history, the demo holds 12 by default) is
left out. The old-age claims are lump sums for that reason.

Idempotent: an office that has any claim is left alone, so a second run adds nothing (and a
claim recorded by hand keeps the demo out of that office).
"""

import contextlib
import datetime
import time
from dataclasses import dataclass, field
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from benefits import appeals, backoffice, payments, rules, services
from benefits.models import Benefit, Claim, DocumentRequirement, PaymentBatch, PaymentOrder
from registry import selectors as registry
from sso.core.demo import DEMO_OFFICES, demo_username
from sso.core.models import Office, User
from sso.core.months import age_on, month_add, month_first

# Days back the history covers (the oldest claim is recorded about this long ago).
HISTORY_DAYS = 150
# Persons tried per scenario before it is left out: the first fitting one is usually among
# the first few; the limit keeps a scenario no one fits from reading a whole office.
TRIES = 60
# Bank batches: made (and sent) this many days ago, confirmed by the bank two days later;
# the last one is sent and not yet confirmed.
BATCH_DAYS = (112, 84, 56, 28, 6)
UNCONFIRMED_BATCH_DAYS = 6
PAID_OUT = ("paid", "approved")


@dataclass(frozen=True)
class Scenario:
    """One demo claim: the benefit, the person it needs, when it is recorded (days ago), and
    how far it goes (the final state and the appeal, if any)."""

    benefit: str
    kind: str  # which persons may fit: employed, employed_female, section40, left_work, older, deceased
    days_ago: int
    outcome: str  # recorded, examined, referred, approved, rejected, withdrawn, paid, paid_at_office
    refusal: str = ""  # rejected: the rules' refusal code wanted ("" = eligible, rejected by the officer)
    appeal: str = ""  # lodged, upheld, dismissed
    details: dict = field(default_factory=dict)


SCENARIOS = (
    Scenario(Benefit.SICKNESS, "employed", 126, "paid", details={"days_off": 5}),
    Scenario(Benefit.MATERNITY, "employed_female", 118, "paid", details={"children": 1}),
    Scenario(Benefit.INVALIDITY, "employed", 140, "approved", details={"severity": "severe"}),
    Scenario(Benefit.SICKNESS, "employed", 96, "paid", details={"days_off": 3, "medical_expenses": "1850"}),
    Scenario(
        Benefit.SICKNESS, "section40", 92, "rejected", refusal="section40", appeal="dismissed", details={"days_off": 4}
    ),  # fmt: skip
    Scenario(Benefit.DEATH, "deceased", 88, "paid"),
    Scenario(Benefit.SICKNESS, "employed", 74, "rejected", appeal="upheld", details={"days_off": 6}),
    Scenario(Benefit.DENTAL, "employed", 66, "paid", details={"amount": "700"}),
    Scenario(Benefit.SICKNESS, "unbanked", 62, "paid_at_office", details={"days_off": 2}),
    Scenario(Benefit.OLD_AGE, "older", 58, "paid"),
    Scenario(Benefit.UNEMPLOYMENT, "left_work", 0, "approved"),  # recorded soon after the leaving date
    Scenario(Benefit.SICKNESS, "employed", 40, "withdrawn", details={"days_off": 2}),
    Scenario(Benefit.MATERNITY, "employed_female", 35, "paid", details={"children": 1}),
    Scenario(Benefit.CHILD_ALLOWANCE, "parent", 24, "approved"),
    Scenario(Benefit.OLD_AGE, "young_left_work", 21, "rejected", refusal="too_young", appeal="lodged"),
    Scenario(Benefit.CHILD_ALLOWANCE, "parent_old_child", 16, "rejected", refusal="child_too_old"),
    Scenario(Benefit.MATERNITY, "unbanked_female", 12, "referred", details={"children": 1}),
    Scenario(Benefit.SICKNESS, "employed", 4, "approved", details={"days_off": 3}),
    Scenario(Benefit.DENTAL, "employed", 2, "examined", details={"amount": "900"}),
    Scenario(Benefit.SICKNESS, "employed", 1, "examined", details={"days_off": 2}),
    Scenario(Benefit.SICKNESS, "employed", 0, "recorded", details={"days_off": 1}),
)


def add_arguments(parser):
    parser.add_argument(
        "--benefit-claims",
        type=int,
        default=len(SCENARIOS),
        help=f"demo claims per demo office (the {len(SCENARIOS)} scenarios, repeated on other persons); 0: none",
    )


def seed(*, stdout=None, **options) -> None:
    wanted = options.get("benefit_claims")
    wanted = len(SCENARIOS) if wanted is None else wanted
    if wanted <= 0:
        return
    started = time.monotonic()
    made = claims_generate(claims=wanted)
    if stdout is not None:
        stdout.write(
            f"benefits: {made['claims']} new claims in {made['offices']} offices, {made['orders']} payment orders,"
            f" {made['batches']} bank batches in {time.monotonic() - started:.1f} s"
        )


# The clock --------------------------------------------------------------------------------


@contextlib.contextmanager
def _clock(at: datetime.datetime):
    """Run the services as if it were `at`: `timezone.now` (which the services, the automatic
    timestamps and the audit read) starts there and moves on a few milliseconds a call, so
    the records of one action keep their order."""
    ticks = iter(range(10**9))
    with mock.patch("django.utils.timezone.now", lambda: at + datetime.timedelta(milliseconds=7 * next(ticks))):
        yield


def _at(today: datetime.date, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    # Counters are closed at weekends: a weekend day becomes the Friday before.
    day -= datetime.timedelta(days=max(0, day.weekday() - 4))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# Who fits a scenario --------------------------------------------------------------------------


def _candidates(office_id: int, kind: str, today: datetime.date) -> list[int]:
    """Persons of the office who may fit a kind of scenario, oldest records first (the rules
    decide); a few queries over the registry's tables (`registry.selectors.sql_tables`)."""
    t = registry.sql_tables()
    employed = f"""EXISTS (SELECT 1 FROM {t.employment} e WHERE e.person_id = p.id AND e.ended_on IS NULL)
        AND EXISTS (SELECT 1 FROM {t.section_spell} s WHERE s.person_id = p.id AND s.section = '33'
                    AND s.valid_to IS NULL AND s.valid_from <= %(year_ago)s)"""
    not_employed = f"NOT EXISTS (SELECT 1 FROM {t.employment} e WHERE e.person_id = p.id AND e.ended_on IS NULL)"
    open_s33 = f"""EXISTS (SELECT 1 FROM {t.section_spell} s WHERE s.person_id = p.id AND s.section = '33'
                   AND s.valid_to IS NULL)"""
    where = {
        "employed": employed,
        "unbanked": employed,
        "parent": employed,
        "parent_old_child": employed,
        "employed_female": f"{employed} AND p.sex = 'F' AND p.birth_date > %(fifty_ago)s",
        "unbanked_female": f"{employed} AND p.sex = 'F' AND p.birth_date > %(fifty_ago)s",
        "section40": f"""EXISTS (SELECT 1 FROM {t.section_spell} s WHERE s.person_id = p.id AND s.section = '40'
                         AND s.valid_to IS NULL)""",
        "left_work": f"""{not_employed} AND NOT {open_s33} AND p.died_on IS NULL AND EXISTS (
                         SELECT 1 FROM {t.employment} e WHERE e.person_id = p.id
                         AND e.ended_on BETWEEN %(history)s AND %(week_ago)s
                         AND e.leaving_reason IN ('laid_off', 'resigned', 'contract_ended'))""",
        "older": f"{not_employed} AND NOT {open_s33} AND p.died_on IS NULL AND p.birth_date <= %(old)s",
        "young_left_work": f"{not_employed} AND NOT {open_s33} AND p.died_on IS NULL AND p.birth_date > %(old)s",
        "deceased": "p.died_on BETWEEN %(year_ago)s AND %(today)s",
    }[kind]
    sql = f"""SELECT p.id FROM {t.person} p WHERE p.office_id = %(office)s AND p.status <> 'merged' AND {where}
              ORDER BY p.id LIMIT %(limit)s"""
    params = {
        "office": office_id,
        "today": today,
        "week_ago": today - datetime.timedelta(days=8),
        "year_ago": today - datetime.timedelta(days=365),
        "history": today - datetime.timedelta(days=HISTORY_DAYS),
        "fifty_ago": today.replace(year=today.year - 45),
        "old": today.replace(year=today.year - 56),
        "limit": 20 * TRIES,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Plan:
    """A scenario matched to a person: what the counter records, and when."""

    scenario: Scenario
    person: object
    event_date: datetime.date
    recorded_at: datetime.datetime
    details: dict
    dependant: object = None


def _event_and_record(scenario: Scenario, person, today: datetime.date):
    """The event date and the recording day of a scenario for a person (None: does not fit)."""
    # Never later than a few minutes ago (today's scenarios when the demo runs early).
    latest = timezone.now() - datetime.timedelta(minutes=30)
    recorded = min(latest, _at(today, scenario.days_ago, 9 + scenario.days_ago % 7, (scenario.days_ago * 13) % 60))
    day = timezone.localdate(recorded)
    if scenario.benefit == Benefit.UNEMPLOYMENT:
        leaving = registry.employment_last_ended(person.pk)
        if leaving is None:
            return None
        recorded = min(latest, _at(today, max(0, (today - leaving.ended_on).days - 12), 10, 20))
        return leaving.ended_on, recorded
    if scenario.benefit == Benefit.DEATH:
        return person.died_on, min(latest, max(recorded, _at(today, (today - person.died_on).days - 9, 11)))
    if scenario.benefit in (Benefit.SICKNESS, Benefit.DENTAL):
        return day - datetime.timedelta(days=2 + scenario.details.get("days_off", 0)), recorded
    if scenario.benefit == Benefit.MATERNITY:
        return day - datetime.timedelta(days=20), recorded
    if scenario.benefit == Benefit.INVALIDITY:
        return day - datetime.timedelta(days=30), recorded
    return day, recorded


def _details(scenario: Scenario, person, event_date, recorded_at) -> dict:
    details = dict(scenario.details)
    if scenario.benefit == Benefit.UNEMPLOYMENT:
        # Registered with the Employment Department a few days after leaving (within the 30).
        details["registered_on"] = (event_date + datetime.timedelta(days=5)).isoformat()
    return details


def _children(person, scenario: Scenario, event_date):
    if not scenario.kind.startswith("parent"):
        return [None]
    young = scenario.kind == "parent"
    return [
        child
        for child in registry.dependants_of(person)
        if child.kind == registry.DependantKind.CHILD
        and child.died_on is None
        and (age_on(child.birth_date, event_date) < 6) == young
    ]


def _fits(scenario: Scenario, outcome) -> bool:
    if scenario.refusal:
        return outcome.eligible is False and outcome.refusal_code == scenario.refusal
    return outcome.eligible is True and outcome.amount is not None and outcome.amount > 0 and not outcome.missing


def _plan(scenario: Scenario, office_id: int, officer, used: set, today: datetime.date) -> Plan | None:
    """The first person of the office who fits the scenario, as the rules answer it."""
    tried = 0
    unbanked = scenario.kind.startswith("unbanked")
    # Paid by transfer: an open account (the back office finds none otherwise); the unbanked
    # scenarios are those the back office finds without one. A death is paid to the survivors.
    banked = scenario.benefit != Benefit.DEATH and (scenario.outcome in PAID_OUT or scenario.appeal == "upheld")
    for person_id in _candidates(office_id, scenario.kind, today):
        if person_id in used:
            continue
        if (unbanked or banked) and registry.bank_account_open_exists(person_id) == unbanked:
            continue
        tried += 1
        if tried > TRIES:
            return None
        person = registry.person_for_claims_get(person_id, officer)
        when = _event_and_record(scenario, person, today)
        if when is None:
            continue
        event_date, recorded_at = when
        if event_date is None or event_date > timezone.localdate(recorded_at):
            continue
        details = _details(scenario, person, event_date, recorded_at)
        for dependant in _children(person, scenario, event_date):
            if scenario.kind.startswith("parent") and dependant is None:
                continue
            outcome = rules.examine(
                person=person,
                benefit=scenario.benefit,
                event_date=event_date,
                details={"today": timezone.localdate(recorded_at).isoformat(), **details},
                dependant=dependant,
            )
            if _fits(scenario, outcome):
                used.add(person_id)
                return Plan(scenario, person, event_date, recorded_at, details, dependant)
    return None


# Playing the scenarios ---------------------------------------------------------------------------


@dataclass
class Officers:
    counter: User
    verifier: User
    supervisor: User


def _officers(prefix: str) -> Officers | None:
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[
                demo_username(prefix, role) for role in ("counter_officer", "backoffice_verifier", "supervisor")
            ]
        ).select_related("office")
    }
    try:
        return Officers(
            users[demo_username(prefix, "counter_officer")],
            users[demo_username(prefix, "backoffice_verifier")],
            users[demo_username(prefix, "supervisor")],
        )
    except KeyError:
        return None


def _codes(benefit: str, on: datetime.date | None = None) -> list[str]:
    return list(
        DocumentRequirement.objects.in_force(on or timezone.localdate())
        .filter(benefit=benefit)
        .values_list("code", flat=True)
    )


def _claim_actions(plan: Plan, staff: Officers) -> list[tuple[datetime.datetime, object]]:
    """The timed actions of one scenario: (moment, function of no arguments)."""
    s = plan.scenario
    t0 = plan.recorded_at
    minutes = datetime.timedelta(minutes=1)
    days = datetime.timedelta(days=1)
    state = {}

    def record():
        presented = [] if s.outcome == "examined" else _codes(s.benefit)
        state["claim"] = services.claim_record(
            officer=staff.counter,
            person=plan.person,
            benefit=s.benefit,
            event_date=plan.event_date,
            details=plan.details,
            dependant=plan.dependant,
            presented=presented,
        )

    def examine():
        state["claim"] = services.claim_examine(claim=state["claim"], officer=staff.counter)

    def verify():
        # What the Celery task queued on commit does (it runs again later, changing nothing).
        backoffice.claim_verify(claim_id=state["claim"].pk)

    def approve():
        state["claim"] = services.claim_adjudicate(claim=state["claim"], officer=staff.counter, approve=True)

    def reject():
        note = (
            "ใบรับรองแพทย์ไม่ระบุวันหยุดงาน / The medical certificate does not state the days off work"
            if not s.refusal
            else "ไม่เป็นไปตามเงื่อนไขการรับประโยชน์ทดแทน / The conditions of the benefit are not met"
        )
        state["claim"] = services.claim_adjudicate(
            claim=state["claim"], officer=staff.counter, approve=False, note=note
        )

    def refer():
        services.claim_refer(
            claim=state["claim"],
            officer=staff.counter,
            note="ไม่มีบัญชีธนาคารในทะเบียน ตรวจสอบก่อนจ่าย / No bank account on record: check before paying",
        )

    def withdraw():
        services.claim_withdraw(claim=state["claim"], officer=staff.counter, note="ผู้ประกันตนขอถอนคำขอ / Withdrawn")

    def clear_findings():
        for finding in state["claim"].findings.filter(status="open"):
            backoffice.finding_clear(
                finding=finding, officer=staff.verifier, note="จ่ายเป็นเงินสดที่สำนักงาน / To be paid in cash at the office"
            )

    def pay_at_office():
        for order in PaymentOrder.objects.filter(claim=state["claim"], status=PaymentOrder.Status.PENDING):
            payments.order_pay_at_office(order=order, officer=staff.verifier, method=PaymentOrder.Method.CASH)

    def lodge():
        state["appeal"] = appeals.appeal_lodge(
            claim=state["claim"],
            officer=staff.counter,
            grounds="ผู้ประกันตนโต้แย้งคำวินิจฉัย / The person disputes the decision",
        )

    def decide(uphold):
        note = "คณะกรรมการอุทธรณ์พิจารณาแล้ว / Considered by the Appeals Committee"
        return lambda: appeals.appeal_decide(appeal=state["appeal"], officer=staff.supervisor, uphold=uphold, note=note)

    actions = [(t0, record)]
    if s.outcome == "recorded":
        return actions
    actions += [(t0 + 2 * minutes, examine), (t0 + 3 * minutes, verify)]
    if s.outcome == "examined":
        return actions
    if s.outcome == "withdrawn":
        return [*actions, (t0 + 1 * days + 60 * minutes, withdraw)]
    if s.outcome == "referred":
        return [*actions, (t0 + 6 * minutes, refer)]
    if s.outcome == "rejected":
        actions.append((t0 + 7 * minutes, reject))
        if s.appeal:
            actions.append((t0 + 6 * days, lodge))
        if s.appeal in ("upheld", "dismissed"):
            actions.append((t0 + 27 * days, decide(s.appeal == "upheld")))
        return actions
    actions.append((t0 + 8 * minutes, approve))
    if s.outcome == "paid_at_office":
        actions += [(t0 + 2 * days, clear_findings), (t0 + 3 * days, pay_at_office)]
    return actions


def _payment_actions(office, staff: Officers, today: datetime.date, first_day: datetime.date):
    """The monthly runs (the 1st of each month, 01:00) and the bank batches of the office."""
    actions = []
    month = month_add(month_first(first_day), 1)
    # Each office's run at its own minute: the run writes the audit rows of the orders made
    # at its moment (`monthly_run`), which must not be another office's run's moment too.
    minute = datetime.time(1, office.pk % 60)
    while month <= today:
        at = timezone.make_aware(datetime.datetime.combine(month, minute))
        actions.append((at, lambda month=month: payments.monthly_run(month=month, officer=None, office=office)))
        month = month_add(month, 1)
    for days_ago in BATCH_DAYS:
        made = _at(today, days_ago, 15, 30)
        confirm = None if days_ago == UNCONFIRMED_BATCH_DAYS else made + datetime.timedelta(days=2, hours=-5)
        actions.append((made, lambda confirm=confirm, made=made: _batches(office, staff, confirm, made)))
    return actions


def _batches(office, staff: Officers, confirm_at, made_at) -> None:
    """A batch for each bank with transfers waiting, sent at once; confirmed by the bank
    (every transfer paid) two days later, except the last one, still with the bank."""
    bank_ids = (
        PaymentOrder.objects.filter(
            claim__office=office, status=PaymentOrder.Status.PENDING, method=PaymentOrder.Method.TRANSFER
        )
        .values_list("bank_id", flat=True)
        .distinct()
        .order_by("bank_id")
    )
    banks = registry.banks().in_bulk(list(bank_ids))
    for bank in banks.values():
        pay_on = timezone.localdate(made_at) + datetime.timedelta(days=2)
        batch = payments.batch_make(office=office, bank=bank, pay_on=pay_on, officer=staff.verifier)
        payments.batch_mark_sent(batch=batch, officer=staff.verifier)
        if confirm_at is None:
            continue
        lines = [
            f"{order_id},PAID,B{bank.code}{confirm_at:%y%m%d}{order_id:07d},"
            for order_id in batch.orders.order_by("id").values_list("id", flat=True)
        ]
        with _clock(confirm_at):
            result = payments.confirmation_import(
                batch=batch, content="\r\n".join(lines).encode(), officer=staff.verifier
            )
        if result.errors:
            raise RuntimeError(f"benefits demo: the bank's confirmation was refused: {result.errors[:3]}")
        confirm_at += datetime.timedelta(minutes=3)


@transaction.atomic
def claims_generate(*, claims: int = len(SCENARIOS), today: datetime.date | None = None) -> dict:
    """The demo claims of every demo office that has none yet (see the module's docstring).
    Returns how many claims, orders and batches were made, and in how many offices."""
    today = today or timezone.localdate()
    counts = {"claims": 0, "orders": 0, "batches": 0, "offices": 0}
    orders_before = PaymentOrder.objects.count()
    batches_before = PaymentBatch.objects.count()
    scenarios = [SCENARIOS[n % len(SCENARIOS)] for n in range(claims)]
    for code, *_rest, prefix in DEMO_OFFICES:
        office = Office.objects.filter(code=code).first()
        staff = _officers(prefix)
        if office is None or staff is None or Claim.objects.filter(office=office).exists():
            continue
        used: set = set()
        actions = []
        for scenario in scenarios:
            plan = _plan(scenario, office.pk, staff.counter, used, today)
            if plan is not None:
                actions += _claim_actions(plan, staff)
        if not actions:
            continue
        first_day = timezone.localdate(min(at for at, _action in actions))
        actions += _payment_actions(office, staff, today, first_day)
        now = timezone.now()
        for at, action in sorted(actions, key=lambda item: item[0]):
            with _clock(min(at, now)):
                action()
        counts["claims"] += Claim.objects.filter(office=office).count()
        counts["offices"] += 1
    counts["orders"] = PaymentOrder.objects.count() - orders_before
    counts["batches"] = PaymentBatch.objects.count() - batches_before
    return counts
