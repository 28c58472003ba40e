"""Contribution pages: the counter's one-step flow (statement, payment, receipt), the receipt
PDF and its void, the statement pages, the queue's link and the person page's panel."""

import datetime
import re
import shutil
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from contributions import rules, services
from contributions.filters import StatementFilter
from contributions.models import ContributionMonth, Payment, Receipt, Statement
from contributions.receipts import receipt_pdf
from contributions.services import LineInput
from sso.core.formats import baht_text
from sso.core.months import month_add, month_first
from tests.factories import employee_make, employer_make, pin_make

D = Decimal


@pytest.fixture(autouse=True)
def _english(client):
    # The pages answer in the language chosen with the switch (Thai otherwise).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _period():
    return month_add(month_first(timezone.localdate()), -1)


def _due(contributions):
    return contributions + rules.surcharge_compute(_period(), contributions, timezone.localdate()).amount


@pytest.fixture
def firm(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=601)
    people = [
        employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1), monthly_wage=D(wage)).person
        for n, wage in ((61, "10000"), (62, "20000"))
    ]
    return employer, people


def _post(employer, people, wages, action="pay", amount=None, **extra):
    data = {
        "employer": employer.pk,
        "branch": "000000",
        "period": f"{_period():%m/%Y}",
        "method": "cash",
        "reference": "",
        "amount": "" if amount is None else str(amount),
        "national_id": [p if isinstance(p, str) else p.national_id for p in people] + [""],
        "wage": [str(w) for w in wages] + [""],
        "action": action,
    }
    data.update(extra)
    return data


@pytest.fixture
def paid(firm, cast):
    employer, people = firm
    statement = services.statement_submit(
        officer=cast["counter"],
        employer=employer,
        branch=employer.branches.get(),
        period=_period(),
        lines=[LineInput(line=n, national_id=p.national_id, wage=D(w)) for n, (p, w) in enumerate(
            zip(people, ("10000", "20000"), strict=True), 1)],
    )  # fmt: skip
    payment = services.statement_pay(
        officer=cast["counter"], statement=statement, amount=_due(D("2750.00")), method="cash"
    )
    return payment.receipt


# The counter ------------------------------------------------------------------------------


def test_the_counter_finds_the_employer_by_account_and_prelists_its_employees(firm, cast, client_for):
    employer, people = firm
    client = client_for(cast["counter"])
    found = client.get(reverse("contributions:counter"), {"account": employer.account_number})
    assert found["Location"] == reverse("contributions:counter") + f"?employer={employer.pk}"
    # Opened on the last month (without one the counter opens the oldest month due,
    # test_employer_account.py).
    html = client.get(found["Location"] + f"&period={_period():%m/%Y}").content.decode()
    for person in people:
        assert person.national_id in html and person.full_name in html
    assert 'value="10000.00"' in html and 'value="20000.00"' in html
    assert f'value="{_due(D("2750.00")):.2f}"' in html  # the amount received, pre-filled
    missing = client.get(reverse("contributions:counter"), {"account": "9999999999"}).content.decode()
    assert "No employer has this account number, tax ID or name." in missing


def test_the_counter_check_shows_each_bad_line_and_stores_nothing(firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"),
        _post(employer, [people[0], pin_make(98), people[1]], ["10000", "9000", "-5"], action="check"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No insured person has this ID" in html
    assert "The wage cannot be negative." in html
    assert html.count('data-testid="line-error"') == 2
    assert not Statement.objects.exists()


def test_the_counter_check_of_a_correct_statement_gives_the_amount_due(firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], action="check", amount="1")
    )
    html = response.content.decode()
    assert "The statement is correct" in html
    assert f'value="{_due(D("2750.00")):.2f}"' in html  # the amount is reset to what is due
    assert not Statement.objects.exists()


def test_accept_and_pay_files_the_statement_posts_the_payment_and_issues_the_receipt(firm, cast, client_for):
    employer, people = firm
    due = _due(D("2750.00"))
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], amount=f"{due:,.2f}")
    )
    statement = Statement.objects.get()
    payment = Payment.objects.get()
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("contributions:receipt_detail", args=[receipt.pk]) + "?print=1"
    assert statement.status == Statement.Status.PAID and statement.head_count == 2
    assert payment.amount == due and payment.statement == statement and payment.posted_by == cast["counter"]
    assert ContributionMonth.objects.filter(payment=payment).count() == 2
    page = client_for(cast["counter"]).get(response["Location"]).content.decode()
    assert receipt.display_number in page and 'data-testid="receipt-pdf"' in page


