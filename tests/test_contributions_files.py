"""Contribution statements from files: the SSO 1-10 text file and its Excel form, the upload
page, the upload API and the SSO 1-10 download of a stored statement."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from contributions import services, sso110
from contributions.models import Statement, StatementLine
from contributions.services import StatementRefused
from registry.services import branch_add
from sso.core.months import month_add, month_first
from tests.factories import employee_make, employer_make, pin_make

D = Decimal
TODAY = datetime.date(2026, 2, 10)
JANUARY = datetime.date(2026, 1, 1)
API = "/api/contributions/statements/file/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def firm(cast, offices):
    """An employer of office 1001 with a head office and branch 000001, three employees."""
    employer = employer_make(offices["1001"], cast["counter"], n=601, name_th="บริษัท ไฟล์ทดสอบ จำกัด")
    branch_add(officer=cast["counter"], employer=employer, number="000001", name="สาขา 1", province=employer.province)
    people = [
        employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person for n in (61, 62, 63)
    ]
    return employer, people


def _group(employer, people, wages, *, period=JANUARY, branch="000000"):
    persons = [
        (p.national_id, D(w), p.title, p.first_name_th, p.last_name_th) for p, w in zip(people, wages, strict=False)
    ]
    return sso110.sso110_group(
        account=employer.account_number, branch=branch, period=period, persons=persons, company_name=employer.name_th
    )


def _submit(officer, content, name="sso110.txt", today=TODAY, **kwargs):
    return services.statement_file_submit(officer=officer, file_name=name, content=content, today=today, **kwargs)


def _refused(officer, content, **kwargs) -> StatementRefused:
    with pytest.raises(StatementRefused) as refused:
        _submit(officer, content, **kwargs)
    assert not Statement.objects.exists()
    assert not StatementLine.objects.exists()
    return refused.value


def _lines(content: bytes) -> list[str]:
    return content.decode("cp874").split("\r\n")[:-1]


def _join(lines: list[str], encoding="cp874") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _last_month():
    return month_add(month_first(timezone.localdate()), -1)


# Reading and writing ---------------------------------------------------------------------------


def test_a_rendered_file_reads_back_the_same(firm):
    employer, people = firm
    group = _group(employer, people, ["1650", "20000", "10010"])
    content = sso110.sso110_render(group)
    assert content.count(b"\r\n") == 4
    assert all(len(line) == sso110.WIDTH for line in _lines(content))
    parsed = sso110.sso110_parse(content)
    assert parsed.errors == [] and parsed.encoding == "cp874"
    (read,) = parsed.groups
    assert (read.account, read.branch, read.period, read.company_name) == (
        employer.account_number,
        "000000",
        JANUARY,
        employer.name_th,
    )
    assert [(line.line, line.national_id, line.wage, line.employee_amount) for line in read.lines] == [
        (2, people[0].national_id, D("1650.00"), D("83.00")),
        (3, people[1].national_id, D("20000.00"), D("875.00")),
        (4, people[2].national_id, D("10010.00"), D("501.00")),
    ]
    assert read.lines[0].first_name == people[0].first_name_th
    assert read.declared.head_count == 3
    assert read.declared.total_wages == D("31660.00")
    assert read.declared.employee_total == D("1459.00")
    assert read.declared.total_contributions == D("2918.00")
    assert read.declared.employee_rate == D("5.00")


def test_it_files_a_tis620_file_with_the_right_totals(firm, cast):
    employer, people = firm
    content = sso110.sso110_render(_group(employer, people, ["1650", "20000", "10010"]))
    assert "บริษัท".encode("cp874") in content  # Thai, one byte a letter
    (statement,) = _submit(cast["counter"], content)
    assert (statement.employer, statement.branch.number, statement.period) == (employer, "000000", JANUARY)
    assert statement.source == "file" and statement.file_name == "sso110.txt"
    assert statement.head_count == 3
    assert statement.total_wages == D("31660")
    assert statement.employee_total == statement.employer_total == D("1459")
    assert StatementLine.objects.filter(statement=statement).count() == 3


def test_it_files_a_utf8_file_with_lf_line_ends(firm, cast):
    employer, people = firm
    text = sso110.sso110_render(_group(employer, people, ["9000", "9000"]), encoding="utf-8", newline="\n")
    assert b"\r" not in text
    (statement,) = _submit(cast["counter"], text)
    assert statement.employee_total == D("900") and statement.total_wages == D("18000")
    assert sso110.sso110_parse(text).encoding == "utf-8"


def test_the_stored_statement_downloads_as_the_same_file(firm, cast, client_for):
    employer, people = firm
    content = sso110.sso110_render(_group(employer, people, ["1650", "20000", "10010"]))
    (statement,) = _submit(cast["counter"], content)
    response = client_for(cast["counter"]).get(reverse("contributions:statement_sso110", args=[statement.pk]))
    assert response.status_code == 200
    assert response.content == content
    assert client_for(cast["other_supervisor"]).get(
        reverse("contributions:statement_sso110", args=[statement.pk])
    ).status_code in (403, 404)


def test_the_headers_payment_date_is_kept_and_downloaded_again(firm, cast, client_for):
    employer, people = firm
    group = _group(employer, people, ["1650", "20000"])
    group.paid_on = datetime.date(2026, 2, 10)
    content = sso110.sso110_render(group)
    assert _lines(content)[0][17:23] == "100269"  # DDMMYY in B.E.
    (statement,) = _submit(cast["counter"], content)
    assert statement.header_paid_on == datetime.date(2026, 2, 10)
    assert statement.history.first().header_paid_on == datetime.date(2026, 2, 10)
    response = client_for(cast["counter"]).get(reverse("contributions:statement_sso110", args=[statement.pk]))
    assert response.content == content


def test_a_statement_paid_without_a_header_date_downloads_with_its_payment_date(firm, cast):
    employer, people = firm
    (statement,) = _submit(cast["counter"], sso110.sso110_render(_group(employer, people, ["9000"])))
    assert statement.header_paid_on is None
    assert sso110.sso110_render(statement).decode("cp874")[17:23] == "000000"  # not paid, no date given
    today = timezone.localdate()
    due = services.statement_amount_due(statement, today)
    services.statement_pay(officer=cast["counter"], statement=statement, amount=due.total, method="cash")
    statement.refresh_from_db()
    expected = f"{today:%d%m}{(today.year + 543) % 100:02d}"
    assert sso110.sso110_render(statement).decode("cp874")[17:23] == expected


# Refusals ---------------------------------------------------------------------------------------


def test_it_refuses_a_line_of_the_wrong_width(firm, cast):
    employer, people = firm
    lines = _lines(sso110.sso110_render(_group(employer, people, ["9000", "9000", "9000"])))
    lines[2] = lines[2][:100]  # line 3
    refused = _refused(cast["counter"], _join(lines))
    assert [(e.line, e.field, e.code, e.expected, e.found) for e in refused.line_errors] == [
        (3, "width", "width", "135", "100")
    ]


def test_it_refuses_amounts_that_are_not_digits_and_reports_every_one(firm, cast):
    employer, people = firm
    lines = _lines(sso110.sso110_render(_group(employer, people, ["9000", "9000", "9000"])))
    lines[1] = lines[1][:82] + "00000009000.00" + lines[1][96:]  # a decimal point in the wage
    lines[3] = lines[3][:96] + "  45000     " + lines[3][108:]  # blanks in the contribution
    refused = _refused(cast["counter"], _join(lines))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [
        (2, "wage", "digits"),
        (4, "contribution", "digits"),
    ]
    assert refused.line_errors[0].found == "00000009000.00"


def test_it_refuses_a_file_in_another_encoding(firm, cast):
    employer, people = firm
    text = sso110.sso110_render(_group(employer, people, ["9000"])).decode("cp874")
    refused = _refused(cast["counter"], text.encode("utf-16"))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [(0, "file", "encoding")]
    assert "Wrong encoding" in str(refused.line_errors[0].message)


def test_it_refuses_header_totals_that_do_not_add_up(firm, cast):
    employer, people = firm
    group = _group(employer, people, ["9000", "9000"])
    group.employer_total = D("901")
    lines = _lines(sso110.sso110_render(group))
    lines[0] = lines[0][:82] + "000000001800100" + lines[0][97:]  # total wages 18,001.00
    refused = _refused(cast["counter"], _join(lines))
    found = {(e.line, e.field): (e.expected, e.found) for e in refused.line_errors}
    assert found == {
        (1, "total_wages"): ("18000.00", "18001.00"),
        (1, "employer_total"): ("900.00", "901.00"),
        (1, "total_contributions"): ("1800.00", "1801.00"),
    }


def test_it_refuses_an_unknown_employer_and_another_offices_employer(firm, cast, offices):
    employer, people = firm
    group = _group(employer, people, ["9000"])
    group.account = "9999999999"
    refused = _refused(cast["counter"], sso110.sso110_render(group))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [(1, "employer_account", "unknown_employer")]
    elsewhere = employer_make(offices["5000"], cast["counter"], n=602)
    group.account = elsewhere.account_number
    refused = _refused(cast["counter"], sso110.sso110_render(group))
    assert [(e.line, e.code) for e in refused.line_errors] == [(1, "unknown_employer")]


def test_it_refuses_a_wage_period_two_months_ahead(firm, cast):
    employer, people = firm
    content = sso110.sso110_render(_group(employer, people, ["9000"], period=datetime.date(2026, 4, 1)))
    refused = _refused(cast["counter"], content)
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [(1, "period", "future")]


def test_it_refuses_a_second_statement_for_the_branch_and_period(firm, cast):
    employer, people = firm
    content = sso110.sso110_render(_group(employer, people, ["9000", "9000"]))
    _submit(cast["counter"], content)
    with pytest.raises(StatementRefused) as refused:
        _submit(cast["counter"], content)
    assert [(e.line, e.field, e.code) for e in refused.value.line_errors] == [(1, "period", "duplicate")]
    assert Statement.objects.count() == 1


def test_it_refuses_a_wrong_contribution_and_lists_unknown_persons(firm, cast):
    employer, people = firm
    group = _group(employer, people, ["9000", "9000", "9000"])
    group.lines[1].contribution = D("449")
    group.lines.append(sso110.FileLine(pin_make(699), D("9000"), D("450"), "004", "สมหญิง", "ใหม่"))
    refused = _refused(cast["counter"], sso110.sso110_render(group))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [
        (3, "contribution", "amount"),
        (5, "national_id", "unknown_person"),
    ]
    assert (refused.line_errors[0].expected, refused.line_errors[0].found) == ("450.00", "449.00")
    (unknown,) = refused.unknown_persons
    assert unknown["national_id"] == pin_make(699) and unknown["line"] == 5
    assert unknown["first_name"] == "สมหญิง" and unknown["employer_id"] == employer.pk


def test_it_refuses_an_unknown_record_type_and_a_bad_period(firm, cast):
    employer, people = firm
    lines = _lines(sso110.sso110_render(_group(employer, people, ["9000", "9000"])))
    lines[0] = lines[0][:23] + "1369" + lines[0][27:]  # month 13
    lines.insert(2, "3" + " " * 134)
    refused = _refused(cast["counter"], _join(lines))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [
        (1, "period", "date"),
        (3, "record_type", "record_type"),
    ]


# Several statements in one file -----------------------------------------------------------------


def test_a_file_of_two_branches_files_two_statements(firm, cast):
    employer, people = firm
    head = _group(employer, people[:2], ["9000", "12000"])
    branch = _group(employer, people[2:], ["15000"], branch="000001")
    statements = _submit(cast["counter"], sso110.sso110_render([head, branch]))
    assert [(s.branch.number, s.head_count, s.employee_total) for s in statements] == [
        ("000000", 2, D("1050")),
        ("000001", 1, D("750")),
    ]


def test_an_error_in_one_branch_stores_nothing_and_numbers_lines_as_in_the_file(firm, cast):
    employer, people = firm
    head = _group(employer, people[:2], ["9000", "12000"])
    branch = _group(employer, people[2:], ["15000"], branch="000001")
    branch.lines[0].contribution = D("700")
    missing = _group(employer, people[:1], ["9000"], branch="000009")
    refused = _refused(cast["counter"], sso110.sso110_render([head, branch, missing]))
    # head: lines 1-3; branch 000001: header line 4, employee line 5; branch 000009: line 6.
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [
        (5, "contribution", "amount"),
        (6, "branch", "unknown_branch"),
    ]


def test_the_same_branch_twice_in_a_file_is_refused(firm, cast):
    employer, people = firm
    group = _group(employer, people[:1], ["9000"])
    refused = _refused(cast["counter"], sso110.sso110_render([group, group]))
    assert [(e.line, e.field, e.code) for e in refused.line_errors] == [(3, "period", "duplicate")]


# The Excel form ---------------------------------------------------------------------------------


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_form_with_a_sheet_per_branch_files_each(firm, cast):
    employer, people = firm
    content = _workbook(
        {
            "000000": [
                ["แบบรายการแสดงการส่งเงินสมทบ (สปส. 1-10)"],
                ["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "ค่าจ้าง", "เงินสมทบ"],
                [people[0].national_id, "นาย", "สมชาย", "ใจดี", 9000, 450],
                [int(people[1].national_id), "นาย", "สมชาย", "ใจดี", "12,000.00", "600"],
            ],
            "000001": [
                ["National ID", "Title", "First name", "Surname", "Wage", "Contribution"],
                [people[2].national_id, "Mr", "Somchai", "Jaidee", 15000.0, 750],
            ],
        }
    )
    statements = _submit(
        cast["counter"], content, name="sso110.xlsx", employer_account=employer.account_number, period="01/2569"
    )
    assert [(s.branch.number, s.period, s.head_count, s.total_wages, s.source) for s in statements] == [
        ("000000", JANUARY, 2, D("21000"), "excel"),
        ("000001", JANUARY, 1, D("15000"), "excel"),
    ]


def test_an_excel_form_reports_the_sheet_and_row_of_each_error(firm, cast):
    employer, people = firm
    content = _workbook(
        {
            "Sheet1": [
                ["national id", "wage", "contribution"],
                [people[0].national_id, 9000, 451],
                [people[1].national_id, "lots", 450],
            ]
        }
    )
    refused = _refused(
        cast["counter"], content, name="form.xlsx", employer_account=employer.account_number, period=JANUARY
    )
    assert [(e.sheet, e.line, e.field, e.code) for e in refused.line_errors] == [
        ("Sheet1", 2, "contribution", "amount"),
        ("Sheet1", 3, "wage", "digits"),
    ]
    no_header = _workbook({"000000": [["SSO 1-10"], [people[0].national_id, 9000, 450]]})
    refused = _refused(
        cast["counter"], no_header, name="form.xlsx", employer_account=employer.account_number, period=JANUARY
    )
    assert [(e.sheet, e.line, e.field, e.code) for e in refused.line_errors] == [("000000", 1, "national_id", "column")]
    refused = _refused(cast["counter"], content, name="form.xlsx")
    assert {(e.line, e.field, e.code) for e in refused.line_errors} >= {
        (0, "employer_account", "required"),
        (0, "period", "required"),
    }


# The page ----------------------------------------------------------------------------------------


@pytest.fixture
def recent(firm, cast):
    """Last month's file of the firm (the page and the API file for real today)."""
    employer, people = firm
    return sso110.sso110_render(_group(employer, people, ["9000", "12000", "20000"], period=_last_month()))


