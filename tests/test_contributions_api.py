"""The contributions API: statements from employers' systems, payments from banks, post offices and
the internet (idempotent, also under concurrency), voluntary payments, receipts, paid months;
refusals in Thai and English, roles and office scope."""

import datetime
import json
import threading
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from contributions import rules, services
from contributions.models import (
    ContributionMonth,
    Payment,
    Receipt,
    Reimbursement,
    Statement,
    StatementLine,
)
from registry.models import Section
from sso.core.months import month_add, month_first
from tests.factories import employee_make, employer_make, pin_make

API = "/api/contributions"
D = Decimal
WAGES = ("10000", "12000", "9000")  # 500 + 600 + 450 a side: 3,100.00 for both sides


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def this_month():
    return month_first(timezone.localdate())


def period_text(period):
    return f"{period:%Y-%m}"


def world_make(cast, offices):
    counter = cast["counter"]
    home = employer_make(offices["1001"], officer=counter, n=701)
    away = employer_make(offices["5000"], officer=cast["other_supervisor"], n=702)
    started = datetime.date(2024, 1, 1)
    people = [employee_make(home, n, officer=counter, started_on=started).person for n in (71, 72, 73)]
    stranger = employee_make(away, 74, officer=cast["other_supervisor"], started_on=started).person
    return SimpleNamespace(counter=counter, home=home, away=away, people=people, stranger=stranger)


@pytest.fixture
def world(cast, offices):
    return world_make(cast, offices)


@pytest.fixture
def api(client_for, cast):
    return client_for(cast["counter"])


def token_client(user):
    return Client(headers={"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"})


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def statement_body(world, period=None, wages=WAGES, payment=None, **fields):
    body = {
        "employer_account": world.home.account_number,
        "period": period_text(period or this_month()),
        "lines": [
            {"national_id": person.national_id, "wage": wage} for person, wage in zip(world.people, wages, strict=False)
        ],
    }
    if payment is not None:
        body["payment"] = payment
    return body | fields


def bank_payment(key="BANK-0001", amount="3100.00", **fields):
    return {"amount": amount, "method": "transfer", "reference": "TRF-1", "channel": "bank", "idempotency_key": key} | (
        fields
    )


def counts():
    return (
        Statement.objects.count(),
        StatementLine.objects.count(),
        Payment.objects.count(),
        Receipt.objects.count(),
        ContributionMonth.objects.count(),
    )


def refused(response, field, code=None):
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"], body
    assert body["detail_th"] and body["detail_en"]
    if code is not None:
        assert body["fields"][field]["code"] == code, body
    return body


# Statements ---------------------------------------------------------------------------------


def test_it_files_a_statement_and_pays_it_in_one_post(api, world):
    response = post(api, f"{API}/statements/", statement_body(world, payment=bank_payment()))
    assert response.status_code == 201, response.content
    body = response.json()
    statement = Statement.objects.get()
    assert body["statement"]["id"] == statement.pk
    assert body["statement"]["status"] == "paid" and statement.source == "api"
    assert body["statement"]["employee_total"] == "1550.00"
    assert body["amount_due"]["total"] == "3100.00" and body["amount_due"]["surcharge"] == "0.00"
    receipt = Receipt.objects.get()
    assert body["receipt_number"] == receipt.display_number == body["payment"]["receipt"]["number"]
    detail = api.get(f"{API}/statements/{statement.pk}/").json()
    assert [line["national_id"] for line in detail["lines"]] == [p.national_id for p in world.people]
    assert [line["employee_amount"] for line in detail["lines"]] == ["500.00", "600.00", "450.00"]
    assert detail["receipt_numbers"] == [receipt.display_number]
    assert detail["payments"][0]["id"] == body["payment"]["id"] and detail["amount_due"] is None
    assert body["payment"]["channel"] == "bank" and body["payment"]["idempotency_key"] == "BANK-0001"
    assert body["replayed"] is False
    assert counts() == (1, 3, 1, 1, 3)
    assert statement.history.first().history_user == world.counter


