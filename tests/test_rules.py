"""Rules administration (issue 16): the rule tables changed only by a new row from a future
date, proposed by one head-office rules administrator and confirmed by a second; checked
(overlap, gap, ranges, dates), previewed on real data, audited, read through the API, and
read-only in the Django admin."""

import datetime
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from benefits.models import BenefitParameter
from contributions import rules
from contributions.models import ContributionRate
from sso.core.formats import money_display
from sso.core.models import Office, RuleChange
from sso.core.months import month_add, month_first
from sso.core.rule_changes import rule_change_confirm, rule_change_propose, rule_change_withdraw
from tests.factories import (
    ClaimFactory,
    OfficeFactory,
    StaffFactory,
    employee_make,
    employer_make,
    province_get,
    statement_make,
)
from tests.test_throttling_tokens import one_window  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

RATE = "contributions.contributionrate"


@pytest.fixture
def head(cast):
    office = OfficeFactory(code="1000", kind=Office.Kind.HEAD, name_en="Head office", name_th="ส่วนกลาง")
    return {
        "a": StaffFactory(username="rules_a", office=office, roles=["rules_administrator"]),
        "b": StaffFactory(username="rules_b", office=office, roles=["rules_administrator"]),
        "area": StaffFactory(username="rules_area", office=cast["admin"].office, roles=["rules_administrator"]),
    }


def _next_month():
    return month_add(month_first(timezone.localdate()), 1)


def _cut(province="50", start=None, months=3, rate="3", like=None, **values):
    """A temporary cut of the employee and employer rates in one province (the other figures
    those of the national row in force on `like`, by default its start)."""
    start = start or _next_month()
    in_force = rules.rate_for(like or start)
    row = {
        "province": province_get(province) if province else None,
        "employee_rate": D(rate),
        "employer_rate": D(rate),
        "government_rate": in_force.government_rate,
        "wage_floor": in_force.wage_floor,
        "wage_ceiling": in_force.wage_ceiling,
    } | values
    end = month_add(start, months) - datetime.timedelta(days=1) if months else None
    return {"table_key": RATE, "values": row, "valid_from": start, "valid_to": end}


def _propose(officer, **change):
    return rule_change_propose(
        **(_cut() | change),
        reason=change.pop("reason", "Floods in the province"),
        legal_reference="Ministerial Regulation B.E. 2569 (2026)",
        officer=officer,
    )


def _messages(exc: ValidationError) -> dict[str, str]:
    return {language: _in(language, exc) for language in ("th", "en")}


def _in(language, exc):
    with translation.override(language):
        return " ".join(str(message) for message in exc.messages)


def test_a_province_cut_confirmed_by_a_second_administrator_applies_to_its_months_only(head, cast):
    change = _propose(head["a"])
    assert change.status == RuleChange.Status.PROPOSED
    start = change.valid_from
    chiang_mai, bangkok = province_get("50").pk, province_get("10").pk
    assert rules.rate_for(start, chiang_mai).employee_rate == D("5")  # nothing before the confirmation

    rule_change_confirm(change=change, officer=head["b"])
    rules.rules_cache_clear()

    change.refresh_from_db()
    assert change.status == RuleChange.Status.CONFIRMED
    assert change.decided_by == head["b"] and change.row_id is not None
    for month in range(3):
        assert rules.rate_for(month_add(start, month), chiang_mai).employee_rate == D("3")
        assert rules.rate_for(month_add(start, month), chiang_mai).employer_rate == D("3")
        assert rules.rate_for(month_add(start, month), bangkok).employee_rate == D("5")
    assert rules.rate_for(month_add(start, 3), chiang_mai).employee_rate == D("5")
    assert rules.rate_for(month_add(start, -1), chiang_mai).employee_rate == D("5")
    row = ContributionRate.objects.get(pk=change.row_id)
    assert row.note.startswith("Ministerial Regulation")
    assert [entry.history_user for entry in row.history.all()] == [head["b"]]