def _page_client(client_for, user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _upload(client, content, name="sso110.txt", **data):
    return client.post(reverse("contributions:statement_upload"), {"file": SimpleUploadedFile(name, content), **data})


def test_the_page_files_a_good_file_and_shows_what_is_due(firm, cast, client_for, recent):
    client = _page_client(client_for, cast["counter"])
    assert client.get(reverse("contributions:statement_upload")).status_code == 200
    response = _upload(client, recent)
    assert response.status_code == 302
    statement = Statement.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="statement-upload-result"' in html
    assert reverse("contributions:statement_detail", args=[statement.pk]) in html
    assert statement.employee_total == D("1925")  # 450 + 600 + 875
    assert "THB 1,925.00" in html


def test_the_page_lists_every_error_and_gives_the_error_file(firm, cast, client_for, recent):
    employer, people = firm
    lines = _lines(recent)
    lines[1] = lines[1][:82] + "00000009000.00" + lines[1][96:]
    group = _group(employer, people[:1], ["9000"], period=_last_month(), branch="000001")
    group.lines.append(sso110.FileLine(pin_make(698), D("9000"), D("450"), "003", "มานะ", "ใหม่"))
    content = _join(lines) + sso110.sso110_render(group)
    client = _page_client(client_for, cast["counter"])
    response = _upload(client, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="statement-upload-errors"' in html
    assert "00000009000.00" in html
    assert 'data-testid="unknown-persons"' in html
    assert reverse("registry:employee_register", args=[employer.pk]) in html
    assert not Statement.objects.exists()
    csv_url = response.context["errors_token"]
    download = client.get(reverse("contributions:statement_upload_errors", args=[csv_url]))
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Sheet", "Line", "Field"]
    assert rows[1][1:3] == ["2", "Wage"]
    assert any(pin_make(698) in row for row in rows)
    # Another officer cannot read it.
    other = Client()
    other.force_login(cast["verifier"], backend="sso.core.auth.CachedPermissionsBackend")
    assert other.get(reverse("contributions:statement_upload_errors", args=[csv_url])).status_code == 404


def test_the_page_refuses_another_offices_employer(offices, cast, client_for):
    elsewhere = employer_make(offices["5000"], cast["counter"], n=603)
    person = employee_make(elsewhere, 64, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    content = sso110.sso110_render(_group(elsewhere, [person], ["9000"], period=_last_month()))
    response = _upload(client_for(cast["counter"]), content)
    with translation.override("en"):
        assert [str(e["label"]) for e in response.context["errors_shown"]] == ["Employer account number"]
    assert not Statement.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("counter", 200), ("supervisor", 403), ("outsider", 403)])
def test_who_may_upload_a_statement_file(cast, client_for, user, status):
    assert client_for(cast[user]).get(reverse("contributions:statement_upload")).status_code == status


# The API ------------------------------------------------------------------------------------------


@pytest.fixture
def token_api(cast):
    token = Token.objects.create(user=cast["counter"])
    return Client(headers={"Authorization": f"Token {token.key}"})


def test_the_api_files_a_file_and_answers_what_is_due(firm, token_api, recent):
    employer, _people = firm
    response = token_api.post(API, {"file": SimpleUploadedFile("sso110.txt", recent)})
    assert response.status_code == 201, response.content
    (body,) = response.json()["statements"]
    statement = Statement.objects.get()
    assert body["id"] == statement.pk
    assert (body["employer_account"], body["branch"], body["period"]) == (
        employer.account_number,
        "000000",
        _last_month().isoformat(),
    )
    assert (body["head_count"], body["total_wages"], body["employee_total"]) == (3, "41000.00", "1925.00")
    assert body["amount_due"]["contributions"] == "3850.00"
    assert D(body["amount_due"]["total"]) >= D("3850.00")


def test_the_api_lists_every_error_in_thai_and_english(firm, token_api, recent):
    lines = _lines(recent)
    lines[2] = lines[2][:100]
    lines[3] = lines[3][:96] + "00000000XX00" + lines[3][108:]
    response = token_api.post(API, {"file": SimpleUploadedFile("sso110.txt", _join(lines))})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_lines"
    assert [(e["line"], e["field"], e["code"]) for e in body["errors"]] == [
        (3, "width", "width"),
        (4, "contribution", "digits"),
    ]
    first = body["errors"][0]
    assert first["expected"] == "135" and first["found"] == "100"
    assert "135 characters" in first["message_en"]
    assert first["message_th"]
    assert "2 errors" in body["detail_en"]
    assert body["unknown_persons"] == []
    assert not Statement.objects.exists()


def test_the_api_lists_unknown_persons(firm, token_api):
    employer, people = firm
    group = _group(employer, people[:1], ["9000"], period=_last_month())
    group.lines.append(sso110.FileLine(pin_make(697), D("9000"), D("450"), "003", "มานะ", "ใหม่"))
    response = token_api.post(API, {"file": SimpleUploadedFile("sso110.txt", sso110.sso110_render(group))})
    assert response.status_code == 400
    (person,) = response.json()["unknown_persons"]
    assert (person["national_id"], person["line"], person["employer_id"]) == (pin_make(697), 3, employer.pk)


def test_the_api_refuses_another_offices_employer(offices, cast, token_api):
    elsewhere = employer_make(offices["5000"], cast["counter"], n=604)
    person = employee_make(elsewhere, 65, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    content = sso110.sso110_render(_group(elsewhere, [person], ["9000"], period=_last_month()))
    response = token_api.post(API, {"file": SimpleUploadedFile("sso110.txt", content)})
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["unknown_employer"]
    assert not Statement.objects.exists()


def test_the_api_needs_the_permission_and_checks_its_fields(cast, client_for, recent):
    response = client_for(cast["supervisor"]).post(API, {"file": SimpleUploadedFile("sso110.txt", recent)})
    assert response.status_code == 403
    response = client_for(cast["counter"]).post(API, {"period": "01/2569"})
    assert response.status_code == 400
    assert response.json()["field"] == "file"