def test_a_statement_without_payment_answers_what_is_due_and_is_paid_later(api, world):
    response = post(api, f"{API}/statements/", statement_body(world, branch="000000"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["payment"] is None and body["receipt_number"] is None
    assert body["statement"]["status"] == "accepted"
    statement_id = body["statement"]["id"]
    assert body["amount_due"]["total"] == "3100.00"
    assert api.get(f"{API}/statements/{statement_id}/").json()["amount_due"]["total"] == "3100.00"

    paid = post(
        api, f"{API}/statements/{statement_id}/payments/", {"amount": "3100.00", "method": "cash", "channel": "counter"}
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["payment"]["statement"] == statement_id
    assert paid.json()["reimbursement_requested"] is False
    again = post(
        api, f"{API}/statements/{statement_id}/payments/", {"amount": "3100.00", "method": "cash", "channel": "counter"}
    )
    refused(again, "statement", "already_paid")  # at the counter a paid statement is not paid twice
    assert Payment.objects.count() == 1


def test_a_counter_payment_dated_back_needs_a_reason_and_a_supervisors_password(api, world, cast):
    from contributions import services

    body = post(api, f"{API}/statements/", statement_body(world, period=month_add(this_month(), -1))).json()
    statement = Statement.objects.get(pk=body["statement"]["id"])
    day = timezone.localdate() - datetime.timedelta(days=5)
    url = f"{API}/statements/{statement.pk}/payments/"
    paying = {
        "amount": str(services.statement_amount_due(statement, day).total),
        "method": "cash",
        "channel": "counter",
        "paid_on": str(day),
    }
    refused(post(api, url, paying), "paid_on", "before_filing")  # filed today
    Statement.objects.filter(pk=statement.pk).update(received_at=timezone.now() - datetime.timedelta(days=10))
    refused(post(api, url, paying), "date_reason", "required")
    reason = {"date_reason": "Paid in cash while the system was down"}
    refused(post(api, url, paying | reason), "date_confirmed_by", "four_eyes")
    wrong = {"supervisor": "supervisor", "supervisor_password": "not-it"}
    refused(post(api, url, paying | reason | wrong), "supervisor_password", "wrong")
    assert Payment.objects.count() == 0
    right = {"supervisor": "supervisor", "supervisor_password": "correct-horse-battery"}
    paid = post(api, url, paying | reason | right)
    assert paid.status_code == 201, paid.content
    payment = Payment.objects.get()
    assert (payment.paid_on, payment.date_confirmed_by) == (day, cast["supervisor"])


def test_it_lists_every_bad_line_in_thai_and_english_and_stores_nothing(api, world):
    body = statement_body(world)
    body["lines"][1]["contribution"] = "599.00"
    body["lines"].append({"national_id": pin_make(99), "wage": "9000"})
    body["lines"].append({"national_id": world.stranger.national_id, "wage": "9000"})
    response = post(api, f"{API}/statements/", body, **{"Accept-Language": "th"})
    assert response.status_code == 400, response.content
    answer = response.json()
    found = {(error["line"], error["field"], error["code"]) for error in answer["errors"]}
    assert found == {
        (2, "contribution", "amount"),
        (4, "national_id", "unknown_person"),
        (5, "national_id", "not_employed"),
    }
    amount = next(error for error in answer["errors"] if error["code"] == "amount")
    assert (amount["expected"], amount["found"]) == ("600.00", "599.00")
    for error in answer["errors"]:
        assert error["message_th"] and error["message_en"]
        assert error["message"] == error["message_th"]  # the caller asked for Thai
    assert "differs from what the rate gives" in amount["message_en"]
    assert answer["unknown_persons"][0]["national_id"] == pin_make(99)
    assert answer["detail_en"].startswith("The statement has 3 errors")
    assert counts() == (0, 0, 0, 0, 0)


def test_a_wrong_payment_amount_stores_neither_statement_nor_payment(api, world):
    response = post(api, f"{API}/statements/", statement_body(world, payment=bank_payment(amount="3000.00")))
    body = refused(response, "payment.amount", "wrong_amount")
    assert "3,100.00" in body["fields"]["payment.amount"]["detail_en"]
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"employer_account": "1099999999"}, "employer_account", "unknown"),
        ({"branch": "000123"}, "branch", "unknown"),
        ({"branch": "1234567"}, "branch", "length"),
        ({"period": "2026-13"}, "period", "invalid"),
        ({"period": "January"}, "period", "invalid"),
        ({"lines": [{"national_id": "123", "wage": "100"}]}, "lines.0.national_id", "length"),
        ({"lines": [{"national_id": pin_make(71), "wage": "abc"}]}, "lines.0.wage", "invalid"),
        ({"lines": "none"}, "lines.non_field_errors", "not_a_list"),
        ({"payment": {"amount": "3100.00", "channel": "telegraph"}}, "payment.channel", "invalid_choice"),
        ({"payment": {"amount": "3100.00", "channel": "bank"}}, "payment.idempotency_key", "required"),
    ],
)
def test_it_refuses_malformed_fields_by_name(api, world, change, field, code):
    refused(post(api, f"{API}/statements/", statement_body(world) | change), field, code)
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_another_offices_employer_as_unknown(api, world):
    refused(
        post(api, f"{API}/statements/", statement_body(world, employer_account=world.away.account_number)),
        "employer_account",
        "unknown",
    )