def test_a_statement_computes_with_the_row_of_its_month_and_keeps_it(head, cast):
    """A statement copies its rates when filed: the cut reaches the statements of its months
    in its province, filed once those months have come, and no statement filed before."""
    officer = cast["counter"]
    cm_employer = employer_make(cast["other_supervisor"].office, officer, n=71)
    bkk_employer = employer_make(cast["counter"].office, officer, n=72)
    cm_person = employee_make(cm_employer, 71, officer, started_on=datetime.date(2024, 1, 1)).person
    bkk_person = employee_make(bkk_employer, 72, officer, started_on=datetime.date(2024, 1, 1)).person
    this_month = month_first(timezone.localdate())
    before = statement_make(cm_employer, officer, [cm_person], period=this_month)
    assert before.employee_rate == D("5")

    change = _propose(head["a"])
    rule_change_confirm(change=change, officer=head["b"])
    rules.rules_cache_clear()
    start = change.valid_from

    def filed(employer, person, period):
        return statement_make(employer, officer, [person], period=period, today=period + datetime.timedelta(days=3))

    cut = filed(cm_employer, cm_person, start)
    assert (cut.employee_rate, cut.employer_rate, cut.employee_total) == (D("3"), D("3"), D("300.00"))
    assert filed(bkk_employer, bkk_person, start).employee_total == D("500.00")
    assert filed(cm_employer, cm_person, month_add(start, 3)).employee_total == D("500.00")
    before.refresh_from_db()
    assert (before.employee_rate, before.employee_total) == (D("5"), D("500.00"))


@pytest.mark.parametrize(
    ("change", "field", "english"),
    [
        ({"valid_from": "past"}, "valid_from", "A change starts on a future date"),
        ({"rate": "50"}, "employee_rate", "A rate must be between 0% and 15%."),
        ({"wage_ceiling": D("1000")}, "wage_ceiling", "The wage ceiling must be above the wage floor."),
        ({"province": None, "months": 0}, "valid_from", "which starts within it"),
        ({"province": None, "start": datetime.date(2029, 1, 1)}, "valid_from", "which starts within it"),
        ({"start": "mid-month"}, "valid_from", "a row starts on the first day of a month"),
    ],
)
def test_it_refuses_bad_input_in_thai_and_english_and_stores_nothing(head, change, field, english):
    if change.get("valid_from") == "past":
        change = {"start": month_first(timezone.localdate())}
    if change.get("start") == "mid-month":
        change = {"start": _next_month() + datetime.timedelta(days=4)}
    rows = ContributionRate.objects.count()
    with pytest.raises(ValidationError) as refused:
        _propose(head["a"], **_cut(**change))
    assert field in refused.value.message_dict
    texts = _messages(refused.value)
    assert english in texts["en"]
    assert texts["th"] != texts["en"] and english not in texts["th"]
    assert RuleChange.objects.count() == 0 and ContributionRate.objects.count() == rows


def test_it_refuses_a_change_overlapping_one_already_proposed(head):
    _propose(head["a"])
    with pytest.raises(ValidationError) as refused:
        _propose(head["b"], **_cut(start=month_add(_next_month(), 2)))
    assert "already proposed" in _messages(refused.value)["en"]
    assert RuleChange.objects.count() == 1


def test_it_refuses_a_gap_in_a_table_that_must_always_have_a_row(head):
    last = ContributionRate.objects.filter(province=None, valid_to__isnull=True).get()
    ContributionRate.objects.filter(pk=last.pk).update(valid_to=datetime.date(2033, 12, 31))
    with pytest.raises(ValidationError) as refused:
        _propose(
            head["a"], **_cut(province=None, start=datetime.date(2034, 3, 1), months=0, like=datetime.date(2033, 1, 1))
        )
    assert "would have no row from" in _messages(refused.value)["en"]
    assert RuleChange.objects.count() == 0


