"""Exports a spreadsheet program opens without running anything: text that starts like a
formula (OWASP's CSV injection) is neutralised with a leading quote in every CSV and XLSX
export, and XLSX text cells are strings, never formulas."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from registry import bulk
from registry.models import BulkUpload, Employer
from sso.core import exports
from sso.core.exports import neutralise
from sso.core.months import month_add, month_first
from tests.factories import employee_make, employer_make, pin_make

HYPERLINK = '=HYPERLINK("http://x.invalid/","pay")'
CMD = "+cmd|' /C calc'!A0"
PAYLOADS = (HYPERLINK, CMD)

_TODAY = timezone.localdate()
PERIOD = month_add(month_first(_TODAY), -1 if _TODAY.day > 15 else -2)  # the latest period due


# The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", HYPERLINK, CMD, "-5", "=", "-"])
def test_text_starting_like_a_formula_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "บริษัท ทดสอบ จำกัด", "Acme Ltd", "a=1", " =1", "'=1", "5", "1-2", "A-1"])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    "value", [-5, 0, 12, Decimal("-1500.50"), -2.5, datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, 8), None]
)
def test_numbers_and_dates_stay_what_they_are(value):
    assert neutralise(value) is value


def test_a_lazy_translation_is_text():
    with translation.override("en"):
        assert neutralise(translation.gettext_lazy("-5")) == "'-5"


def test_the_csv_writer_neutralises_text_and_keeps_numbers():
    content = exports.csv_bytes(["name", "amount"], [[HYPERLINK, Decimal("-5.00")], ["-5", -5], [CMD, None], []])
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "amount"], ["'" + HYPERLINK, "-5.00"], ["'-5", "-5"], ["'" + CMD, ""], []]


def test_the_csv_response_is_a_utf8_attachment():
    response = exports.csv_response("list.csv", ["a"], [["=1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="list.csv"'
    assert response.content.decode("utf-8-sig") == "a\r\n'=1\r\n"


def _sheet_cells(content: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def test_the_xlsx_writer_writes_text_as_strings_and_numbers_as_numbers():
    content = exports.xlsx_bytes(
        title="Test",
        header=["name", "amount", "on"],
        rows=[[HYPERLINK, Decimal("-5.00"), datetime.date(2026, 1, 31)], ["#N/A", -5, None], ["a\x01b", 1, ""]],
        number_formats={1: "#,##0.00"},
    )
    rows = _sheet_cells(content)
    assert [cell.value for cell in rows[0]] == ["name", "amount", "on"]
    assert rows[0][0].font.b
    name, amount, on = rows[1]
    assert (name.data_type, name.value) == ("s", "'" + HYPERLINK)
    assert (amount.data_type, amount.value, amount.number_format) == ("n", -5, "#,##0.00")
    assert on.is_date and on.value.date() == datetime.date(2026, 1, 31)
    assert (rows[2][0].data_type, rows[2][0].value) == ("s", "#N/A")  # not an error code
    assert rows[3][0].value == "a\ufffdb"  # a control character cannot stop the export


# The arrears list --------------------------------------------------------------------------------


@pytest.fixture
def rogue_employers(cast, offices):
    """Two employers of office 1001 that filed nothing for PERIOD, named like formulas in
    both languages (named so before names were checked, or by a careless import)."""
    officer = cast["counter"]
    rogues = []
    for n, payload in ((701, HYPERLINK), (702, CMD)):
        employer = employer_make(offices["1001"], officer, n=n)
        employee_make(employer, n, officer, started_on=datetime.date(2024, 1, 1), monthly_wage=Decimal("15000"))
        Employer.objects.filter(pk=employer.pk).update(name_th=payload, name_en=payload)
        rogues.append(employer.account_number)
    return rogues


def _arrears(client_for, cast, fmt, language):
    client = client_for(cast["verifier"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("contributions:arrears_export", args=[fmt]), {"period": f"{PERIOD:%Y-%m}"})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_arrears_csv_neutralises_an_employers_formula_name(rogue_employers, cast, client_for, language):
    text = _arrears(client_for, cast, "csv", language).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[0]: row[1] for row in rows[1:]}
    assert [names[account] for account in rogue_employers] == ["'" + HYPERLINK, "'" + CMD]
    # In the raw text: the quote comes first, inside the CSV quoting the name needs.
    assert ',"\'=HYPERLINK(""http://x.invalid/"",""pay"")",' in text
    assert ",'+cmd|' /C calc'!A0," in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text and ",+cmd" not in text


def test_the_arrears_xlsx_writes_an_employers_formula_name_as_text(rogue_employers, cast, client_for):
    rows = _sheet_cells(_arrears(client_for, cast, "xlsx", "en").content)
    names = {row[0].value: row[1] for row in rows[1:]}
    for account, payload in zip(rogue_employers, PAYLOADS, strict=True):
        cell = names[account]
        assert cell.data_type == "s"
        assert cell.value == "'" + payload
    contributions = rows[1][6]
    assert contributions.data_type == "n" and contributions.number_format == "#,##0.00"


def test_no_arrears_xlsx_cell_is_a_formula(rogue_employers, cast, client_for):
    content = _arrears(client_for, cast, "xlsx", "th").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert b"<f>" not in content  # no formula element in the sheet's XML either


# The SSO 1-10 error file ----------------------------------------------------------------------------


def _workbook(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "000000"
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type  # the payloads as typed text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_statement_error_file_neutralises_what_the_file_said(cast, client_for, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=703)
    Employer.objects.filter(pk=employer.pk).update(name_th=HYPERLINK)
    content = _workbook(
        [
            ["National ID", "Title", "First name", "Surname", "Wage"],
            [pin_make(7031), "Mr", HYPERLINK, CMD, 15000],  # not registered: listed with the names
            [pin_make(7032), "Mr", "Somchai", "Jaidee", CMD],  # the wage is not an amount
        ]
    )
    client = client_for(cast["counter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    last_month = month_add(month_first(timezone.localdate()), -1)
    response = client.post(
        reverse("contributions:statement_upload"),
        {
            "file": SimpleUploadedFile("form.xlsx", content),
            "employer_account": employer.account_number,
            "period": f"{last_month:%m/%Y}",
        },
    )
    assert response.status_code == 200
    download = client.get(reverse("contributions:statement_upload_errors", args=[response.context["errors_token"]]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="form-errors.csv"'
    text = download.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + CMD in cells  # the wage the file gave
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# The bulk upload's error file and template ----------------------------------------------------------


def test_the_bulk_upload_error_file_neutralises_its_cells():
    errors = [{"line": 2, "field": "first_name_th", "message": HYPERLINK}, {"line": 3, "message": CMD}]
    upload = BulkUpload(errors=errors)
    with translation.override("en"):
        rows = list(csv.reader(io.StringIO(bulk.errors_csv(upload).decode("utf-8-sig"))))
    assert rows == [["Line", "Column", "Problem"], ["2", "first_name_th", "'" + HYPERLINK], ["3", "", "'" + CMD]]


def test_the_bulk_upload_template_is_unchanged_by_the_helper():
    content = bulk.template_csv("en")
    assert content.startswith("\ufeff".encode()) and content.endswith(b"\r\n")
    assert content.decode("utf-8-sig").splitlines()[0].split(",") == list(bulk.COLUMNS)


def test_the_characters_replaced_in_xlsx_are_those_openpyxl_refuses():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert exports._XLSX_ILLEGAL.pattern == ILLEGAL_CHARACTERS_RE.pattern
