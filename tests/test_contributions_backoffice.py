"""The back office of contribution collection: the cross-checks of accepted and paid
statements, the verifier's work queue and resolutions, and the reimbursements of
overpayments (a statement paid twice, two employers above the ceiling)."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contributions import services, tasks
from contributions.models import Finding, Payment, Reimbursement, ReimbursementBatch, Statement
from contributions.services import LineInput
from registry.models import Employment
from registry.services import branch_add, employee_leave
from tests.factories import counter_paid_back, employee_make, employer_make

D = Decimal
OCT = datetime.date(2026, 10, 1)
SEP = datetime.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _submit(officer, employer, lines, *, period=OCT, branch=None, amends=None):
    return services.statement_submit(
        officer=officer,
        employer=employer,
        branch=branch or employer.branches.get(number="000000"),
        period=period,
        lines=[LineInput(line=n, national_id=p.national_id, wage=D(w)) for n, (p, w) in enumerate(lines, 2)],
        amends=amends,
    )


def _pay(officer, statement, *, channel=Payment.Channel.COUNTER):
    paid_on = statement.period.replace(month=statement.period.month % 12 + 1, day=10)
    due = services.statement_amount_due(statement, paid_on)

    def pay(**dated):
        return services.statement_pay(
            officer=officer,
            statement=statement,
            amount=due.total,
            method=Payment.Method.TRANSFER if channel != Payment.Channel.COUNTER else Payment.Method.CASH,
            reference="T1" if channel != Payment.Channel.COUNTER else "",
            channel=channel,
            paid_on=paid_on,
            **dated,
        )

    return counter_paid_back(statement, paid_on, pay) if channel == Payment.Channel.COUNTER else pay()


@pytest.fixture
def english_client(client_for, settings):
    """A signed-in client that reads the pages in English."""

    def sign_in(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


def _found(statement):
    return {(f.kind, f.person.national_id[-5:-1] if f.person else None) for f in statement.findings.all()}


def _key(person):
    return person.national_id[-5:-1]


@pytest.fixture
def firm(cast, offices):
    counter = cast["counter"]
    employer = employer_make(offices["1001"], counter, n=601)
    other_branch = branch_add(
        officer=counter, employer=employer, number="000001", name="Factory", province=offices["1001"].province
    )
    start = datetime.date(2024, 1, 1)

    def hire(n, **fields):
        return employee_make(employer, n, counter, started_on=start, **fields).person

    people = {
        "steady": hire(11),
        "raised": hire(12),
        "cut": hire(13),
        "tripled": hire(14),
        "no_history": hire(15),
        "registered": hire(16, monthly_wage=D("10000")),
        "left": hire(17),
        "elsewhere": employee_make(employer, 18, counter, started_on=start, branch=other_branch).person,
        "sixty": hire(19, birth_date=datetime.date(1966, 10, 1)),
        "fifty_nine": hire(20, birth_date=datetime.date(1966, 10, 2)),
        "died_before": hire(21),
        "died_during": hire(22),
    }
    return employer, people


@pytest.fixture
def october(firm, cast):
    """A paid September of 10,000 for four persons (their history), then October's statement
    with one person for each check, and the records changed after the counter accepted it."""
    employer, p = firm
    counter = cast["counter"]
    september = _submit(
        counter, employer, [(p[k], "10000") for k in ("steady", "raised", "cut", "tripled")], period=SEP
    )
    _pay(counter, september)
    wages = {
        "steady": "10000",
        "raised": "40000",
        "cut": "3000",
        "tripled": "30000",
        "no_history": "50000",
        "registered": "35000",
        "left": "10000",
        "elsewhere": "10000",
        "sixty": "10000",
        "fifty_nine": "10000",
        "died_before": "10000",
        "died_during": "10000",
    }
    statement = _submit(counter, employer, [(p[k], w) for k, w in wages.items()])
    # After the counter: a late SSO 6-09, and two deaths reported.
    jobs = Employment.objects.filter(employer=employer)
    employee_leave(
        officer=counter, employment=jobs.get(person=p["left"]), ended_on=datetime.date(2026, 9, 20), reason="resigned"
    )
    employee_leave(
        officer=counter,
        employment=jobs.get(person=p["died_before"]),
        ended_on=datetime.date(2026, 9, 15),
        reason="died",
    )
    employee_leave(
        officer=counter,
        employment=jobs.get(person=p["died_during"]),
        ended_on=datetime.date(2026, 10, 10),
        reason="died",
    )
    return september, statement


# The cross-checks -------------------------------------------------------------------------


def test_each_check_finds_what_it_should_and_nothing_else(october, firm):
    _employer, p = firm
    september, statement = october
    assert services.statement_verify(statement_id=statement.pk) == Statement.Verification.FINDINGS
    assert _found(statement) == {
        ("wage_outlier", _key(p["raised"])),
        ("wage_outlier", _key(p["cut"])),
        ("wage_outlier", _key(p["registered"])),
        ("not_employed", _key(p["left"])),
        ("not_employed", _key(p["died_before"])),
        ("deceased", _key(p["died_before"])),
        ("other_branch", _key(p["elsewhere"])),
        ("over_age", _key(p["sixty"])),
    }
    statement.refresh_from_db()
    assert statement.verification == Statement.Verification.FINDINGS and statement.verified_at is not None
    # The September statement has no history before it and nothing wrong: clear.
    assert services.statement_verify(statement_id=september.pk) == Statement.Verification.CLEAR


def test_the_cross_checks_figures_are_a_dated_row(october, firm):
    """Age 60, 3 times and 6 months were constants in code: a collection rule from October on
    (age 61, 5 times) leaves the person of 60 and the wage of four times alone."""
    from contributions.models import CollectionRule

    _employer, p = firm
    _september, statement = october
    CollectionRule.objects.update(valid_to=SEP)
    CollectionRule.objects.create(
        valid_from=datetime.date(2026, 10, 1),
        voluntary_max_months=12,
        over_age_years=61,
        wage_outlier_factor=D("5"),
        wage_history_months=6,
    )
    services.statement_verify(statement_id=statement.pk)
    found = _found(statement)
    assert ("over_age", _key(p["sixty"])) not in found
    assert ("wage_outlier", _key(p["raised"])) not in found  # 40,000 against 10,000: 4 times
    assert ("wage_outlier", _key(p["cut"])) not in found  # 3,000 against 10,000: a third
    assert ("deceased", _key(p["died_before"])) in found  # the other checks as before


def test_the_findings_explain_themselves(october, firm):
    _employer, p = firm
    _september, statement = october
    services.statement_verify(statement_id=statement.pk)
    detail = {(f.kind, f.person_id): f.detail for f in statement.findings.all()}
    raised = detail[("wage_outlier", p["raised"].pk)]
    assert raised == {
        "wage": "40000.00",
        "usual_wage": "10000.00",
        "basis": "history",
        "months": 1,
        "factor": "3",
    }
    assert detail[("wage_outlier", p["registered"].pk)]["basis"] == "registered_wage"
    assert detail[("over_age", p["sixty"].pk)] == {"birth_date": "1966-10-01", "age": 60, "period": "2026-10-01"}
    assert detail[("deceased", p["died_before"].pk)]["died_on"] == "2026-09-15"
    left = detail[("not_employed", p["left"].pk)]
    assert left["employments"] == [{"branch": "000000", "started_on": "2024-01-01", "ended_on": "2026-09-20"}]
    assert detail[("other_branch", p["elsewhere"].pk)]["branch"] == "000000"
    assert detail[("other_branch", p["elsewhere"].pk)]["employments"][0]["branch"] == "000001"
    line = statement.findings.get(kind="over_age").line
    assert line.person_id == p["sixty"].pk and line.statement_id == statement.pk


def test_running_the_verification_twice_adds_nothing(october):
    _september, statement = october
    services.statement_verify(statement_id=statement.pk)
    findings = list(Finding.objects.order_by("pk").values_list("pk", "kind", "person_id"))
    audit_rows = Finding.history.count()
    statement_audit = Statement.history.filter(id=statement.pk).count()
    assert audit_rows == len(findings)
    assert Finding.history.filter(history_user__isnull=True, history_office=statement.office).count() == audit_rows

    services.statement_verify(statement_id=statement.pk)
    assert list(Finding.objects.order_by("pk").values_list("pk", "kind", "person_id")) == findings
    assert Finding.history.count() == audit_rows
    assert Statement.history.filter(id=statement.pk).count() == statement_audit


def test_the_verification_is_set_based(october, django_assert_max_num_queries):
    _september, statement = october
    # 13: the cross-check's figures, a dated row read once (contributions.rules.collection_rule_for).
    with django_assert_max_num_queries(13):
        services.statement_verify(statement_id=statement.pk)


def test_a_paid_statement_paid_twice_gets_a_finding(firm, cast):
    employer, p = firm
    counter = cast["counter"]
    statement = _submit(counter, employer, [(p["steady"], "10000")], period=SEP)
    _pay(counter, statement)
    assert services.statement_verify(statement_id=statement.pk) == Statement.Verification.CLEAR
    _pay(counter, statement, channel=Payment.Channel.BANK)
    assert Reimbursement.objects.filter(kind="duplicate_payment").count() == 1  # the lead's statement_pay
    assert services.statement_verify(statement_id=statement.pk) == Statement.Verification.FINDINGS
    finding = statement.findings.get()
    assert (finding.kind, finding.person, finding.line) == ("duplicate_payment", None, None)
    assert [payment["amount"] for payment in finding.detail["payments"]] == ["1000.00", "1000.00"]
    assert [payment["channel"] for payment in finding.detail["payments"]] == ["counter", "bank"]
    assert finding.detail["reimbursed"] == "1000.00"
    services.statement_verify(statement_id=statement.pk)
    assert statement.findings.count() == 1


@pytest.fixture
def two_employers(cast, offices):
    """One person working for two employers in October 2026: 15,000 + 10,000."""
    counter = cast["counter"]
    first = employer_make(offices["1001"], counter, n=611)
    second = employer_make(offices["1001"], counter, n=612)
    person = employee_make(first, 31, counter, started_on=datetime.date(2024, 1, 1)).person
    employee_make(second, 31, counter, started_on=datetime.date(2025, 1, 1))
    colleague = employee_make(second, 32, counter, started_on=datetime.date(2025, 1, 1)).person
    one = _submit(counter, first, [(person, "15000")])
    two = _submit(counter, second, [(person, "10000"), (colleague, "20000")])
    return person, colleague, one, two


def test_above_the_ceiling_the_person_gets_the_excess_back_once(two_employers, cast):
    person, _colleague, one, two = two_employers
    counter = cast["counter"]
    _pay(counter, one)
    assert services.statement_verify(statement_id=one.pk) == Statement.Verification.CLEAR
    payment = _pay(counter, two)
    assert services.statement_verify(statement_id=two.pk) == Statement.Verification.FINDINGS
    reimbursement = Reimbursement.objects.get(kind="above_ceiling")
    # 750 + 500 = 1,250 paid; 5% of the 17,500 ceiling = 875 due; 375 back.
    assert (reimbursement.person, reimbursement.amount, reimbursement.period) == (person, D("375.00"), OCT)
    assert (reimbursement.payment, reimbursement.office_id, reimbursement.status) == (
        payment,
        two.office_id,
        "requested",
    )
    assert reimbursement.history.get().history_type == "+"
    finding = two.findings.get()
    assert (finding.kind, finding.person) == ("above_ceiling", person)
    assert {k: finding.detail[k] for k in ("wages", "ceiling", "paid", "due", "excess", "reimbursed")} == {
        "wages": "25000.00",
        "ceiling": "17500.00",
        "paid": "1250.00",
        "due": "875.00",
        "excess": "375.00",
        "reimbursed": "375.00",
    }
    assert finding.detail["reimbursement"] == reimbursement.pk
    assert len(finding.detail["employers"]) == 2
    # Again, and from the other employer's statement: nothing more.
    for statement in (two, one, two):
        services.statement_verify(statement_id=statement.pk)
    assert Reimbursement.objects.filter(kind="above_ceiling").count() == 1
    assert Finding.objects.filter(kind="above_ceiling").count() == 1


def test_below_the_ceiling_together_nothing_is_reimbursed(two_employers, cast):
    person, colleague, one, two = two_employers
    counter = cast["counter"]
    # Re-file the first employer's statement lower: 5,000 + 10,000 = 15,000 < 17,500.
    Statement.objects.filter(pk=one.pk).update(status=Statement.Status.VOID)
    lower = _submit(counter, one.employer, [(person, "5000")])
    _pay(counter, lower)
    _pay(counter, two)
    assert services.statement_verify(statement_id=two.pk) == Statement.Verification.CLEAR
    assert not Reimbursement.objects.exists()


def test_a_statement_not_yet_paid_is_not_checked_for_overpayment(two_employers, cast):
    _person, _colleague, one, two = two_employers
    _pay(cast["counter"], one)
    assert services.statement_verify(statement_id=two.pk) == Statement.Verification.CLEAR
    assert not Reimbursement.objects.exists()


def test_a_void_or_missing_statement_is_left_alone(firm, cast):
    employer, p = firm
    statement = _submit(cast["counter"], employer, [(p["sixty"], "10000")])
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.VOID)
    assert services.statement_verify(statement_id=statement.pk) == Statement.Verification.PENDING
    assert not Finding.objects.exists()
    assert services.statement_verify(statement_id=10**9) == "missing"


# Resolutions ------------------------------------------------------------------------------


@pytest.fixture
def verified(october):
    _september, statement = october
    services.statement_verify(statement_id=statement.pk)
    statement.refresh_from_db()
    return statement


def test_resolving_the_last_open_finding_resolves_the_statement(verified, cast):
    verifier = cast["verifier"]
    findings = list(verified.findings.order_by("pk"))
    services.finding_resolve(finding=findings[0], officer=verifier, status="accepted", note="")
    with pytest.raises(ValidationError) as refused:
        services.finding_resolve(finding=findings[0], officer=verifier, status="accepted")
    assert refused.value.error_dict["status"][0].code == "already_resolved"
    with pytest.raises(ValidationError) as refused:
        services.finding_resolve(finding=findings[1], officer=verifier, status="referred", note=" ")
    assert "note" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.finding_resolve(finding=findings[1], officer=verifier, status="corrected")
    assert refused.value.error_dict["status"][0].code == "no_amendment"
    services.finding_resolve(finding=findings[1], officer=verifier, status="referred", note="Inspection unit")
    for finding in findings[2:-1]:
        services.finding_resolve(finding=finding, officer=verifier, status="accepted")
    verified.refresh_from_db()
    assert verified.verification == Statement.Verification.FINDINGS
    services.finding_resolve(finding=findings[-1], officer=verifier, status="accepted")
    verified.refresh_from_db()
    assert verified.verification == Statement.Verification.RESOLVED
    assert verified.history.first().history_user == verifier
    referred = Finding.objects.get(pk=findings[1].pk)
    assert (referred.status, referred.resolved_by, referred.resolution_note) == (
        "referred",
        verifier,
        "Inspection unit",
    )
    assert referred.history.first().history_user == verifier
    # A re-run of the cross-check keeps the statement resolved.
    assert services.statement_verify(statement_id=verified.pk) == Statement.Verification.RESOLVED


def test_a_finding_is_corrected_once_an_amending_statement_is_filed(verified, cast, firm):
    employer, p = firm
    finding = verified.findings.get(kind="wage_outlier", person=p["raised"])
    _submit(cast["counter"], employer, [(p["raised"], "10000")], amends=verified)
    services.finding_resolve(finding=finding, officer=cast["verifier"], status="corrected", note="Keyed 40,000")
    finding.refresh_from_db()
    assert finding.status == "corrected"


def test_accept_all_of_a_kind(verified, cast):
    count = services.findings_accept(statement=verified, kind="wage_outlier", officer=cast["verifier"])
    assert count == 3
    assert not verified.findings.filter(kind="wage_outlier", status="open").exists()
    assert verified.findings.filter(status="open").count() == 5
    assert Finding.history.filter(history_type="~", history_user=cast["verifier"]).count() == 3
    with pytest.raises(ValidationError):
        services.findings_accept(statement=verified, kind="wage_outlier", officer=cast["verifier"])


# Reimbursements ---------------------------------------------------------------------------


@pytest.fixture
def requested(two_employers, cast):
    _person, _colleague, one, two = two_employers
    counter = cast["counter"]
    _pay(counter, one)
    _pay(counter, two)
    services.statement_verify(statement_id=two.pk)
    _pay(counter, one, channel=Payment.Channel.BANK)  # and the first statement paid twice
    return Reimbursement.objects.order_by("pk")


def test_reimbursements_are_approved_batched_and_paid(requested, cast):
    verifier = cast["verifier"]
    above, twice = requested
    assert (above.kind, twice.kind, twice.amount) == ("above_ceiling", "duplicate_payment", D("1500.00"))
    services.reimbursement_approve(reimbursement=above, officer=verifier)
    with pytest.raises(ValidationError) as refused:
        services.reimbursement_reject(reimbursement=twice, officer=verifier, reason="")
    assert "reason" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.reimbursement_approve(reimbursement=above, officer=verifier)
    batch = services.reimbursement_batch_create(office=verifier.office, officer=verifier)
    assert batch.total == D("375.00")
    assert list(batch.reimbursements.all()) == [above]
    with pytest.raises(ValidationError):
        services.reimbursement_batch_create(office=verifier.office, officer=verifier)
    services.reimbursement_approve(reimbursement=twice, officer=verifier)
    second = services.reimbursement_batch_create(office=verifier.office, officer=verifier)
    assert second.total == D("1500.00")
    services.reimbursement_batch_pay(batch=batch, officer=verifier)
    above.refresh_from_db()
    twice.refresh_from_db()
    assert (above.status, twice.status) == ("paid", "approved")
    assert batch.history.first().history_user == verifier
    assert above.history.first().history_user == verifier
    with pytest.raises(ValidationError):
        services.reimbursement_batch_pay(batch=batch, officer=verifier)


def test_a_rejection_keeps_its_reason(requested, cast):
    twice = requested.get(kind="duplicate_payment")
    services.reimbursement_reject(reimbursement=twice, officer=cast["verifier"], reason="Refunded by the bank")
    twice.refresh_from_db()
    assert twice.status == "rejected"
    assert twice.history.first().history_change_reason == "Refunded by the bank"


# Pages ------------------------------------------------------------------------------------


def test_the_work_queue_lists_statements_with_findings_oldest_first(verified, cast, english_client, firm):
    employer, p = firm
    later = _submit(cast["counter"], employer, [(p["sixty"], "10000")], period=datetime.date(2026, 11, 1))
    services.statement_verify(statement_id=later.pk)
    client = english_client(cast["verifier"])
    page = client.get("/contributions/verify/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index(f'data-statement="{verified.pk}"') < body.index(f'data-statement="{later.pk}"')
    assert "Wage far from the person&#x27;s history: 3" in body
    assert "Over 60 in Section 33: 1" in body
    assert 'data-menu="verify_statements"' in body


def test_the_work_queue_is_guarded_against_n_plus_one(verified, cast, client_for, django_assert_max_num_queries):
    client = client_for(cast["verifier"])
    client.get("/contributions/verify/")
    with django_assert_max_num_queries(12):
        assert client.get("/contributions/verify/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/contributions/verify/{verified.pk}/").status_code == 200


def test_the_findings_page_shows_and_resolves(verified, cast, english_client, firm):
    _employer, p = firm
    client = english_client(cast["verifier"])
    page = client.get(f"/contributions/verify/{verified.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-status="open"') == 8
    assert "Usual wage" in body and "THB 10,000.00" in body
    assert f"/contributions/counter/?amends={verified.pk}" in body
    finding = verified.findings.get(kind="over_age")
    response = client.post(
        f"/contributions/verify/findings/{finding.pk}/resolve/", {"status": "referred", "note": "Legal unit"}
    )
    assert response.status_code == 302 and response["Location"] == f"/contributions/verify/{verified.pk}/"
    finding.refresh_from_db()
    assert (finding.status, finding.resolution_note) == ("referred", "Legal unit")
    # A refusal is shown, nothing is stored.
    other = verified.findings.get(kind="deceased")
    response = client.post(f"/contributions/verify/findings/{other.pk}/resolve/", {"status": "referred"}, follow=True)
    assert "Say to which unit" in response.content.decode()
    other.refresh_from_db()
    assert other.status == "open"
    # Accept the rest, kind by kind.
    for kind in {f.kind for f in verified.findings.filter(status="open")}:
        client.post(f"/contributions/verify/{verified.pk}/accept/", {"kind": kind})
    verified.refresh_from_db()
    assert verified.verification == Statement.Verification.RESOLVED
    assert f'data-statement="{verified.pk}"' not in client.get("/contributions/verify/").content.decode()


def test_the_reimbursements_page_decides_batches_and_pays(requested, cast, english_client):
    client = english_client(cast["verifier"])
    above, twice = requested
    body = client.get("/contributions/reimbursements/").content.decode()
    assert f'data-reimbursement="{above.pk}"' in body and "THB 375.00" in body
    client.post(f"/contributions/reimbursements/{above.pk}/decide/", {"action": "approve"})
    client.post(f"/contributions/reimbursements/{twice.pk}/decide/", {"action": "reject", "reason": "Bank refunded"})
    above.refresh_from_db()
    twice.refresh_from_db()
    assert (above.status, twice.status) == ("approved", "rejected")
    client.post("/contributions/reimbursements/batches/")
    batch = ReimbursementBatch.objects.get()
    assert batch.total == D("375.00")
    today = timezone.localdate()
    client.post(f"/contributions/reimbursements/batches/{batch.pk}/pay/", {"paid_on": f"{today:%d/%m/%Y}"})
    batch.refresh_from_db()
    above.refresh_from_db()
    assert (batch.paid_on, above.status) == (today, "paid")


URLS = {
    "queue": lambda s, f, r, b: "/contributions/verify/",
    "statement": lambda s, f, r, b: f"/contributions/verify/{s}/",
    "resolve": lambda s, f, r, b: f"/contributions/verify/findings/{f}/resolve/",
    "accept_kind": lambda s, f, r, b: f"/contributions/verify/{s}/accept/",
    "reimbursements": lambda s, f, r, b: "/contributions/reimbursements/",
    "decide": lambda s, f, r, b: f"/contributions/reimbursements/{r}/decide/",
    "batch": lambda s, f, r, b: "/contributions/reimbursements/batches/",
    "pay": lambda s, f, r, b: f"/contributions/reimbursements/batches/{b}/pay/",
}
POSTS = {"resolve", "accept_kind", "decide", "batch", "pay"}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        # The counter officer files statements but does not verify them.
        ("counter", {name: 403 for name in URLS}),
        ("supervisor", {name: 403 for name in URLS}),
        ("outsider", {name: 403 for name in URLS}),
        # The verifier of another office: its lists are empty, its records answer 404.
        (
            "other_verifier",
            {"queue": 200, "reimbursements": 200, "batch": 302}
            | {name: 404 for name in ("statement", "resolve", "accept_kind", "decide", "pay")},
        ),
        (
            "verifier",
            {"queue": 200, "statement": 200, "reimbursements": 200}
            | {name: 302 for name in ("resolve", "accept_kind", "decide", "batch", "pay")},
        ),
    ],
)
def test_access(verified, requested, cast, offices, client_for, user, expected):
    from tests.factories import StaffFactory

    if user == "other_verifier":
        officer = StaffFactory(username="other_verifier", office=offices["5000"], roles=["backoffice_verifier"])
    else:
        officer = cast[user]
    batch = ReimbursementBatch.objects.create(office=offices["1001"], created_by=cast["verifier"], total=D("0"))
    ids = (verified.pk, verified.findings.first().pk, requested.first().pk, batch.pk)
    client = client_for(officer)
    for name, url in URLS.items():
        url = url(*ids)
        response = (
            client.post(url, {"status": "accepted", "kind": "over_age", "action": "approve"})
            if (name in POSTS)
            else client.get(url)
        )
        assert response.status_code == expected[name], (name, response.status_code)
    if user == "other_verifier":
        assert f'data-statement="{verified.pk}"' not in client.get("/contributions/verify/").content.decode()
        body = client.get("/contributions/reimbursements/").content.decode()
        assert f'data-reimbursement="{requested.first().pk}"' not in body
        assert not ReimbursementBatch.objects.filter(office=offices["5000"]).exists()


# The safety net and the real worker -----------------------------------------------------------


def test_the_safety_net_enqueues_statements_left_pending(october, monkeypatch):
    september, statement = october
    sent = []
    monkeypatch.setattr(tasks.statement_verify, "delay", sent.append)
    assert tasks.statements_verify_pending() == 0  # just accepted: the task sent on commit has time
    old = timezone.now() - tasks.VERIFY_PENDING_AFTER - datetime.timedelta(minutes=1)
    Statement.objects.filter(pk=statement.pk).update(received_at=old)
    assert tasks.statements_verify_pending() == 1
    assert sent == [statement.pk]
    # September was verified before its payment posted: the overpayment checks are due too.
    Statement.objects.filter(pk=september.pk).update(
        verification="clear", verified_at=old - datetime.timedelta(minutes=5), received_at=old
    )
    Payment.objects.filter(statement=september).update(posted_at=old)
    sent.clear()
    assert tasks.statements_verify_pending() == 2
    assert set(sent) == {september.pk, statement.pk}
    services.statement_verify(statement_id=september.pk)
    services.statement_verify(statement_id=statement.pk)
    sent.clear()
    assert tasks.statements_verify_pending() == 0


def test_the_safety_net_is_on_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "contributions.tasks.statements_verify_pending" in tasks_scheduled
    assert tasks.statement_verify.acks_late and tasks.statement_verify.reject_on_worker_lost


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_verifies_a_statement_accepted_at_the_counter(reference_rules, cast, offices, celery_worker_process):
    counter = cast["counter"]
    employer = employer_make(offices["1001"], counter, n=621)
    old = employee_make(
        employer, 41, counter, started_on=datetime.date(2024, 1, 1), birth_date=datetime.date(1960, 5, 5)
    )
    young = employee_make(employer, 42, counter, started_on=datetime.date(2024, 1, 1))
    statement = _submit(counter, employer, [(old.person, "12000"), (young.person, "12000")])

    deadline = time.monotonic() + 60
    while statement.verification == Statement.Verification.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        statement.refresh_from_db()
    assert statement.verification == Statement.Verification.FINDINGS
    assert [(f.kind, f.person_id, f.detail["age"]) for f in statement.findings.all()] == [
        ("over_age", old.person_id, 66)
    ]
    assert statement.history.first().history_user is None  # the system's own change

    # Paid from a bank, twice: the worker runs the overpayment checks after each payment.
    _pay(counter, statement)
    _pay(counter, statement, channel=Payment.Channel.BANK)
    deadline = time.monotonic() + 60
    while not statement.findings.filter(kind="duplicate_payment").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert statement.findings.filter(kind="duplicate_payment").count() == 1


def test_the_reimbursements_page_takes_a_fixed_number_of_queries(
    requested, cast, english_client, django_assert_max_num_queries
):
    client = english_client(cast["verifier"])
    client.get("/contributions/reimbursements/")
    # The session, the user and menu, the list, the batches, the banks (the account to pay into
    # and the bank batch's form) and the count of returned transfers; nothing per row.
    with django_assert_max_num_queries(14):
        body = client.get("/contributions/reimbursements/").content.decode()
    assert all(f'data-reimbursement="{item.pk}"' in body for item in requested)