def test_a_temporary_national_change_cuts_the_row_in_force_around_it(head):
    before = rules.rate_for(month_first(timezone.localdate()))
    change = rule_change_confirm(change=_propose(head["a"], **_cut(province=None, rate="4")), officer=head["b"])
    rules.rules_cache_clear()
    start, end = change.valid_from, change.valid_to
    before.refresh_from_db()
    assert before.valid_to == start - datetime.timedelta(days=1)
    after = ContributionRate.objects.get(province=None, valid_from=end + datetime.timedelta(days=1))
    assert after.valid_to == datetime.date(2028, 12, 31) and after.employee_rate == D("5")
    assert [rules.rate_for(month_add(start, n)).employee_rate for n in (-1, 0, 2, 3)] == [D(5), D(4), D(4), D(5)]
    assert rules.rate_for(datetime.date(2029, 1, 1)).wage_ceiling == D("20000")


def test_the_proposer_cannot_confirm_and_nothing_changes(head):
    change = _propose(head["a"])
    with pytest.raises(ValidationError) as refused:
        rule_change_confirm(change=change, officer=head["a"])
    assert "cannot confirm" in _messages(refused.value)["en"]
    change.refresh_from_db()
    assert change.status == RuleChange.Status.PROPOSED and change.row_id is None
    assert not ContributionRate.objects.filter(province__code="50").exists()


def test_a_confirmation_after_the_start_date_is_refused(head):
    change = _propose(head["a"])
    with pytest.raises(ValidationError) as refused:
        rule_change_confirm(change=change, officer=head["b"], today=change.valid_from)
    texts = _messages(refused.value)
    assert "which has come" in texts["en"] and "which has come" not in texts["th"]
    change.refresh_from_db()
    assert change.status == RuleChange.Status.PROPOSED
    assert not ContributionRate.objects.filter(province__code="50").exists()


def test_a_withdrawn_change_cannot_be_confirmed_and_both_steps_are_in_its_history(head):
    change = _propose(head["a"])
    rule_change_withdraw(change=change, officer=head["a"])
    with pytest.raises(ValidationError):
        rule_change_confirm(change=change, officer=head["b"])
    change.refresh_from_db()
    assert change.status == RuleChange.Status.WITHDRAWN and change.decided_by == head["a"]
    steps = list(change.history.order_by("history_date").values_list("status", "history_user__username"))
    assert steps == [("proposed", "rules_a"), ("withdrawn", "rules_a")]


def test_only_a_head_office_rules_administrator_proposes_or_confirms(head, cast):
    for officer in (head["area"], cast["admin"]):
        with pytest.raises(ValidationError):
            _propose(officer)
    change = _propose(head["a"])
    with pytest.raises(ValidationError):
        rule_change_confirm(change=change, officer=head["area"])
    assert RuleChange.objects.get().status == RuleChange.Status.PROPOSED


def test_an_open_row_is_closed_the_day_before_the_new_open_row(head):
    BenefitParameter.objects.filter(key="sickness.qualifying_months").update(valid_to=None)
    current = BenefitParameter.objects.filter(key="sickness.qualifying_months").order_by("-valid_from").first()
    start = timezone.localdate() + datetime.timedelta(days=10)
    change = rule_change_propose(
        table_key="benefits.benefitparameter",
        values={"key": "sickness.qualifying_months", "value": D("4")},
        valid_from=start,
        valid_to=None,
        reason="Act amended",
        legal_reference="Social Security Act amendment",
        officer=head["a"],
    )
    change = rule_change_confirm(change=change, officer=head["b"])
    current.refresh_from_db()
    assert current.valid_to == start - datetime.timedelta(days=1)
    assert BenefitParameter.objects.get(pk=change.row_id).value == D("4")


