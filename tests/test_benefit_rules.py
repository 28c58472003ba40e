"""The benefit rules: one table per benefit, at the edges of each rule (the threshold, one
month short, gaps, the cover after leaving, the ceiling change of 2026, Section 39 persons),
with the contribution history written directly as `ContributionMonth` rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from benefits import rules
from benefits.models import Benefit, BenefitParameter, Claim
from benefits.rules.history import daily_wage, qualifying_months
from benefits.rules.parameters import parameter
from benefits.rules.working import money_round
from contributions.models import ContributionMonth, Payment
from registry.models import Branch, Dependant, Employer, Employment, InsuredPerson, SectionSpell
from sso.core.months import month_add
from tests.factories import OfficeFactory, StaffFactory, pin_make, tax_id_make

D = Decimal
day = datetime.date.fromisoformat
EVENT = "2026-03-02"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_benefit_parameters():
    rules.rules_cache_clear()
    yield
    rules.rules_cache_clear()


@pytest.fixture
def world(db):
    return World()


def _periods(first: str, last: str) -> list[datetime.date]:
    start, end = day(first + "-01"), day(last + "-01")
    periods = []
    while start <= end:
        periods.append(start)
        start = month_add(start, 1)
    return periods


class World:
    """One insured person with a section history, paid months, employments, children and
    earlier claims, built from a compact description."""

    def __init__(self):
        self.office = OfficeFactory(code="1001")
        self.officer = StaffFactory(username="h6-officer", office=self.office)
        self.count = 0
        self._employer = None

    def person(self, *, spells=(("33", "2015-01-01", None),), birth="1990-01-01", died=None, sex="F"):
        self.count += 1
        person = InsuredPerson.objects.create(
            national_id=pin_make(600 + self.count),
            title="005",
            first_name_th="สมศรี",
            last_name_th="ทดสอบ",
            birth_date=day(birth),
            sex=sex,
            office=self.office,
            registered_on=day("2015-01-01"),
            status=InsuredPerson.Status.DECEASED if died else InsuredPerson.Status.ACTIVE,
            died_on=day(died) if died else None,
        )
        for section, start, end in spells:
            SectionSpell.objects.create(
                person=person,
                section=section,
                s40_option=1 if section == "40" else None,
                valid_from=day(start),
                valid_to=day(end) if end else None,
            )
        return person

    def months(self, person, first: str, last: str, wage="15000", section="33", employer=None):
        """Paid months from `first` to `last` (YYYY-MM), under one payment."""
        periods = _periods(first, last)
        payment = Payment.objects.create(
            office=self.office,
            kind=Payment.Kind.SECTION39,
            person=person,
            period_from=periods[0],
            period_to=periods[-1],
            method=Payment.Method.CASH,
            contribution_amount=0,
            amount=0,
            paid_on=periods[-1],
            posted_by=self.officer,
        )
        ContributionMonth.objects.bulk_create(
            ContributionMonth(
                person=person,
                period=period,
                section=section,
                employer=employer,
                wage=D(wage),
                amount=0,
                payment=payment,
            )
            for period in periods
        )

    def history(self, person, rows):
        for row in rows:
            self.months(person, *row)

    @property
    def employer(self):
        if self._employer is None:
            self._employer = Employer.objects.create(
                name_th="บริษัท ทดสอบ จำกัด",
                name_en="Test Co Ltd",
                account_number="1000000601",
                tax_id=tax_id_make(601),
                province=self.office.province,
                responsible_office=self.office,
                registered_on=day("2010-01-01"),
            )
            Branch.objects.create(
                employer=self._employer, number="000000", name="Head office", province=self.office.province
            )
        return self._employer

    def employment(self, person, started: str, ended: str | None = None, reason: str = ""):
        return Employment.objects.create(
            person=person,
            employer=self.employer,
            branch=self.employer.branches.get(),
            started_on=day(started),
            ended_on=day(ended) if ended else None,
            leaving_reason=reason,
            registered_on=day(started),
        )

    def child(self, person, born: str, died: str | None = None):
        return Dependant.objects.create(
            person=person,
            kind=Dependant.Kind.CHILD,
            first_name_th="ด.ญ. ทดสอบ",
            last_name_th="ทดสอบ",
            birth_date=day(born),
            died_on=day(died) if died else None,
        )

    def claim(self, person, benefit, event: str, status="approved", details=None, amount=None, months=None, child=None):
        self.count += 1
        return Claim.objects.create(
            office=self.office,
            person=person,
            benefit=benefit,
            event_date=day(event),
            event_key=f"{event}:{self.count}",
            dependant=child,
            details=details or {},
            status=status,
            amount=D(amount) if amount is not None else None,
            months=months,
            recorded_by=self.officer,
        )


def _examine(person, benefit, event=EVENT, details=None, dependant=None):
    return rules.examine(
        person=person, benefit=benefit, event_date=day(event), details=details or {}, dependant=dependant
    )


def _check(outcome, expected):
    """`expected`: an amount string (eligible) or a refusal code."""
    text = [str(line) for line in outcome.lines]
    if expected[0].isdigit():
        assert outcome.eligible, (outcome.refusal_code, text)
        assert outcome.amount == D(expected), text
        assert outcome.refusal_code == ""
    else:
        assert not outcome.eligible, text
        assert outcome.refusal_code == expected, text
        assert outcome.amount is None


# Wages: the 2025 ceiling of 15,000 and the 2026 ceiling of 17,500 in one window.
Y25 = ("2025-06", "2025-12", "15000")
Y26 = ("2026-01", "2026-02", "17500")
# 3 highest of the 9 months before March 2026: 17,500 + 17,500 + 15,000 = 50,000 / 90.
DAILY_MIXED = D(50000) / 90


# Parameters and the daily wage ------------------------------------------------------------


def test_a_parameter_is_the_row_in_force_on_the_date(db):
    assert parameter("unemployment.laid_off_rate", day("2025-06-24")) == 50
    assert parameter("unemployment.laid_off_rate", day("2025-06-25")) == 60
    assert parameter("sickness.qualifying_months", day("2026-03-02")) == 3


def test_a_missing_parameter_names_its_key(db):
    with pytest.raises(ValidationError, match="sickness.no_such_figure"):
        parameter("sickness.no_such_figure", day("2026-03-02"))


def test_a_new_parameter_row_is_read_at_once(db):
    assert parameter("dental.annual_limit", day("2026-03-02")) == 900
    BenefitParameter.objects.create(key="dental.annual_limit", value=D("1200"), valid_from=day("2026-01-01"))
    assert parameter("dental.annual_limit", day("2026-03-02")) == 1200
    assert parameter("dental.annual_limit", day("2025-12-31")) == 900


@pytest.mark.parametrize(
    ("history", "expected", "capped"),
    [
        pytest.param([Y25, Y26], "555.56", False, id="ceiling-15000-then-17500"),
        pytest.param([("2025-06", "2026-02", "17500")], "555.56", True, id="2025-months-capped-at-15000"),
        pytest.param([("2025-06", "2025-12", "15000")], "500.00", False, id="all-2025"),
        pytest.param([("2025-05", "2025-05"), ("2026-02", "2026-02", "9000")], "100.00", False, id="one-in-window"),
        pytest.param([("2026-03", "2026-03", "17500")], "0.00", False, id="event-month-excluded"),
        pytest.param([("2025-07", "2026-02", "4800", "39")], "160.00", False, id="section39-base"),
        pytest.param(
            [("2026-01", "2026-01", "10000"), ("2026-01", "2026-01", "12000")], "194.44", True, id="two-employers"
        ),
        pytest.param([("2025-06", "2025-06", "0", "40")], "0.00", False, id="section40-months-do-not-count"),
    ],
)
def test_the_daily_wage_is_the_best_three_months_of_nine_over_90(world, history, expected, capped):
    person = world.person()
    world.history(person, history)
    daily, lines = daily_wage(person.pk, day(EVENT))
    assert daily == D(expected)
    assert capped == any("capped at the ceiling" in str(line) for line in lines), [str(line) for line in lines]


def test_the_sickness_working_lists_the_months_found(world):
    person = world.person()
    world.history(person, [("2025-12", "2025-12", "15000"), Y26])
    outcome = _examine(person, Benefit.SICKNESS, details={"days_off": 10})
    text = [str(line) for line in outcome.lines]
    assert "3 of 3 months in the 15 months before 2 Mar 2026: 12/2025, 01/2026, 02/2026" in text
    assert any(
        line.startswith("Daily wage: the 3 highest monthly wages in the 9 months before 2 Mar 2026") for line in text
    )
    with translation.override("th"):
        assert any("12/2568, 01/2569, 02/2569" in str(line) for line in outcome.lines)


def test_qualifying_months_counts_a_month_of_two_employers_once(world):
    person = world.person()
    world.months(person, "2026-01", "2026-02")
    world.months(person, "2026-02", "2026-02", "3000")
    ok, months, _lines = qualifying_months(person.pk, day(EVENT), required=3, window=15)
    assert not ok and months == [day("2026-01-01"), day("2026-02-01")]


# Sickness ---------------------------------------------------------------------------------

S33 = (("33", "2015-01-01", None),)
LEFT_SEPT_2025 = (("33", "2015-01-01", "2025-09-30"),)
S39 = (("33", "2015-01-01", "2025-06-30"), ("39", "2025-07-01", None))
S40 = (("40", "2020-01-01", None),)


@pytest.mark.parametrize(
    ("spells", "history", "event", "details", "claims", "expected"),
    [
        pytest.param(S33, [("2025-12", "2025-12"), Y26], EVENT, {"days_off": 10}, [], "2777.78", id="exactly-3"),
        pytest.param(S33, [Y26], EVENT, {"days_off": 10}, [], "not_enough_months", id="one-month-short"),
        pytest.param(
            S33,
            [("2024-11", "2024-11"), ("2024-12", "2024-12"), ("2026-02", "2026-02", "17500")],
            EVENT,
            {"days_off": 10},
            [],
            "not_enough_months",
            id="gap-one-month-outside-the-15",
        ),
        pytest.param(
            S33,
            [("2024-12", "2024-12"), ("2025-06", "2025-06"), ("2026-02", "2026-02", "17500")],
            EVENT,
            {"days_off": 10},
            [],
            "1805.56",
            id="gaps-3-scattered-within-15",
        ),
        pytest.param(
            S33, [("2026-01", "2026-03", "17500")], EVENT, {"days_off": 10}, [], "not_enough_months", id="event-month"
        ),
        pytest.param(
            LEFT_SEPT_2025, [("2025-04", "2025-09")], "2026-03-30", {"days_off": 10}, [], "2500.00", id="left-6-months"
        ),
        pytest.param(
            LEFT_SEPT_2025, [("2025-04", "2025-09")], "2026-03-31", {"days_off": 10}, [], "not_insured", id="left-6m+1d"
        ),
        pytest.param(S40, [("2025-06", "2026-02", "0", "40")], EVENT, {"days_off": 10}, [], "section40", id="s40"),
        pytest.param(S39, [("2025-07", "2026-02", "4800", "39")], EVENT, {"days_off": 10}, [], "800.00", id="s39"),
        pytest.param(S33, [Y25], EVENT, {"days_off": 120}, [], "22500.00", id="90-days-a-claim"),
        pytest.param(
            S33, [Y25], EVENT, {"days_off": 60}, [{"days_off": 90}, {"days_off": 60}], "7500.00", id="180-a-year"
        ),
        pytest.param(
            S33,
            [Y25],
            EVENT,
            {"days_off": 60, "chronic": True},
            [{"days_off": 90}, {"days_off": 60}],
            "15000.00",
            id="chronic-365-a-year",
        ),
        pytest.param(
            S33,
            [Y25],
            EVENT,
            {"days_off": 10},
            [{"days_off": 90}, {"days_off": 90}],
            "days_exhausted",
            id="no-days-left",
        ),
        pytest.param(
            S33,
            [Y25],
            EVENT,
            {"days_off": 10},
            [{"days_off": 90, "event": "2025-11-01"}, {"days_off": 90, "event": "2025-12-01"}],
            "2500.00",
            id="last-years-days-do-not-count",
        ),
        pytest.param(
            S33,
            [Y25],
            EVENT,
            {"days_off": 10, "emergency": True, "medical_expenses": "1200.50"},
            [],
            "3700.50",
            id="emergency-reimbursed",
        ),
        pytest.param(
            S33, [Y25], EVENT, {"days_off": 10, "medical_expenses": "1200.50"}, [], "2500.00", id="registered-hospital"
        ),
    ],
)
def test_sickness(world, spells, history, event, details, claims, expected):
    person = world.person(spells=spells)
    world.history(person, history)
    for earlier in claims:
        earlier = dict(earlier)
        world.claim(person, Benefit.SICKNESS, earlier.pop("event", "2026-01-10"), details=earlier)
    world.claim(person, Benefit.SICKNESS, "2026-02-01", status="rejected", details={"days_off": 90})
    _check(_examine(person, Benefit.SICKNESS, event, details), expected)


def test_sickness_says_where_care_is_and_what_the_cover_after_leaving_is(world):
    person = world.person(spells=LEFT_SEPT_2025)
    world.months(person, "2025-04", "2025-09")
    text = [str(line) for line in _examine(person, Benefit.SICKNESS, "2026-03-30", {"days_off": 2}).lines]
    assert "Insurance ended on 30 Sep 2025; covered for 6 months after, until 30 Mar 2026." in text
    assert "Care is free at the registered hospital." in text
    refused = _examine(person, Benefit.SICKNESS, "2026-03-31", {"days_off": 2})
    assert str(refused.lines[-1]) == "Not insured under Section 33 or 39 on 31 Mar 2026."


# Dental -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "details", "earlier", "expected"),
    [
        pytest.param([Y25], {"amount": "700"}, [], "700.00", id="under-the-limit"),
        pytest.param([Y25], {"amount": "1200"}, [], "900.00", id="capped-at-900"),
        pytest.param([Y25], {"amount": "700"}, ["500"], "400.00", id="500-used"),
        pytest.param([Y25], {"amount": "700"}, ["500", "400"], "limit_reached", id="all-used"),
        pytest.param([("2025-12", "2026-01")], {"amount": "700"}, [], "not_enough_months", id="one-month-short"),
        pytest.param([Y25], {}, [], "missing_data", id="no-amount"),
    ],
)
def test_dental(world, history, details, earlier, expected):
    person = world.person()
    world.history(person, history)
    for amount in earlier:
        world.claim(person, Benefit.DENTAL, "2026-01-05", amount=amount)
    world.claim(person, Benefit.DENTAL, "2025-12-05", amount="900")  # last year's
    outcome = _examine(person, Benefit.DENTAL, details=details)
    _check(outcome, expected)
    if expected == "missing_data":
        assert [str(m) for m in outcome.missing] == ["The amount of the dental receipt is not given."]


# Maternity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spells", "history", "event", "details", "expected"),
    [
        # 15,000 + 50,000 / 90 x 50% x 90 days = 15,000 + 25,000
        pytest.param(S33, [("2025-10", "2025-12"), Y26], EVENT, {}, "40000.00", id="exactly-5"),
        pytest.param(S33, [("2025-11", "2025-12"), Y26], EVENT, {}, "not_enough_months", id="one-month-short"),
        pytest.param(S33, [("2025-10", "2025-12"), Y26], EVENT, {"children": 2}, "40000.00", id="twins-one-lump-sum"),
        pytest.param(LEFT_SEPT_2025, [("2025-04", "2025-09")], "2026-03-30", {}, "37500.00", id="left-6-months"),
        pytest.param(LEFT_SEPT_2025, [("2025-04", "2025-09")], "2026-03-31", {}, "not_insured", id="left-6m+1d"),
        pytest.param(S39, [("2025-07", "2026-02", "4800", "39")], EVENT, {}, "22200.00", id="s39"),
    ],
)
def test_maternity(world, spells, history, event, details, expected):
    person = world.person(spells=spells)
    world.history(person, history)
    _check(_examine(person, Benefit.MATERNITY, event, details), expected)


# Invalidity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spells", "history", "details", "expected", "says"),
    [
        # 3 x 17,500 / 90 x 30 x 50% = 8,750 exactly: the daily wage is not rounded first.
        pytest.param(
            S33, [("2026-01", "2026-03", "17500")], {"severity": "severe"}, "8750.00", "for life", id="severe"
        ),
        pytest.param(S33, [("2026-01", "2026-03", "17500")], {}, "8750.00", "medical board", id="not-severe"),
        pytest.param(S33, [("2026-02", "2026-03", "17500")], {}, "not_enough_months", "", id="one-month-short"),
        pytest.param(S39, [("2025-07", "2026-03", "4800", "39")], {}, "2400.00", "", id="s39"),
        pytest.param(S40, [], {}, "section40", "", id="s40"),
    ],
)
def test_invalidity(world, spells, history, details, expected, says):
    person = world.person(spells=spells)
    world.history(person, history)
    outcome = _examine(person, Benefit.INVALIDITY, "2026-04-10", details)
    _check(outcome, expected)
    if outcome.eligible:
        assert outcome.monthly and outcome.months is None
        assert any(says in str(line) for line in outcome.lines)


def test_a_month_of_cash_is_a_dated_parameter_not_30_in_code(world):
    """Monthly cash (invalidity, unemployment, the survivor allowance) is the daily wage times
    `cash.days_per_month`: a row valid from a date changes the events from that date only."""
    person = world.person(spells=S33)
    world.history(person, [("2026-01", "2026-03", "17500")])
    assert _examine(person, Benefit.INVALIDITY, "2026-04-10").amount == D("8750.00")
    BenefitParameter.objects.filter(key="cash.days_per_month").update(valid_to=day("2026-04-09"))
    BenefitParameter.objects.create(key="cash.days_per_month", value=D("31"), valid_from=day("2026-04-10"))
    outcome = _examine(person, Benefit.INVALIDITY, "2026-04-10")
    assert outcome.amount == D("9041.67")  # 3 x 17,500 / 90 x 31 x 50%
    assert any("x 31 x" in str(line) for line in outcome.lines)
    assert _examine(person, Benefit.INVALIDITY, "2026-04-09").amount == D("8750.00")


# Death ------------------------------------------------------------------------------------

DIED = "2026-03-15"


@pytest.mark.parametrize(
    ("died", "spells", "history", "expected"),
    [
        pytest.param(None, S33, [("2023-03", "2025-12"), Y26], "not_dead", id="living-person"),
        # 36 months: 50,000 + 4 x (50,000 / 90 x 30)
        pytest.param(DIED, S33, [("2023-03", "2025-12"), Y26], "116666.67", id="36-months-tier1"),
        pytest.param(DIED, S33, [("2023-04", "2025-12"), Y26], "50000.00", id="35-months-grant-only"),
        pytest.param(DIED, S33, [("2016-03", "2025-12"), Y26], "250000.00", id="120-months-tier2"),
        pytest.param(DIED, S33, [("2016-04", "2025-12"), Y26], "116666.67", id="119-months-tier1"),
        pytest.param(DIED, S33, [("2025-02", "2025-08")], "not_enough_months", id="none-in-the-6-months"),
        pytest.param(DIED, S33, [("2025-09", "2025-09")], "50000.00", id="one-month-at-the-edge"),
        pytest.param(
            DIED, (("33", "2015-01-01", "2025-09-15"),), [("2025-09", "2025-09")], "50000.00", id="left-within-6"
        ),
        pytest.param(
            DIED, (("33", "2015-01-01", "2025-09-14"),), [("2025-09", "2025-09")], "not_insured", id="left-6m+1d"
        ),
    ],
)
def test_death(world, died, spells, history, expected):
    person = world.person(spells=spells, died=died)
    world.history(person, history)
    _check(_examine(person, Benefit.DEATH, DIED), expected)


def test_death_uses_the_date_on_record_and_says_so(world):
    person = world.person(died=DIED)
    world.history(person, [("2023-03", "2025-12"), Y26])
    outcome = _examine(person, Benefit.DEATH, "2026-03-10")
    _check(outcome, "116666.67")
    assert "differs from the death on record" in str(outcome.missing[0])


# Child allowance --------------------------------------------------------------------------

BORN = "2024-05-01"


@pytest.mark.parametrize(
    ("spells", "history", "born", "others", "expected", "months"),
    [
        # From 03/2026 to 04/2030: the child turns 6 on 1 May 2030.
        pytest.param(S33, [("2025-03", "2026-02")], BORN, [], "800.00", 50, id="exactly-12"),
        pytest.param(S33, [("2025-04", "2026-02")], BORN, [], "not_enough_months", None, id="one-month-short"),
        pytest.param(
            S33, [("2023-03", "2023-03"), ("2025-04", "2026-02")], BORN, [], "800.00", 50, id="gap-36-months-back"
        ),
        pytest.param(S33, [("2025-03", "2026-02")], "2020-03-02", [], "child_too_old", None, id="6-today"),
        pytest.param(S33, [("2025-03", "2026-02")], "2020-03-03", [], "800.00", 1, id="6-tomorrow"),
        pytest.param(S33, [("2025-03", "2026-02")], "2020-04-15", [], "800.00", 2, id="6-in-mid-april"),
        pytest.param(
            S33,
            [("2025-03", "2026-02")],
            BORN,
            [("2021-01-01", "approved"), ("2022-06-01", "paid"), ("2023-01-01", "recorded")],
            "fourth_child",
            None,
            id="fourth-child",
        ),
        pytest.param(
            S33,
            [("2025-03", "2026-02")],
            BORN,
            [("2021-01-01", "approved"), ("2022-06-01", "paid"), ("2023-01-01", "rejected")],
            "800.00",
            50,
            id="third-after-a-rejected-claim",
        ),
        pytest.param(
            S33,
            [("2025-03", "2026-02")],
            BORN,
            [("2021-01-01", "approved"), ("2022-06-01", "paid"), ("2019-06-01", "paid")],
            "800.00",
            50,
            id="a-child-past-6-frees-a-place",
        ),
        pytest.param(
            (("33", "2015-01-01", "2025-12-31"),),
            [("2025-01", "2025-12")],
            BORN,
            [],
            "not_insured",
            None,
            id="no-cover-after-leaving",
        ),
        pytest.param(
            S33,
            [("2025-03", "2026-02")],
            BORN,
            [("2021-01-01", "approved"), ("2022-06-01", "paid"), ("2023-01-01", "refused")],
            "800.00",
            50,
            id="third-beside-a-claim-the-rules-refused",
        ),
        pytest.param(
            S39, [("2025-03", "2025-06"), ("2025-07", "2026-02", "4800", "39")], BORN, [], "800.00", 50, id="s39"
        ),
    ],
)
def test_child_allowance(world, spells, history, born, others, expected, months):
    person = world.person(spells=spells)
    world.history(person, history)
    for other_born, status in others:
        # "refused": examined, and the rules refused it (not yet decided by the officer).
        claim = world.claim(
            person,
            Benefit.CHILD_ALLOWANCE,
            "2025-01-01",
            status="examined" if status == "refused" else status,
            child=world.child(person, other_born),
        )
        if status == "refused":
            Claim.objects.filter(pk=claim.pk).update(eligible=False, refusal_code="child_too_old")
    outcome = _examine(person, Benefit.CHILD_ALLOWANCE, dependant=world.child(person, born))
    _check(outcome, expected)
    assert outcome.months == months
    assert outcome.monthly is (months is not None)


def test_child_allowance_needs_the_child(world):
    person = world.person()
    world.months(person, "2025-03", "2026-02")
    _check(_examine(person, Benefit.CHILD_ALLOWANCE), "missing_data")
    stranger = world.child(world.person(), BORN)
    _check(_examine(person, Benefit.CHILD_ALLOWANCE, dependant=stranger), "missing_data")


# Old age ----------------------------------------------------------------------------------

RETIRED = (("33", "2000-01-01", "2025-12-31"),)


@pytest.mark.parametrize(
    ("birth", "spells", "history", "job", "expected", "monthly"),
    [
        pytest.param("1971-03-03", RETIRED, [("2011-01", "2025-12")], False, "too_young", None, id="54"),
        pytest.param("1971-03-02", RETIRED, [("2011-01", "2025-12")], False, "3000.00", True, id="55-today"),
        pytest.param("1970-01-01", RETIRED, [("2011-01", "2025-12")], False, "3000.00", True, id="180-months"),
        pytest.param("1970-01-01", RETIRED, [("2010-02", "2025-12")], False, "3000.00", True, id="191-months"),
        pytest.param("1970-01-01", RETIRED, [("2010-01", "2025-12")], False, "3225.00", True, id="192-months-21.5pc"),
        pytest.param("1970-01-01", RETIRED, [("2009-01", "2025-12")], False, "3450.00", True, id="204-months-23pc"),
        # 179 x 15,000 x (3% own + 3% employer)
        pytest.param("1970-01-01", RETIRED, [("2011-02", "2025-12")], False, "161100.00", False, id="179-lump-sum"),
        pytest.param("1970-01-01", RETIRED, [("2025-01", "2025-12")], False, "10800.00", False, id="12-with-employer"),
        pytest.param("1970-01-01", RETIRED, [("2025-02", "2025-12")], False, "4950.00", False, id="11-own-only"),
        pytest.param(
            "1970-01-01",
            (("33", "2000-01-01", "2024-12-31"), ("39", "2025-01-01", None)),
            [("2024-01", "2024-12"), ("2025-01", "2025-12", "4800", "39")],
            False,
            "12528.00",
            False,
            id="s39-months-without-employer-share",
        ),
        pytest.param("1970-01-01", S33, [("2011-01", "2025-12")], False, "still_employed", None, id="open-s33"),
        pytest.param("1970-01-01", RETIRED, [("2011-01", "2025-12")], True, "still_employed", None, id="open-job"),
        pytest.param("1970-01-01", RETIRED, [], False, "no_contributions", None, id="nothing-paid"),
    ],
)
def test_old_age(world, birth, spells, history, job, expected, monthly):
    person = world.person(birth=birth, spells=spells)
    world.history(person, history)
    if job:
        world.employment(person, "2020-01-01")
    outcome = _examine(person, Benefit.OLD_AGE)
    _check(outcome, expected)
    if monthly is not None:
        assert outcome.monthly is monthly and outcome.months is None


def test_old_age_pension_averages_the_last_60_months_capped(world):
    person = world.person(birth="1960-01-01", spells=(("33", "2000-01-01", "2026-02-28"),))
    # 180 months: 120 at 10,000 then 60 of 2021-2026 at the ceilings (55 x 15,000, 2 x 17,500).
    world.months(person, "2011-03", "2021-02", "10000")
    world.months(person, "2021-03", "2026-02", "15000")
    world.months(person, "2026-01", "2026-02", "4000")  # a second employer in 2026
    outcome = _examine(person, Benefit.OLD_AGE)
    average = (D(15000) * 58 + D(17500) * 2) / 60
    _check(outcome, str(money_round(average * D("0.2"))))
    assert any("capped at the ceiling of THB 17,500.00" in str(line) for line in outcome.lines)


# Unemployment -----------------------------------------------------------------------------

LEFT = "2026-03-02"
UNEMPLOYED = (("33", "2020-01-01", LEFT),)
# 09/2025-12/2025 at 15,000, 2026 at 17,500: a monthly wage of 50,000 / 3.
SIX = [("2025-09", "2025-12"), Y26]


@pytest.mark.parametrize(
    ("spells", "history", "left", "reason_on_record", "details", "earlier", "expected", "months"),
    [
        pytest.param(UNEMPLOYED, SIX, LEFT, "other", {"reason": "laid_off"}, [], "10000.00", 6, id="laid-off-60pc"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "other", {"reason": "resigned"}, [], "5000.00", 3, id="resigned-30pc"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "laid_off", {}, [], "10000.00", 6, id="laid-off-on-record"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "contract_ended", {}, [], "5000.00", 3, id="contract-ended-as-resigned"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "retired", {}, [], "reason_not_covered", None, id="retired"),
        pytest.param(UNEMPLOYED, SIX, LEFT, None, {}, [], "missing_data", None, id="no-reason"),
        pytest.param(
            UNEMPLOYED,
            [("2025-10", "2025-12"), Y26],
            LEFT,
            "laid_off",
            {},
            [],
            "not_enough_months",
            None,
            id="5-months",
        ),
        pytest.param(
            UNEMPLOYED,
            [("2025-09", "2025-09", "4800", "39"), ("2025-10", "2025-12"), Y26],
            LEFT,
            "laid_off",
            {},
            [],
            "not_enough_months",
            None,
            id="a-section39-month-does-not-count",
        ),
        # Leaving on 24 June 2025: 15,000 x 50%; from 25 June: 60%.
        pytest.param(
            (("33", "2020-01-01", "2025-06-24"),),
            [("2024-09", "2025-05")],
            "2025-06-24",
            "laid_off",
            {},
            [],
            "7500.00",
            6,
            id="laid-off-24-june-2025-50pc",
        ),
        pytest.param(
            (("33", "2020-01-01", "2025-06-25"),),
            [("2024-09", "2025-05")],
            "2025-06-25",
            "laid_off",
            {},
            [],
            "9000.00",
            6,
            id="laid-off-25-june-2025-60pc",
        ),
        pytest.param(
            (("33", "2020-01-01", "2025-06-24"),),
            [("2024-09", "2025-05")],
            "2025-06-24",
            "resigned",
            {},
            [],
            "4500.00",
            3,
            id="resigned-june-2025-30pc",
        ),
        pytest.param(
            UNEMPLOYED,
            SIX,
            LEFT,
            "laid_off",
            {"registered_on": "2026-04-02"},
            [],
            "late_registration",
            None,
            id="day-31",
        ),
        pytest.param(
            UNEMPLOYED, SIX, LEFT, "laid_off", {"registered_on": "2026-04-01"}, [], "10000.00", 6, id="day-30"
        ),
        pytest.param(UNEMPLOYED, SIX, LEFT, "laid_off", {"today": "2026-03-09"}, [], "too_soon", None, id="7-days-out"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "laid_off", {"today": "2026-03-10"}, [], "10000.00", 6, id="8-days-out"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "laid_off", {}, [6], "days_exhausted", None, id="180-days-used"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "laid_off", {}, [3], "10000.00", 3, id="90-days-used"),
        pytest.param(UNEMPLOYED, SIX, LEFT, "resigned", {}, [5], "5000.00", 1, id="150-days-used"),
        pytest.param(
            (("33", "2020-01-01", "2025-12-31"), ("39", "2026-01-01", None)),
            SIX,
            LEFT,
            "laid_off",
            {},
            [],
            "not_section33",
            None,
            id="section39",
        ),
        pytest.param(S40, [], LEFT, None, {"reason": "laid_off"}, [], "section40", None, id="section40"),
    ],
)
def test_unemployment(world, spells, history, left, reason_on_record, details, earlier, expected, months):
    person = world.person(spells=spells)
    world.history(person, history)
    if reason_on_record is not None:
        world.employment(person, "2020-01-01", left, reason_on_record)
    for paid_months in earlier:
        world.claim(person, Benefit.UNEMPLOYMENT, "2026-01-05", months=paid_months)
    details = {"registered_on": left} | details
    outcome = _examine(person, Benefit.UNEMPLOYMENT, left, details)
    _check(outcome, expected)
    assert outcome.months == months
    assert outcome.monthly is (months is not None)


def test_unemployment_is_refused_while_an_employment_is_open(world):
    person = world.person(spells=UNEMPLOYED)
    world.history(person, SIX)
    world.employment(person, "2020-01-01", LEFT, "laid_off")
    world.employment(person, "2026-03-05")
    _check(_examine(person, Benefit.UNEMPLOYMENT, LEFT, {"registered_on": LEFT}), "still_employed")