def test_a_wrong_amount_stores_neither_statement_nor_payment(firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], amount="100.00")
    )
    assert response.status_code == 200
    assert 'data-testid="amount-error"' in response.content.decode()
    assert not Statement.objects.exists() and not Payment.objects.exists() and not Receipt.objects.exists()


def test_a_cheque_without_reference_is_refused_on_its_field(firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"),
        _post(employer, people, ["10000", "20000"], amount=_due(D("2750.00")), method="cheque"),
    )
    assert "Give the cheque number or the transfer reference." in response.content.decode()
    assert not Statement.objects.exists()


def test_accept_without_payment_then_pay_from_the_statement_page(firm, cast, client_for):
    employer, people = firm
    client = client_for(cast["counter"])
    response = client.post(reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], "accept"))
    statement = Statement.objects.get()
    assert response["Location"] == statement.get_absolute_url()
    assert statement.status == Statement.Status.ACCEPTED and not Payment.objects.exists()
    page = client.get(statement.get_absolute_url()).content.decode()
    assert 'data-testid="pay-form"' in page
    pay_url = reverse("contributions:statement_pay", args=[statement.pk])
    refused = client.post(pay_url, {"method": "cash", "amount": "1.00"})
    assert refused.status_code == 200 and not Payment.objects.exists()
    paid = client.post(pay_url, {"method": "cash", "amount": str(_due(D("2750.00")))})
    assert paid["Location"].startswith(Receipt.objects.get().get_absolute_url())
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID


def test_the_statement_page_takes_a_payment_dated_back_with_the_supervisors_password(firm, cast, client_for):
    employer, people = firm
    client = client_for(cast["counter"])
    client.post(reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], "accept"))
    statement = Statement.objects.get()
    day = timezone.localdate() - datetime.timedelta(days=3)
    Statement.objects.filter(pk=statement.pk).update(received_at=timezone.now() - datetime.timedelta(days=5))
    pay_url = reverse("contributions:statement_pay", args=[statement.pk])
    amount = str(services.statement_amount_due(statement, day).total)
    paying = {"method": "cash", "amount": amount, "paid_on": f"{day:%d/%m/%Y}"}
    page = client.post(pay_url, paying).content.decode()
    assert "needs the reason" in page and not Payment.objects.exists()
    paying["date_reason"] = "Paid while the system was down"
    page = client.post(pay_url, paying | {"supervisor": "supervisor", "supervisor_password": "wrong"}).content.decode()
    assert "username or password is wrong" in page and not Payment.objects.exists()
    page = client.post(pay_url, paying | {"supervisor": "counter", "supervisor_password": "correct-horse-battery"})
    assert "needs a supervisor of the office" in page.content.decode() and not Payment.objects.exists()
    paid = client.post(pay_url, paying | {"supervisor": "supervisor", "supervisor_password": "correct-horse-battery"})
    assert paid.status_code == 302, paid.content.decode()
    payment = Payment.objects.get()
    assert (payment.paid_on, payment.date_confirmed_by, payment.date_reason) == (
        day,
        cast["supervisor"],
        "Paid while the system was down",
    )


def test_a_second_statement_for_the_same_period_is_refused_at_the_top(paid, firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:counter"), _post(employer, people, ["10000", "20000"], amount=_due(D("2750.00")))
    )
    assert "already filed" in response.content.decode()
    assert Statement.objects.count() == 1 and Payment.objects.count() == 1


def test_the_grid_looks_up_names_as_the_officer_types(firm, cast, client_for):
    employer, people = firm
    client = client_for(cast["counter"])
    url = reverse("contributions:counter_person")
    known = client.get(url, {"employer": employer.pk, "national_id": people[1].national_id}).json()
    assert known == {"found": True, "name": people[1].full_name, "employed": True, "wage": "20000.00", "message": ""}
    assert client.get(url, {"employer": employer.pk, "national_id": pin_make(97)}).json()["found"] is False


def test_the_grid_does_not_name_another_offices_person_the_employer_does_not_employ(firm, cast, client_for, offices):
    employer, _people = firm
    elsewhere = employer_make(offices["5000"], cast["other_supervisor"], n=931)
    stranger = employee_make(elsewhere, 93, cast["other_supervisor"]).person
    stranger.office = offices["5000"]
    stranger.save(update_fields=["office"])
    url = reverse("contributions:counter_person")
    answer = client_for(cast["counter"]).get(url, {"employer": employer.pk, "national_id": stranger.national_id})
    assert answer.json() == {
        "found": True,
        "name": "",
        "employed": False,
        "wage": "",
        "message": "Not employed by this employer on record.",
    }