def test_the_previews_read_real_data(head, cast):
    officer = cast["counter"]
    employer = employer_make(cast["other_supervisor"].office, officer, n=73)
    people = [employee_make(employer, n, officer, started_on=datetime.date(2024, 1, 1)).person for n in (73, 74)]
    statement_make(employer, officer, people, wages=["10000", "30000"], period=datetime.date(2025, 10, 1))
    change = _propose(head["a"])
    preview = rules_table("contributions.contributionrate").preview(change)
    # The last period filed (10/2025), its wages under the row in force for the change's first
    # month (5% + 5%, the wage of 30,000 at its ceiling) and under the cut (3% + 3%).
    ceiling = rules.rate_for(change.valid_from).wage_ceiling
    old = (D("10000") + ceiling) * D("0.10")
    new = (D("10000") + ceiling) * D("0.06")
    assert preview.totals[1] == 2
    assert preview.totals[4] == money_display(new - old)
    assert len(preview.rows) == 1

    person = people[0]
    event = timezone.localdate() + datetime.timedelta(days=20)
    ClaimFactory(person=person, event_date=event, status="examined")
    ClaimFactory(person=person, event_date=event, status="approved", event_key="decided")
    ClaimFactory(person=person, event_date=event - datetime.timedelta(days=30), event_key="earlier")
    parameter = rule_change_propose(
        table_key="benefits.benefitparameter",
        values={"key": "sickness.qualifying_months", "value": D("4")},
        valid_from=timezone.localdate() + datetime.timedelta(days=10),
        valid_to=None,
        reason="Act amended",
        legal_reference="Social Security Act amendment",
        officer=head["a"],
    )
    with translation.override("en"):
        summary = str(rules_table("benefits.benefitparameter").preview(parameter).summary)
    assert summary.endswith(": 1.")


def rules_table(key):
    from sso.core.rules import table_get

    return table_get(key)


def test_the_pages_propose_show_the_preview_and_confirm(head, client_for):
    start = _next_month()
    end = month_add(start, 3) - datetime.timedelta(days=1)
    rate = rules.rate_for(start)
    client = client_for(head["a"])
    form = {
        "row-province": province_get("50").pk,
        "row-employee_rate": "3",
        "row-employer_rate": "3",
        "row-government_rate": str(rate.government_rate),
        "row-wage_floor": str(rate.wage_floor),
        "row-wage_ceiling": str(rate.wage_ceiling),
        "valid_from": start.isoformat(),
        "valid_to": end.isoformat(),
        "reason": "Floods",
        "legal_reference": "Announcement 1/2569",
    }
    refused = client.post(f"/rules/{RATE}/propose/", form | {"row-employee_rate": "50"})
    assert refused.status_code == 200 and "อัตราต้องอยู่ระหว่างร้อยละ 0 ถึง 15" in refused.text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(f"/rules/{RATE}/propose/", form | {"row-employee_rate": "50"})
    assert "A rate must be between 0% and 15%." in refused.text
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert RuleChange.objects.count() == 0
    answer = client.post(f"/rules/{RATE}/propose/", form)
    change = RuleChange.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/rules/changes/{change.pk}/"
    page = client.get(f"/rules/changes/{change.pk}/")
    assert 'data-testid="preview"' in page.text and 'data-testid="confirm"' not in page.text
    assert client.post(f"/rules/changes/{change.pk}/confirm/").status_code == 302
    change.refresh_from_db()
    assert change.status == RuleChange.Status.PROPOSED  # the proposer's own confirmation: refused

    other = client_for(head["b"])
    assert other.post(f"/rules/changes/{change.pk}/confirm/").status_code == 302
    change.refresh_from_db()
    assert change.status == RuleChange.Status.CONFIRMED
    table = other.get(f"/rules/{RATE}/")
    assert "rules_a" in table.text and "rules_b" in table.text
    assert str(start.year + 543) in table.text  # B.E. dates
    assert other.get("/rules/").status_code == 200


def test_the_api_gives_the_rows_in_force_on_a_day(head, cast, client_for):
    change = _propose(head["a"])
    rule_change_confirm(change=change, officer=head["b"])
    client = client_for(cast["counter"])
    tables = client.get("/api/rules/").json()
    assert RATE in {table["key"] for table in tables}
    answer = client.get(f"/api/rules/{RATE}/", {"on": change.valid_from.isoformat()}).json()
    scopes = {row["scope"]["province"]: row["values"]["employee_rate"] for row in answer["rows"]}
    assert scopes == {None: "5.00", "50": "3.00"}
    for province, expected in (("50", ["3.00"]), ("10", ["5.00"])):
        rows = client.get(f"/api/rules/{RATE}/", {"on": change.valid_from.isoformat(), "province": province}).json()
        assert [row["values"]["employee_rate"] for row in rows["rows"]] == expected
    assert client.get("/api/rules/no.such/").status_code == 404


