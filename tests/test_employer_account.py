"""The employer's account at the counter (issue 15, part 2): the account's months, the counter
opening on the oldest month due and then on the next one, several months paid in one visit
(one receipt each), the arrears notice (its PDF in Thai with B.E. dates, its sending recorded
and audited, the status on the arrears list); and two leftovers of part 1: an employer is read
at any office (its account stays its office's), and a voluntary payment is taken for a person
whose file another office keeps."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from contributions import account as accounts
from contributions import services
from contributions.models import ArrearsNotice, ContributionMonth, Payment, Receipt, Statement
from contributions.notices import notice_pdf
from contributions.services import LineInput
from queueing.models import Ticket
from registry.models import PersonReadLog
from registry.services import section40_register
from sso.core.formats import BE_OFFSET
from sso.core.months import month_add, month_first
from tests.factories import employee_make, employer_make, pin_make, queue_office, ticket_make

D = Decimal
TODAY = timezone.localdate()
LAST = month_add(month_first(TODAY), -1)  # the last month that has ended
OLDEST = month_add(LAST, -2)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def firm(cast, offices):
    """An employer of office 1001 whose two employees were hired at the start of OLDEST and
    that filed nothing since: OLDEST, the month after and LAST are due."""
    employer = employer_make(offices["1001"], cast["counter"], n=801)
    people = [
        employee_make(employer, n, cast["counter"], started_on=OLDEST, monthly_wage=D(wage)).person
        for n, wage in ((81, "10000"), (82, "12000"))
    ]
    return employer, people


def _lines(people, wages=("10000", "12000")):
    return [
        LineInput(line=n, national_id=p.national_id, wage=D(w))
        for n, (p, w) in enumerate(zip(people, wages, strict=True), 1)
    ]


def _file_and_pay(employer, people, officer, period):
    statement = services.statement_submit(
        officer=officer, employer=employer, branch=employer.branches.get(), period=period, lines=_lines(people)
    )
    due = services.statement_amount_due(statement)
    return services.statement_pay(officer=officer, statement=statement, amount=due.total, method="cash")


# The account -------------------------------------------------------------------------------


def test_the_account_lists_months_unfiled_unpaid_and_paid_with_the_surcharge_to_date(firm, cast):
    employer, people = firm
    officer = cast["counter"]
    services.statement_submit(  # filed, not paid
        officer=officer, employer=employer, branch=employer.branches.get(), period=OLDEST, lines=_lines(people)
    )
    _file_and_pay(employer, people, officer, LAST)
    account = accounts.employer_account(employer)
    by_period = {m.period: m for m in account.months}
    assert by_period[OLDEST].status == "unpaid" and by_period[OLDEST].contributions == D("2200.00")
    assert by_period[month_add(OLDEST, 1)].status == "unfiled" and by_period[month_add(OLDEST, 1)].estimated
    assert by_period[month_add(OLDEST, 1)].contributions == D("2200.00")  # 10,000 and 12,000 x 10%
    assert by_period[LAST].status == "paid" and len(by_period[LAST].payments) == 1
    assert by_period[month_add(OLDEST, -1)].status == "none"  # before the hiring: nothing due
    assert [m.period for m in account.due] == [OLDEST, month_add(OLDEST, 1)]
    assert account.oldest_due.period == OLDEST
    # The surcharge to date is the rule's, on the unpaid contributions.
    from contributions import rules

    expected = rules.surcharge_compute(OLDEST, D("2200.00"), TODAY).amount
    assert by_period[OLDEST].surcharge == expected and expected > 0
    assert account.total_due == sum((m.total for m in account.due), D(0))
    assert account.payments[0].statement.period == LAST
    assert account.arrears_status == "due"


def test_the_account_page_shows_the_months_due_and_is_the_responsible_offices(firm, cast, client_for, offices):
    employer, _people = firm
    html = client_for(cast["counter"]).get(reverse("contributions:employer_account", args=[employer.pk]))
    assert html.status_code == 200
    content = html.content.decode()
    assert 'data-testid="months-due"' in content and 'data-testid="months-due-count">3<' in content
    other = employer_make(offices["5000"], cast["other_supervisor"], n=802)
    assert (
        client_for(cast["counter"]).get(reverse("contributions:employer_account", args=[other.pk])).status_code == 404
    )


def test_months_filed_and_unpaid_before_the_accounts_window_are_named_not_hidden(cast, client_for, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=803)
    old = month_add(LAST, -accounts.ACCOUNT_MONTHS - 3)  # before the window the account shows
    person = employee_make(employer, 83, cast["counter"], started_on=old, monthly_wage=D("10000")).person
    services.statement_submit(
        officer=cast["counter"], employer=employer, branch=employer.branches.get(), period=old,
        lines=[LineInput(line=1, national_id=person.national_id, wage=D("10000"))],
    )  # fmt: skip
    account = accounts.employer_account(employer)
    assert old < account.first and old not in {m.period for m in account.months}
    assert account.older_unpaid == (1, old, D("1000.00"))
    html = client_for(cast["counter"]).get(reverse("contributions:employer_account", args=[employer.pk]))
    text = html.content.decode()
    assert 'data-testid="older-unpaid"' in text and "1 month filed before" in text and "1,000.00" in text


# The counter -------------------------------------------------------------------------------


def test_the_counter_opens_an_employer_on_its_oldest_month_due_with_a_warning(firm, cast, client_for):
    employer, people = firm
    response = client_for(cast["counter"]).get(reverse("contributions:counter"), {"employer": employer.pk})
    assert response.status_code == 200
    assert response.context["period"] == OLDEST  # not last month
    html = response.content.decode()
    assert 'data-testid="oldest-warning"' in html and "3 months are due" in html
    assert all(p.national_id in html for p in people)  # the oldest month's employees, pre-listed


def test_after_paying_the_counter_opens_on_the_next_month_due_not_the_month_paid(firm, cast, client_for):
    employer, people = firm
    _file_and_pay(employer, people, cast["counter"], OLDEST)
    response = client_for(cast["counter"]).get(reverse("contributions:counter"), {"employer": employer.pk})
    assert response.context["period"] == month_add(OLDEST, 1)
    _file_and_pay(employer, people, cast["counter"], month_add(OLDEST, 1))
    _file_and_pay(employer, people, cast["counter"], LAST)
    response = client_for(cast["counter"]).get(reverse("contributions:counter"), {"employer": employer.pk})
    assert response.context["period"] == month_first(TODAY)  # nothing due: the month in progress
    assert 'data-testid="oldest-warning"' not in response.content.decode()


def test_a_ticket_without_an_id_opens_the_employer_search_not_the_registration_form(cast, client_for, offices):
    queue_office(offices["1001"], counters=1)
    client = client_for(cast["counter"])
    from queueing.models import Counter

    counter = Counter.objects.filter(office=offices["1001"]).first()
    client.post(reverse("queueing:console_action", args=[counter.pk, "sign-in"]))
    ticket_make(offices["1001"], kind="contribution", customer_kind="employer", customer_ref="")
    client.post(reverse("queueing:console_action", args=[counter.pk, "call-next"]))
    client.post(reverse("queueing:console_action", args=[counter.pk, "start"]))
    response = client.post(reverse("queueing:console_case", args=[counter.pk]))
    assert Ticket.objects.get().status == Ticket.Status.SERVING
    assert response["Location"] == reverse("contributions:counter")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="employer-find"' in page and "tax ID or name" in page


def test_the_counter_search_finds_employers_of_every_office_by_name(firm, cast, client_for, offices):
    employer, _people = firm
    other = employer_make(offices["5000"], cast["other_supervisor"], n=803, name_en="Northern Rice Mill Ltd")
    client = client_for(cast["counter"])
    found = client.get(reverse("contributions:counter"), {"account": employer.account_number})
    assert found["Location"] == reverse("contributions:counter") + f"?employer={employer.pk}"
    html = client.get(reverse("contributions:counter"), {"account": "Northern Rice"}).content.decode()
    assert other.account_number in html and "paid at its office" in html
    assert "kept by another office" in html
    missing = client.get(reverse("contributions:counter"), {"account": "9999999999"}).content.decode()
    assert "No employer has this account number, tax ID or name." in missing


# Several months in one visit -----------------------------------------------------------------


def _keys(employer, periods):
    branch = employer.branches.get()
    return [f"{branch.pk}:{period:%Y-%m}" for period in periods]


def test_several_months_are_paid_in_one_visit_with_one_receipt_each(firm, cast, client_for):
    employer, people = firm
    services.statement_submit(  # OLDEST filed at an earlier visit, not paid
        officer=cast["counter"], employer=employer, branch=employer.branches.get(), period=OLDEST, lines=_lines(people)
    )
    account = accounts.employer_account(employer)
    total = account.total_due
    client = client_for(cast["counter"])
    response = client.post(
        reverse("contributions:employer_months_pay", args=[employer.pk]),
        {
            "months": _keys(employer, [OLDEST, month_add(OLDEST, 1), LAST]),
            "method": "cash",
            "amount": f"{total:.2f}",
            "idempotency_key": "visit-1",
        },
    )
    assert response.status_code == 302
    payments = list(Payment.objects.order_by("period_from"))
    assert [p.period_from for p in payments] == [OLDEST, month_add(OLDEST, 1), LAST]
    assert sum((p.amount for p in payments), D(0)) == total
    assert Receipt.objects.count() == 3  # one receipt per month
    assert set(Statement.objects.values_list("status", flat=True)) == {"paid"}
    assert ContributionMonth.objects.count() == 6
    assert payments[0].surcharge_amount > 0  # each month its own surcharge
    ids = ",".join(str(p.receipt.pk) for p in payments)
    assert response["Location"].endswith(f"?receipts={ids}")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="visit-receipts"' in page and payments[2].receipt.display_number in page
    # The same form sent again posts nothing more.
    client.post(
        reverse("contributions:employer_months_pay", args=[employer.pk]),
        {"months": _keys(employer, [OLDEST]), "method": "cash", "amount": "1", "idempotency_key": "visit-1"},
    )
    assert Payment.objects.count() == 3
    # After the visit the counter opens on the month in progress: nothing is due.
    opened = client.get(reverse("contributions:counter"), {"employer": employer.pk})
    assert opened.context["period"] == month_first(TODAY)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong_amount", "The amount must be"),
        ("not_due", "not due on this employer's account"),
        ("none", "Tick at least one month"),
        ("cheque_without_number", "cheque number"),
    ],
)
def test_bad_input_for_several_months_is_refused_and_nothing_is_stored(firm, cast, case, message):
    employer, _people = firm
    months = _keys(employer, [OLDEST, LAST])
    amount, method = accounts.employer_account(employer).total_due, "cash"
    if case == "wrong_amount":
        amount -= D("1.00")
    elif case == "not_due":
        months = _keys(employer, [month_add(OLDEST, -3)])  # before the hiring
    elif case == "none":
        months = []
    else:
        method = "cheque"
    with pytest.raises(Exception) as refused:
        services.statement_months_pay(
            officer=cast["counter"], employer=employer, months=months, amount=amount, method=method
        )
    assert message in " ".join(refused.value.messages)
    assert not Statement.objects.exists() and not Payment.objects.exists() and not Receipt.objects.exists()


def test_a_month_with_an_employee_without_a_wage_on_record_is_keyed_on_the_grid(firm, cast):
    employer, _people = firm
    employee_make(employer, 83, cast["counter"], started_on=OLDEST, monthly_wage=None)
    with pytest.raises(Exception) as refused:
        services.statement_months_pay(
            officer=cast["counter"],
            employer=employer,
            months=_keys(employer, [OLDEST]),
            amount=D("1"),
            method="cash",
        )
    assert "no wage on record" in " ".join(refused.value.messages)
    assert not Statement.objects.exists() and not Payment.objects.exists()


def test_a_refused_visit_comes_back_to_the_counter_with_the_reason(firm, cast, client_for):
    employer, _people = firm
    response = client_for(cast["counter"]).post(
        reverse("contributions:employer_months_pay", args=[employer.pk]),
        {"months": _keys(employer, [OLDEST]), "method": "cash", "amount": "1.00", "back": "counter"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("contributions:counter") + f"?employer={employer.pk}"
    assert "The amount must be" in response.content.decode()
    assert not Payment.objects.exists()


# Arrears follow-up --------------------------------------------------------------------------


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _thai_plain(text: str) -> str:
    # ... and may break a Thai word with a space: compare without spaces either.
    return text.replace("\u0e33", "").replace("\u0e32", "").replace("\u0e4d", "").replace(" ", "")


def test_the_arrears_notice_is_a_thai_pdf_with_buddhist_era_dates(firm, cast, client_for, tmp_path):
    employer, _people = firm
    account = accounts.employer_account(employer)
    notice = services.arrears_notice_issue(officer=cast["verifier"], employer=employer)
    assert notice.period_first == OLDEST and notice.period_last == LAST and len(notice.months) == 3
    assert notice.total == account.total_due and notice.office_id == employer.responsible_office_id
    response = client_for(cast["verifier"]).get(reverse("contributions:arrears_notice_pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # pdftotext reads the Thai fonts' sara aa and sara am as one glyph: compare without them.
    text = _thai_plain(" ".join(_pdf_text(response.content, tmp_path).split()))
    assert _thai_plain("หนังสือแจ้งเงินสมทบค้างชำระ") in text  # the title, in Thai
    assert employer.account_number in text
    be_year = TODAY.year + BE_OFFSET
    assert f"{OLDEST.month:02d}/{OLDEST.year + BE_OFFSET}" in text  # the months in B.E.
    assert f"{TODAY.day}ธ" in text.replace(".", "") or str(be_year) in text  # the date of issue in B.E.
    assert f"/{OLDEST.year}" not in text and f"{TODAY.year}" not in text.replace(str(be_year), "")
    assert f"{notice.total:,.2f}" in text
    assert notice_pdf(notice).startswith(b"%PDF")


def test_recording_the_notice_sent_is_audited_and_shown_on_the_arrears_list(firm, cast, client_for):
    employer, _people = firm
    client = client_for(cast["verifier"])
    issued = client.post(reverse("contributions:arrears_notice_issue", args=[employer.pk]))
    assert issued.status_code == 302
    notice = ArrearsNotice.objects.get()
    assert notice.history.count() == 1 and notice.history.first().history_user == cast["verifier"]
    assert accounts.employer_account(employer).arrears_status == "notice_issued"
    sent = client.post(
        reverse("contributions:arrears_notice_sent", args=[notice.pk]),
        {"sent_on": TODAY.strftime("%d/%m/%Y"), "sent_via": "registered", "sent_reference": "EF123456789TH"},
    )
    assert sent.status_code == 302
    notice.refresh_from_db()
    assert notice.sent_on == TODAY and notice.sent_by == cast["verifier"] and notice.sent_reference == "EF123456789TH"
    assert notice.history.count() == 2 and notice.history.first().history_user == cast["verifier"]
    assert accounts.employer_account(employer).arrears_status == "notice_sent"
    page = client.get(reverse("contributions:arrears"), {"period": f"{LAST:%Y-%m}"}).content.decode()
    assert 'data-status="notice_sent"' in page and "EF123456789TH" not in page
    account_page = client.get(reverse("contributions:employer_account", args=[employer.pk])).content.decode()
    assert "EF123456789TH" in account_page and 'data-status="notice_sent"' in account_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sent_on": "", "sent_via": "registered", "sent_reference": "X1"}, "This field is required"),
        ({"sent_via": "registered", "sent_reference": "X1", "future": 1}, "cannot be in the future"),
        ({"sent_via": "registered", "sent_reference": ""}, "registered post number"),
        ({"sent_via": "registered", "sent_reference": "X1", "before": 1}, "cannot be sent before"),
    ],
)
def test_a_bad_sending_record_is_refused_and_nothing_changes(firm, cast, client_for, data, message):
    employer, _people = firm
    notice = services.arrears_notice_issue(officer=cast["verifier"], employer=employer)
    day = TODAY
    if data.pop("future", None):
        day = TODAY + datetime.timedelta(days=1)
    if data.pop("before", None):
        day = TODAY - datetime.timedelta(days=1)
    data.setdefault("sent_on", day.strftime("%d/%m/%Y"))
    response = client_for(cast["verifier"]).post(
        reverse("contributions:arrears_notice_sent", args=[notice.pk]), data, follow=True
    )
    assert message in response.content.decode()
    notice.refresh_from_db()
    assert notice.sent_on is None and notice.history.count() == 1


def test_no_notice_is_issued_when_nothing_is_due(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=804)
    with pytest.raises(Exception) as refused:
        services.arrears_notice_issue(officer=cast["verifier"], employer=employer)
    assert "Nothing is due" in " ".join(refused.value.messages)
    assert not ArrearsNotice.objects.exists()


# Read nationally, worked by its office -------------------------------------------------------


def test_another_offices_officer_finds_and_reads_an_employer_but_not_its_account(firm, cast, client_for, offices):
    employer, _people = firm
    from tests.factories import StaffFactory

    reader = StaffFactory(username="cmi-counter", office=offices["5000"], roles=["counter_officer"])
    client = client_for(reader)
    page = client.get(reverse("registry:employer", args=[employer.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert employer.account_number in html and 'data-testid="other-office"' in html
    assert reverse("registry:employee_register", args=[employer.pk]) not in html  # the forms stay its office's
    assert "The account is kept by" in html
    search = client.get(reverse("registry:search"), {"q": employer.account_number})
    assert search.status_code == 302 and search["Location"] == employer.get_absolute_url()
    listed = client.get(reverse("registry:employer_list"), {"q": employer.name_en}).content.decode()
    assert employer.account_number in listed
    api = client.get(reverse("registry-employer-detail", kwargs={"account_number": employer.account_number}))
    assert api.status_code == 200 and api.json()["account_number"] == employer.account_number
    # The work is the responsible office's.
    assert client.get(reverse("contributions:employer_account", args=[employer.pk])).status_code == 404
    assert client.get(reverse("contributions:counter"), {"employer": employer.pk}).status_code == 404
    assert client.get(reverse("registry:employee_register", args=[employer.pk])).status_code == 404
    # Without a search the list is the office's own.
    assert employer.account_number not in client.get(reverse("registry:employer_list")).content.decode()


def test_a_voluntary_payment_is_taken_for_a_person_another_office_keeps(cast, client_for, offices):
    month = month_first(TODAY)
    person = section40_register(
        officer=cast["other_supervisor"],
        option=1,
        applied_on=month,
        national_id=pin_make(8051),
        title="004",
        first_name_th="มาลี",
        last_name_th="ค้าขาย",
        birth_date=datetime.date(1985, 5, 5),
        sex="F",
    ).person
    assert person.office.code == "5000"
    client = client_for(cast["counter"])
    url = reverse("contributions:voluntary_pay", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    read = PersonReadLog.objects.get()
    assert read.reader == cast["counter"] and read.via == "payment" and read.person_office.code == "5000"
    response = client.post(
        url,
        {
            "period_from": f"{month:%m/%Y}",
            "period_to": f"{month:%m/%Y}",
            "amount": "70.00",
            "method": "cash",
            "idempotency_key": page.context["idempotency_key"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    payment = Payment.objects.get()
    # The money and the receipt are the office's that took them; the person stays where they are.
    assert payment.office.code == "1001" and payment.receipt.office.code == "1001"
    person.refresh_from_db()
    assert person.office.code == "5000"
    assert client.get(reverse("contributions:receipt_detail", args=[payment.receipt.pk])).status_code == 200
    assert ContributionMonth.objects.filter(person=person, section="40", period=month).count() == 1


def test_a_bad_voluntary_payment_for_another_offices_person_stores_nothing(cast, client_for, offices):
    month = month_first(TODAY)
    person = section40_register(
        officer=cast["other_supervisor"],
        option=1,
        applied_on=month,
        national_id=pin_make(8052),
        title="004",
        first_name_th="มาลี",
        last_name_th="ค้าขาย",
        birth_date=datetime.date(1985, 5, 5),
        sex="F",
    ).person
    url = reverse("contributions:voluntary_pay", args=[person.pk])
    response = client_for(cast["counter"]).post(
        url, {"period_from": f"{month:%m/%Y}", "period_to": f"{month:%m/%Y}", "amount": "71.00", "method": "cash"}
    )
    assert response.status_code == 200 and "The amount must be" in response.content.decode()
    assert not Payment.objects.exists() and not ContributionMonth.objects.exists()