# Receipts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("2750.50", "สองพันเจ็ดร้อยห้าสิบบาทห้าสิบสตางค์"),
        ("100", "หนึ่งร้อยบาทถ้วน"),
        ("0.25", "ยี่สิบห้าสตางค์"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("1", "หนึ่งบาทถ้วน"),
        ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
        ("12345678.90", "สิบสองล้านสามแสนสี่หมื่นห้าพันหกร้อยเจ็ดสิบแปดบาทเก้าสิบสตางค์"),
    ],
)
def test_baht_text_writes_the_amount_in_thai_words(amount, words):
    assert baht_text(D(amount)) == words


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with its compressed streams inflated (fonts, pages)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _pdf_text(pdf: bytes, tmp_path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_receipt_pdf_is_a_pdf_with_thai_text(paid, cast, client_for, tmp_path):
    response = client_for(cast["counter"]).get(reverse("contributions:receipt_pdf", args=[paid.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    objects = _pdf_objects(pdf)
    assert re.search(rb"/BaseFont\s*/\w+\+(Sarabun|Garuda|Loma)", objects)  # a Thai font is embedded
    assert len(re.findall(rb"/Type\s*/Page\b", objects)) == 1  # one page
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert paid.display_number in text and baht_text(paid.payment.amount) in text.replace("\n", "")


def test_the_void_flow_stamps_the_receipt_and_reverses_the_payment(paid, cast, client_for):
    url = reverse("contributions:receipt_void", args=[paid.pk])
    assert client_for(cast["counter"]).get(url).status_code == 403
    supervisor = client_for(cast["supervisor"])
    refused = supervisor.post(url, {"reason": "   "})
    assert refused.status_code == 200 and Receipt.objects.get().voided_at is None
    response = supervisor.post(url, {"reason": "Wrong employer"})
    assert response["Location"] == paid.get_absolute_url()
    paid.refresh_from_db()
    assert paid.voided_by == cast["supervisor"] and paid.void_reason == "Wrong employer"
    assert paid.payment.status == Payment.Status.VOID
    assert paid.payment.statement.status == Statement.Status.ACCEPTED
    page = supervisor.get(paid.get_absolute_url()).content.decode()
    assert 'data-testid="void"' in page and "Wrong employer" in page
    assert receipt_pdf(paid).startswith(b"%PDF")
    day = supervisor.get(reverse("contributions:receipt_list")).content.decode()
    assert paid.display_number in day and "VOID" in day


def test_the_receipt_list_shows_the_days_receipts_and_total(paid, cast, client_for):
    client = client_for(cast["supervisor"])
    html = client.get(reverse("contributions:receipt_list")).content.decode()
    assert paid.display_number in html
    other_day = client.get(reverse("contributions:receipt_list"), {"day": "01/01/2025"}).content.decode()
    assert paid.display_number not in other_day


# Access -----------------------------------------------------------------------------------

ACCESS = [
    # (user, url name, needs the receipt's or statement's pk, expected status)
    ("counter", "contributions:counter", None, 200),
    ("verifier", "contributions:counter", None, 200),
    ("supervisor", "contributions:counter", None, 403),
    ("outsider", "contributions:counter", None, 403),
    ("counter", "contributions:statement_list", None, 200),
    ("supervisor", "contributions:statement_list", None, 200),
    ("outsider", "contributions:statement_list", None, 403),
    ("counter", "contributions:statement_detail", "statement", 200),
    ("verifier", "contributions:statement_detail", "statement", 200),
    ("supervisor", "contributions:statement_detail", "statement", 200),
    ("other_supervisor", "contributions:statement_detail", "statement", 404),
    ("outsider", "contributions:statement_detail", "statement", 403),
    ("counter", "contributions:receipt_detail", "receipt", 200),
    ("other_supervisor", "contributions:receipt_detail", "receipt", 404),
    ("outsider", "contributions:receipt_detail", "receipt", 403),
    ("other_supervisor", "contributions:receipt_pdf", "receipt", 404),
    ("outsider", "contributions:receipt_pdf", "receipt", 403),
    ("counter", "contributions:receipt_void", "receipt", 403),
    ("supervisor", "contributions:receipt_void", "receipt", 200),
    ("other_supervisor", "contributions:receipt_void", "receipt", 404),
    ("counter", "contributions:receipt_list", None, 200),
    ("supervisor", "contributions:receipt_list", None, 200),
    ("outsider", "contributions:receipt_list", None, 403),
]


@pytest.mark.parametrize(("user", "name", "target", "status"), ACCESS)
def test_access(paid, cast, client_for, user, name, target, status):
    args = {"receipt": [paid.pk], "statement": [paid.payment.statement_id], None: []}[target]
    assert client_for(cast[user]).get(reverse(name, args=args)).status_code == status


def test_another_offices_employer_is_not_found_at_the_counter(firm, cast, client_for, offices):
    employer, _people = firm
    other = employer_make(offices["5000"], cast["counter"], n=602)
    client = client_for(cast["counter"])
    assert client.get(reverse("contributions:counter"), {"employer": other.pk}).status_code == 404
    html = client.get(reverse("contributions:counter"), {"account": other.account_number}).content.decode()
    assert "kept by another office" in html and 'data-testid="open-counter"' not in html


# Statement pages --------------------------------------------------------------------------


def test_the_statement_list_filters_and_stays_in_a_fixed_number_of_queries(
    firm, cast, client_for, offices, django_assert_max_num_queries
):
    employer, people = firm
    for month in range(1, 9):
        services.statement_submit(
            officer=cast["counter"],
            employer=employer,
            branch=employer.branches.get(),
            period=datetime.date(2026, month, 1),
            lines=[LineInput(line=1, national_id=people[0].national_id, wage=D("9000"))],
        )
    client = client_for(cast["counter"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contributions:statement_list"), {"employer": employer.account_number})
    assert len(re.findall(r'href="/contributions/statements/\d+/"', response.content.decode())) == 8
    march = client.get(reverse("contributions:statement_list"), {"period": "03/2569"}).content.decode()
    assert len(re.findall(r'href="/contributions/statements/\d+/"', march)) == 1
    assert (
        "No statement matches."
        in client_for(cast["other_supervisor"]).get(reverse("contributions:statement_list")).content.decode()
    )
    qs = Statement.objects.all()
    assert StatementFilter({"period": "2026-03"}, queryset=qs).qs.count() == 1
    assert StatementFilter({"period_from": "06/2026", "status": "accepted"}, queryset=qs).qs.count() == 3


def test_the_statement_page_lists_lines_payments_and_receipts(paid, cast, client_for):
    html = client_for(cast["counter"]).get(paid.payment.statement.get_absolute_url()).content.decode()
    assert paid.display_number in html
    assert 'data-testid="lines"' in html and 'data-testid="pay-form"' not in html


# The queue and the person page ------------------------------------------------------------


def test_the_console_opens_the_counter_for_an_employer_come_to_pay(firm, cast, client_for):
    from queueing import services as queue
    from queueing.models import Counter, ServiceKind
    from tests.factories import queue_office

    employer, _people = firm
    office = queue_office(employer.responsible_office, counters=1)
    counter = Counter.objects.get(office=office)
    service = counter.services.get(kind=ServiceKind.CONTRIBUTION)
    queue.counter_sign_in(counter=counter, officer=cast["counter"])
    queue.ticket_issue(service=service, customer_kind="employer", customer_ref=employer.account_number)
    queue.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    client = client_for(cast["counter"])
    response = client.post(reverse("queueing:console_case", args=[counter.pk]))
    assert response["Location"] == reverse("contributions:counter") + f"?employer={employer.pk}"
    again = client.post(reverse("queueing:console_case", args=[counter.pk]))  # the case is linked now
    assert again["Location"] == response["Location"]


def test_the_person_page_shows_the_paid_months(paid, firm, cast, client_for, django_assert_max_num_queries):
    person = firm[1][0]
    client = client_for(cast["counter"])
    with django_assert_max_num_queries(21):  # the registry's own guard for this page
        html = client.get(person.get_absolute_url()).content.decode()
    assert 'data-testid="contribution-history"' in html
    assert "1 month paid in the last 15 months." in html
    assert firm[0].account_number in html and "10,000.00" in html


def test_the_receipt_list_takes_a_fixed_number_of_queries(firm, cast, client_for, django_assert_max_num_queries):
    employer, people = firm
    for month in range(1, 7):
        statement = services.statement_submit(
            officer=cast["counter"],
            employer=employer,
            branch=employer.branches.get(),
            period=datetime.date(2026, month, 1),
            lines=[LineInput(line=1, national_id=people[0].national_id, wage=D("9000"))],
        )
        services.statement_pay(
            officer=cast["counter"],
            statement=statement,
            amount=services.statement_amount_due(statement).total,
            method="cash",
        )
    client = client_for(cast["counter"])
    client.get(reverse("contributions:receipt_list"))
    # The session, the user and menu, the day's receipts with their payments: nothing per row.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("contributions:receipt_list"))
    assert len(re.findall(r'href="/contributions/receipts/\d+/"', response.content.decode())) == 6