def test_it_refuses_a_future_period(api, world):
    response = post(api, f"{API}/statements/", statement_body(world, period=month_add(this_month(), 1)))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "future"
    assert response.json()["errors"][0]["line"] == 0


def test_it_checks_the_declared_totals(api, world):
    totals = {"head_count": 3, "total_wages": "31001.00", "employee_total": "1550.00"}
    response = post(api, f"{API}/statements/", statement_body(world, totals=totals))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["line"], error["field"], error["expected"]) == (0, "totals.total_wages", "31000.00")
    good = post(api, f"{API}/statements/", statement_body(world, totals=totals | {"total_wages": "31000.00"}))
    assert good.status_code == 201


def test_a_second_statement_for_the_branch_and_period_is_a_conflict(api, world):
    assert post(api, f"{API}/statements/", statement_body(world)).status_code == 201
    for headers in ({}, {"Idempotency-Key": "SAME-KEY"}):
        response = post(api, f"{API}/statements/", statement_body(world), **headers)
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "duplicate" and body["errors"][0]["code"] == "duplicate"
        assert body["detail_th"] and body["detail_en"]
    assert Statement.objects.count() == 1


def test_a_late_statement_is_paid_with_its_surcharge(api, world):
    period = month_add(this_month(), -3)
    due = D("3100.00") + rules.surcharge_compute(period, D("3100.00"), timezone.localdate()).amount
    assert due > D("3100.00")
    refused(
        post(api, f"{API}/statements/", statement_body(world, period=period, payment=bank_payment())),
        "payment.amount",
        "wrong_amount",
    )
    response = post(
        api, f"{API}/statements/", statement_body(world, period=period, payment=bank_payment(amount=str(due)))
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount_due"]["total"] == str(due)
    assert D(response.json()["payment"]["surcharge_amount"]) == due - D("3100.00")


# Idempotency --------------------------------------------------------------------------------


def test_the_same_statement_and_payment_sent_twice_is_stored_once(api, world):
    body = statement_body(world, payment=bank_payment(key="RETRY-1"))
    first = post(api, f"{API}/statements/", body)
    assert first.status_code == 201
    before = counts()
    again = post(api, f"{API}/statements/", body)
    assert again.status_code == 200, again.content
    assert again.json()["replayed"] is True
    assert again.json()["payment"]["id"] == first.json()["payment"]["id"]
    assert again.json()["receipt_number"] == first.json()["receipt_number"]
    assert counts() == before


def test_the_key_may_come_in_the_header(api, world):
    payment = bank_payment()
    del payment["idempotency_key"]
    body = statement_body(world, payment=payment)
    assert post(api, f"{API}/statements/", body, **{"Idempotency-Key": "HDR-1"}).status_code == 201
    again = post(api, f"{API}/statements/", body, **{"Idempotency-Key": "HDR-1"})
    assert again.status_code == 200 and again.json()["payment"]["idempotency_key"] == "HDR-1"
    refused(
        post(
            api, f"{API}/statements/", statement_body(world, payment=bank_payment(key="A")), **{"Idempotency-Key": "B"}
        ),
        "payment.idempotency_key",
        "mismatch",
    )
    assert Payment.objects.count() == 1


def test_a_bank_notification_posts_once_and_a_second_payment_is_reimbursed(api, world):
    post(api, f"{API}/statements/", statement_body(world))
    notification = {
        "employer_account": world.home.account_number,
        "branch": "000000",
        "period": period_text(this_month()),
        "amount": "3100.00",
        "reference": "SCB-778",
        "channel": "bank",
        "paid_on": str(timezone.localdate()),
    }
    first = post(api, f"{API}/payments/", notification, **{"Idempotency-Key": "SCB-778"})
    assert first.status_code == 201, first.content
    assert first.json()["payment"]["method"] == "transfer"
    again = post(api, f"{API}/payments/", notification, **{"Idempotency-Key": "SCB-778"})
    assert again.status_code == 200 and again.json()["payment"]["id"] == first.json()["payment"]["id"]
    assert Payment.objects.count() == 1 and Receipt.objects.count() == 1
    # Another payment of the same statement (a new key): the money has moved, so it is posted
    # and queued for reimbursement.
    second = post(api, f"{API}/payments/", notification | {"idempotency_key": "KTB-1", "channel": "internet"})
    assert second.status_code == 201 and second.json()["reimbursement_requested"] is True
    assert Reimbursement.objects.get().payment_id == second.json()["payment"]["id"]
    refused(post(api, f"{API}/payments/", notification), "idempotency_key", "required")
    refused(
        post(api, f"{API}/payments/", notification | {"period": "2020-01", "idempotency_key": "X"}), "period", "unknown"
    )


def test_a_key_used_for_another_statement_is_a_conflict(api, world):
    post(api, f"{API}/statements/", statement_body(world, payment=bank_payment(key="ONCE")))
    other = month_add(this_month(), -1)
    due = D("3100.00") + rules.surcharge_compute(other, D("3100.00"), timezone.localdate()).amount
    response = post(
        api,
        f"{API}/statements/",
        statement_body(world, period=other, payment=bank_payment(key="ONCE", amount=str(due))),
    )
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    assert Statement.objects.count() == 1


# Voluntary payments, receipts, months -------------------------------------------------------


def test_a_section39_payment_by_national_id(api, world, cast):
    from registry.services import employee_leave, section39_apply
    from tests.factories import contribution_months_make

    employment = world.people[0].employments.get()
    leaving = month_add(this_month(), -1) - datetime.timedelta(days=1)
    contribution_months_make(
        world.people[0], cast["counter"], last_period=month_add(this_month(), -3), count=12, employer=world.home
    )
    employee_leave(
        officer=cast["counter"], employment=employment, ended_on=leaving, reason="resigned", notified_on=leaving
    )
    section39_apply(officer=cast["counter"], person=world.people[0], applied_on=timezone.localdate())
    body = {
        "national_id": world.people[0].national_id,
        "section": "39",
        "period_from": period_text(month_add(this_month(), -1)),
        "period_to": period_text(this_month()),
        "amount": "864.00",
        "method": "cash",
        "channel": "counter",
    }
    response = post(api, f"{API}/voluntary-payments/", body)
    assert response.status_code == 201, response.content
    assert response.json()["payment"]["kind"] == "section39"
    assert response.json()["payment"]["national_id"] == world.people[0].national_id
    refused(
        post(api, f"{API}/voluntary-payments/", body | {"period_from": body["period_to"], "amount": "432.00"}),
        "period_from",
        "already_paid",
    )
    # Another office's person is served (a person is national, issue 15): refused here only
    # because they are not insured under Section 39.
    refused(
        post(api, f"{API}/voluntary-payments/", body | {"national_id": world.stranger.national_id}),
        "person",
        "not_insured",
    )
    refused(post(api, f"{API}/voluntary-payments/", body | {"national_id": "1234567890121"}), "national_id", "unknown")
    months = api.get(
        f"{API}/persons/{world.people[0].national_id}/months/",
        {"before": str(month_add(this_month(), 1)), "months": 3},
    )
    assert months.status_code == 200
    assert months.json()["count"] == 2
    assert {(m["period"], m["section"]) for m in months.json()["months"]} == {
        (period_text(month_add(this_month(), -1)), "39"),
        (period_text(this_month()), "39"),
    }


def test_a_persons_months_count_each_month_once(api, world, cast, offices):
    post(api, f"{API}/statements/", statement_body(world, payment=bank_payment()))
    national_id = world.people[1].national_id
    after = str(month_add(this_month(), 1))
    response = api.get(f"{API}/persons/{national_id}/months/", {"before": after, "months": 15})
    assert response.json() == {
        "count": 1,
        "months": [
            {
                "period": period_text(this_month()),
                "section": Section.S33,
                "employer_account": world.home.account_number,
                "wage": "12000.00",
                "amount": "600.00",
            }
        ],
    }
    assert api.get(f"{API}/persons/{national_id}/months/", {"months": 15}).json()["count"] == 0  # this month excluded
    assert api.get(f"{API}/persons/{national_id}/months/", {"months": "x"}).status_code == 400
    assert api.get(f"{API}/persons/{world.stranger.national_id}/months/").status_code == 200  # national
    assert api.get(f"{API}/persons/1234567890121/months/").status_code == 404


def test_receipts_list_and_detail(api, world):
    paid = post(api, f"{API}/statements/", statement_body(world, payment=bank_payment())).json()
    listed = api.get(f"{API}/receipts/").json()
    assert listed["count"] == 1
    receipt = listed["results"][0]
    assert receipt["display_number"] == paid["receipt_number"]
    assert receipt["employer_account"] == world.home.account_number and receipt["branch"] == "000000"
    assert receipt["payment"]["amount"] == "3100.00"
    detail = api.get(f"{API}/receipts/{receipt['id']}/")
    assert detail.status_code == 200 and detail.json()["voided_at"] is None


def test_statement_list_filters(api, world):
    post(api, f"{API}/statements/", statement_body(world, payment=bank_payment()))
    post(api, f"{API}/statements/", statement_body(world, period=month_add(this_month(), -1)))
    assert api.get(f"{API}/statements/").json()["count"] == 2
    assert api.get(f"{API}/statements/", {"status": "paid"}).json()["count"] == 1
    assert api.get(f"{API}/statements/", {"period": period_text(this_month())}).json()["count"] == 1
    assert api.get(f"{API}/statements/", {"employer": world.home.account_number}).json()["count"] == 2
    assert api.get(f"{API}/statements/", {"employer": world.away.account_number}).json()["count"] == 0
    assert api.get(f"{API}/statements/", {"period": "13/2026"}).status_code == 400


# Access -------------------------------------------------------------------------------------


def _other_office_records(cast, world):
    statement = services.statement_submit(
        officer=cast["other_supervisor"],
        employer=world.away,
        branch=world.away.branches.get(),
        period=this_month(),
        lines=[services.LineInput(line=1, national_id=world.stranger.national_id, wage=D("9000"))],
    )
    payment = services.statement_pay(
        officer=cast["other_supervisor"], statement=statement, amount=D("900.00"), method="cash"
    )
    return statement, payment.receipt


def test_another_offices_records_are_not_found(api, world, cast):
    statement, receipt = _other_office_records(cast, world)
    before = counts()
    for response in (
        api.get(f"{API}/statements/{statement.pk}/"),
        api.get(f"{API}/receipts/{receipt.pk}/"),
        post(api, f"{API}/statements/{statement.pk}/payments/", bank_payment(amount="900.00")),
    ):
        assert response.status_code == 404
    assert api.get(f"{API}/statements/").json()["count"] == 0
    assert api.get(f"{API}/receipts/").json()["count"] == 0
    refused(
        post(
            api,
            f"{API}/payments/",
            {"employer_account": world.away.account_number, "period": period_text(this_month())}
            | bank_payment(amount="900.00"),
        ),
        "employer_account",
        "unknown",
    )
    assert counts() == before
    national = token_client(cast["national"])
    assert national.get(f"{API}/statements/{statement.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "method", "url", "allowed"),
    [
        ("counter", "get", "statements/", True),
        ("counter", "post", "statements/", True),
        ("supervisor", "get", "statements/", True),
        ("supervisor", "post", "statements/", False),
        ("supervisor", "post", "payments/", False),
        ("supervisor", "post", "voluntary-payments/", False),
        ("supervisor", "get", "receipts/", True),
        ("supervisor", "get", "persons/{nid}/months/", True),
        ("verifier", "post", "statements/", True),
        ("outsider", "get", "statements/", False),
        ("outsider", "get", "receipts/", False),
        ("outsider", "get", "persons/{nid}/months/", False),
        ("outsider", "post", "payments/", False),
        ("anonymous", "get", "statements/", False),
        ("anonymous", "post", "statements/", False),
    ],
)
def test_access_by_role(client, cast, world, role, method, url, allowed):
    caller = client if role == "anonymous" else token_client(cast[role])
    url = f"{API}/{url.format(nid=world.people[0].national_id)}"
    if method == "get":
        response = caller.get(url)
    else:
        response = post(caller, url, statement_body(world))
    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code in (401, 403), response.content
        assert counts() == (0, 0, 0, 0, 0)


def test_filing_with_a_payment_needs_the_payment_permission(cast, world):
    from django.contrib.auth.models import Permission

    from tests.factories import StaffFactory

    filer = StaffFactory(username="filer", office=cast["counter"].office)
    filer.user_permissions.add(Permission.objects.get(codename="add_statement"))
    response = post(token_client(filer), f"{API}/statements/", statement_body(world, payment=bank_payment()))
    assert response.status_code == 403
    assert counts() == (0, 0, 0, 0, 0)


# Query counts -------------------------------------------------------------------------------


def test_the_statement_list_takes_a_fixed_number_of_queries(cast, world, django_assert_max_num_queries):
    api = token_client(cast["counter"])
    for months_back in range(8):
        period = month_add(this_month(), -months_back)
        statement = services.statement_submit(
            officer=cast["counter"],
            employer=world.home,
            branch=world.home.branches.get(),
            period=period,
            lines=[
                services.LineInput(line=n, national_id=p.national_id, wage=D("10000"))
                for n, p in enumerate(world.people, 1)
            ],
        )
        if months_back % 2:
            services.statement_pay(
                officer=cast["counter"],
                statement=statement,
                amount=services.statement_amount_due(statement).total,
                method="cash",
            )
    assert api.get(f"{API}/statements/").status_code == 200  # the token's permissions now cached
    with django_assert_max_num_queries(3):  # the token, the count, the page
        response = api.get(f"{API}/statements/")
    assert response.json()["count"] == 8
    with django_assert_max_num_queries(4):  # the token, the count, the page, nothing per row
        assert api.get(f"{API}/receipts/").json()["count"] == 4
    statement_id = response.json()["results"][0]["id"]
    with django_assert_max_num_queries(8):  # the token, scope check, the statement, lines, payments, due
        assert api.get(f"{API}/statements/{statement_id}/").status_code == 200


# Concurrency --------------------------------------------------------------------------------


def _at_once(count, work):
    start = threading.Barrier(count)
    answers, errors = [None] * count, []

    def run(index):
        try:
            start.wait()
            answers[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return answers


@pytest.mark.django_db(transaction=True)
def test_the_same_notification_sent_at_once_is_posted_once(reference_rules, cast, offices):
    world = world_make(cast, offices)
    token = Token.objects.create(user=cast["counter"]).key
    body = statement_body(world, payment=bank_payment(key="RACE-1"))
    notification = {
        "employer_account": world.home.account_number,
        "period": period_text(month_add(this_month(), -1)),
    }
    with (
        mock.patch("contributions.services.statements._verification_enqueue"),
        mock.patch("contributions.services.payments._overpayment_enqueue"),
    ):
        # The combined statement and payment, sent by six clients at once.
        answers = _at_once(
            6, lambda _i: post(Client(headers={"Authorization": f"Token {token}"}), f"{API}/statements/", body)
        )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] * 5 + [201], [a.content for a in answers]
        assert len({answer.json()["payment"]["id"] for answer in answers}) == 1
        assert counts() == (1, 3, 1, 1, 3)

        # A bank's notification of another statement, sent by six workers at once.
        statement = services.statement_submit(
            officer=cast["counter"],
            employer=world.home,
            branch=world.home.branches.get(),
            period=month_add(this_month(), -1),
            lines=[
                services.LineInput(line=n, national_id=p.national_id, wage=D(w))
                for n, (p, w) in enumerate(zip(world.people, WAGES, strict=True), 1)
            ],
        )
        due = services.statement_amount_due(statement).total
        notification |= bank_payment(key="RACE-2", amount=str(due))
        answers = _at_once(
            6, lambda _i: post(Client(headers={"Authorization": f"Token {token}"}), f"{API}/payments/", notification)
        )
        assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201]
        assert Payment.objects.filter(idempotency_key="RACE-2").count() == 1
        assert Payment.objects.count() == 2 and Reimbursement.objects.count() == 0
        assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]