def test_the_admin_shows_the_rule_tables_read_only(cast, client_for):
    client = client_for(cast["admin"])
    row = ContributionRate.objects.filter(province=None).first()
    assert client.get("/admin/contributions/contributionrate/").status_code == 200
    assert client.get("/admin/contributions/contributionrate/add/").status_code == 403
    assert client.get(f"/admin/contributions/contributionrate/{row.pk}/change/").status_code == 200
    answer = client.post(f"/admin/contributions/contributionrate/{row.pk}/change/", {"employee_rate": "1"})
    assert answer.status_code == 403
    row.refresh_from_db()
    assert row.employee_rate == D("5")


def test_the_rules_pages_answer_in_as_many_queries_whatever_their_rows(head, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(head["a"])
    codes = iter(("50", "10", "40", "90", "20", "30"))

    def add(n):
        for _ in range(n):
            change = _propose(head["a"], **_cut(province=next(codes)))
            rule_change_confirm(change=change, officer=head["b"])

    def count(url):
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    first = {url: count(url) for url in ("/rules/", f"/rules/{RATE}/")}
    add(3)
    assert {url: count(url) for url in first} == first
    assert first["/rules/"] <= 40 and first[f"/rules/{RATE}/"] <= 20


def test_a_claim_keeps_the_working_it_was_examined_with_and_later_events_read_the_new_row(head, cast):
    """A benefit parameter changes the claims whose event falls in its period, when they are
    examined; a claim examined before keeps its amount and working."""
    from benefits import services as benefits
    from contributions.models import ContributionMonth, Payment

    officer = cast["counter"]
    employer = employer_make(officer.office, officer, n=75)
    person = employee_make(employer, 75, officer, started_on=datetime.date(2024, 1, 1)).person
    this_month = month_first(timezone.localdate())
    periods = [month_add(this_month, n) for n in range(-6, 1)]
    payment = Payment.objects.create(
        office=person.office,
        kind=Payment.Kind.SECTION39,
        person=person,
        period_from=periods[0],
        period_to=periods[-1],
        method="cash",
        contribution_amount=D("0"),
        amount=D("0"),
        paid_on=periods[-1],
        posted_by=officer,
    )
    ContributionMonth.objects.bulk_create(
        ContributionMonth(person=person, period=period, section="33", wage=D("15000"), amount=D("750"), payment=payment)
        for period in periods
    )

    def examined(event):
        claim = benefits.claim_record(
            officer=officer,
            person=person,
            benefit="sickness",
            event_date=event,
            details={"days_off": 10},
            presented=["claim_form"],
            today=event,
        )
        return benefits.claim_examine(claim=claim, officer=officer)

    before = examined(timezone.localdate() - datetime.timedelta(days=1))
    amount, working = before.amount, before.working
    start = _next_month()
    change = rule_change_propose(
        table_key="benefits.benefitparameter",
        values={"key": "sickness.cash_rate", "value": D("60")},
        valid_from=start,
        valid_to=None,
        reason="Cash benefit raised",
        legal_reference="Ministerial Regulation on sickness benefit",
        officer=head["a"],
    )
    rule_change_confirm(change=change, officer=head["b"])
    from benefits.rules import rules_cache_clear

    rules_cache_clear()
    before.refresh_from_db()
    assert (before.amount, before.working) == (amount, working)
    after = examined(start + datetime.timedelta(days=4))
    assert after.amount == amount * D("1.2")  # 60% instead of 50% of the same daily wage


def test_a_payroll_systems_token_reads_the_rates_and_is_throttled_like_the_rest(cast, client, settings, one_window):  # noqa: F811
    from rest_framework.authtoken.models import Token

    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"token": "2/s"}
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=cast['counter']).key}"}
    url = f"/api/rules/{RATE}/?on=2029-01-01"
    answers = [client.get(url, **auth) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[0].json()["rows"][0]["values"]["wage_ceiling"] == "20000.00"
    assert client.get(url).status_code in (401, 403)  # not signed in


def test_a_checklist_change_applies_to_claims_recorded_from_its_start_and_earlier_claims_keep_theirs(head, cast):
    """A document checklist (`DocumentRequirement`) is a dated rule table: a change confirmed
    from next month makes the checklist of the claims recorded from then (and the phone page's
    documents to bring, the data-completeness panel's facts); a claim recorded before keeps the
    checklist it was recorded with."""
    from benefits import selectors
    from benefits import services as benefits
    from benefits.models import DocumentRequirement

    officer = cast["counter"]
    employer = employer_make(officer.office, officer, n=76)
    person = employee_make(employer, 76, officer, started_on=datetime.date(2024, 1, 1)).person
    today, start = timezone.localdate(), _next_month()
    certificate = DocumentRequirement.objects.get(benefit="sickness", code="medical_certificate")
    assert certificate.valid_from == datetime.date(1991, 1, 1) and certificate.valid_to is None  # the migration's

    def record(day, event=None):
        claim = benefits.claim_record(
            officer=officer,
            person=person,
            benefit="sickness",
            event_date=event or day,
            details={"days_off": 3},
            today=day,
        )
        return {document.requirement.code: document.requirement for document in claim.documents.all()}

    def propose(code, **values):
        row = DocumentRequirement.objects.get(benefit="sickness", code=code, valid_from__lte=today)
        fields = ("name_th", "name_en", "registry_fact", "required", "order", "is_active")
        change = rule_change_propose(
            table_key="benefits.documentrequirement",
            values={"benefit": "sickness", "code": code} | {name: getattr(row, name) for name in fields} | values,
            valid_from=start,
            valid_to=None,
            reason="Checklist simplified",
            legal_reference="SSO announcement on sickness claims",
            officer=head["a"],
        )
        rule_change_confirm(change=change, officer=head["b"])

    before = record(today)
    propose("medical_certificate", name_en="Medical certificate with the doctor's licence number")
    propose("receipt", is_active=False)  # off the checklist from next month
    # Recorded this month (another event): this month's checklist.
    assert record(today, event=today - datetime.timedelta(days=20)).keys() == before.keys()
    after = record(start + datetime.timedelta(days=2))
    assert "receipt" in before and "receipt" not in after
    assert after["medical_certificate"].name_en == "Medical certificate with the doctor's licence number"
    assert before["medical_certificate"].name_en == "Medical certificate"
    assert after["medical_certificate"].valid_from == start
    certificate.refresh_from_db()
    assert certificate.valid_to == start - datetime.timedelta(days=1)  # closed the day before; the earlier claims'
    assert "Medical expense receipt" in [name for _, name, _ in selectors.service_documents("sickness")]
    later = [name for _, name, _ in selectors.service_documents("sickness", on=start)]
    assert "Medical expense receipt" not in later and "Medical certificate with the doctor's licence number" in later


def test_a_checklist_change_is_refused_from_today_and_the_admin_is_read_only(head, cast, client_for):
    from benefits.models import DocumentRequirement

    row = DocumentRequirement.objects.get(benefit="sickness", code="receipt")
    with pytest.raises(ValidationError) as refused:
        rule_change_propose(
            table_key="benefits.documentrequirement",
            values={"benefit": "sickness", "code": "receipt", "name_th": "", "name_en": "Receipt", "order": 3},
            valid_from=timezone.localdate(),
            valid_to=None,
            reason="r",
            legal_reference="l",
            officer=head["a"],
        )
    assert {"valid_from", "name_th"} <= set(refused.value.message_dict)
    assert not RuleChange.objects.exists()
    client = client_for(cast["admin"])
    assert client.get("/admin/benefits/documentrequirement/").status_code == 200
    assert client.get("/admin/benefits/documentrequirement/add/").status_code == 403
    answer = client.post(f"/admin/benefits/documentrequirement/{row.pk}/change/", {"name_en": "x"})
    assert answer.status_code == 403
    row.refresh_from_db()
    assert row.name_en == "Medical expense receipt"
    rules_admin = client_for(head["a"])
    for url in ("/rules/benefits.documentrequirement/", "/rules/benefits.documentrequirement/propose/"):
        assert rules_admin.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