def test_the_direct_answers_match_the_serializers(world, cast):
    """The peak path builds its answer without model serializers: the same JSON."""
    from contributions.api import serializers as s

    api = token_client(cast["counter"])
    response = post(api, "/api/contributions/statements/", statement_body(world, payment=bank_payment(key="SAME-1")))
    assert response.status_code == 201, response.content
    body = response.json()
    statement = Statement.objects.select_related("office", "employer", "branch").get()
    payment = Payment.objects.select_related("receipt__office", "person").get()
    assert body["statement"] == json.loads(json.dumps(s.StatementSerializer(statement).data))
    assert body["payment"] == json.loads(json.dumps(s.PaymentSerializer(payment).data))
    assert s.statement_data(statement) == s.StatementSerializer(statement).data
    assert s.payment_data(payment, payment.receipt) == s.PaymentSerializer(payment).data


def test_a_persons_months_take_a_fixed_number_of_queries(api, world, django_assert_max_num_queries):
    post(api, f"{API}/statements/", statement_body(world, payment=bank_payment()))
    national_id = world.people[1].national_id
    after = str(month_add(this_month(), 1))
    api.get(f"{API}/persons/{national_id}/months/", {"before": after, "months": 15})
    with django_assert_max_num_queries(8):  # the token, the person in scope, the months, nothing per row
        response = api.get(f"{API}/persons/{national_id}/months/", {"before": after, "months": 15})
    assert response.json()["count"] == 1
