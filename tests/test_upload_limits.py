"""Every reader of an uploaded file is bounded before it reads (issue 13, finding 2): the
spreadsheet bombs a tester built (a 17 KB XLSX whose sheet holds 3,000,000 empty `<c/>`, a
92 KB XLSX of 10,000,000 blank rows without a `<dimension>`) and their CSV and SSO 1-10
cousins are refused fast, in little memory, in Thai and English, with nothing stored, by
the page and the API of each upload; the listed errors of a refused file are capped (all of
them in the error file); the upload task has time limits and fails cleanly at the soft one."""

import dataclasses
import datetime
import functools
import io
import json
import resource
import time
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from benefits.models import PaymentOrder
from contributions import sso110
from contributions.models import Statement, StatementLine
from registry import bulk
from registry.bulk import upload as bulk_upload
from registry.models import BulkUpload, Employment, InsuredPerson
from sso.core import uploads
from tests.factories import employee_make, employer_make, pin_make

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SECONDS = 2.0  # generous: the refusals measured here take a few hundredths of a second
MEGABYTES = 100  # the bombs took 800 MB to 1.1 GB before

NS = b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """A valid workbook (written by openpyxl) whose first sheet's XML is replaced."""
    base = io.BytesIO()
    openpyxl.Workbook().save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


@functools.cache
def cells_bomb() -> bytes:
    """A sheet that claims two cells and holds 3,000,000 empty ones (about 17 KB packed)."""
    return _workbook_with_sheet(
        NS + b'<dimension ref="A1:B2"/><sheetData><row r="1">' + b"<c/>" * 3_000_000 + b"</row></sheetData></worksheet>"
    )


@functools.cache
def rows_bomb() -> bytes:
    """10,000,000 blank rows and no <dimension> (about 92 KB packed)."""
    return _workbook_with_sheet(NS + b"<sheetData>" + b"<row/>" * 10_000_000 + b"</sheetData></worksheet>")


BOMBS = {"cells": cells_bomb, "rows": rows_bomb}
# The zip's own check (compression ratio) refuses both bombs at once; with it off, the
# stream scan of the sheet must refuse them too, within their first rows.
RATIO_CHECK = {"ratio-checked": 100, "ratio-unchecked": 10**9}


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


@contextmanager
def bounded(seconds=SECONDS, megabytes=MEGABYTES):
    """Assert that the block ran within `seconds` and raised the process's peak memory by
    less than `megabytes` (the high-water mark: a bomb that was read would push it up)."""
    peak_before = _peak_rss()
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    growth = _peak_rss() - peak_before
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert growth < megabytes * MB, f"peak memory grew by {growth / MB:.0f} MB"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _warm(client, url):
    # The process's first page loads templates and translations: not the upload's cost.
    assert client.get(url).status_code == 200
    return client


def _file(name: str, content: bytes):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], officer=cast["counter"], n=131)


# The limits themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("ratio", RATIO_CHECK.values(), ids=RATIO_CHECK.keys())
@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_the_workbook_check_refuses_each_bomb_fast_in_little_memory(bomb, ratio):
    content = bomb()
    assert len(content) < 100_000
    limits = dataclasses.replace(uploads.Limits.current(), max_ratio=ratio)
    with bounded(), pytest.raises(uploads.UploadRefused) as refused:
        uploads.xlsx_check(content, limits)
    expected = {"uncompressed_too_large"} if ratio == 100 else {"too_many_columns", "too_many_rows"}
    assert refused.value.code in expected


def test_the_workbook_check_does_not_believe_the_dimension_nor_a_prefix(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9
    prefixed = _workbook_with_sheet(
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1"/>'
        b'<x:sheetData><x:row r="1">' + b"<x:c/>" * 300_000 + b"</x:row></x:sheetData></x:worksheet>"
    )
    far = _workbook_with_sheet(NS + b'<sheetData><row r="9000000"><c r="A9000000"/></row></sheetData></worksheet>')
    outside = _workbook_with_sheet(NS + b"<sheetData/>" + b"<c/>" * 300_000 + b"</worksheet>")
    codes = []
    for content in (prefixed, far, outside):
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.xlsx_check(content)
        codes.append(refused.value.code)
    assert codes == ["too_many_columns", "too_many_rows", "too_many_columns"]


def test_an_ordinary_workbook_passes_and_its_rows_are_counted():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["national_id", "wage"])
    for n in range(1, 301):
        sheet.append([pin_make(n), 15000])
    out = io.BytesIO()
    workbook.save(out)
    found = uploads.xlsx_check(out.getvalue())
    assert (found.rows, found.cells) == (301, 602)


def test_the_refusal_reads_in_thai_and_english(settings):
    settings.UPLOAD_MAX_ROWS = 10
    with pytest.raises(uploads.UploadRefused) as refused:
        list(uploads.csv_rows("a\n" * 20))
    with translation.override("th"):
        thai = str(refused.value.reason)
    with translation.override("en"):
        english = str(refused.value.reason)
    assert english == "The file has more than 10 lines (blank lines count); split it."
    assert thai != english and "10" in thai


def test_an_upload_bigger_than_the_limit_is_not_read(settings):
    settings.UPLOAD_MAX_BYTES = 1000

    class Claimed(io.BytesIO):
        size = 10**9  # what the upload claims; read() must not be called

        def read(self, *args):
            raise AssertionError("read")

    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.upload_read(Claimed())
    assert refused.value.code == "too_large"
    with pytest.raises(uploads.UploadRefused):
        uploads.upload_read(SimpleUploadedFile("a.csv", b"x" * 1001))


# Bulk registration (SSO 1-03 in bulk): the page and the API ---------------------------------------


def _nothing_registered():
    assert not BulkUpload.objects.exists()
    assert not InsuredPerson.objects.exists()
    assert not Employment.objects.exists()


CSV_BOMBS = {
    # One line of 5,000,000 empty fields: a list of 5,000,000 strings, read cell by cell, before.
    "columns": lambda: b"national_id" + b"," * 5_000_000 + b"\r\n",
    "rows": lambda: b"national_id,title\r\n" + b"\r\n" * 300_000,
}


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_the_bulk_upload_page_refuses_an_xlsx_bomb_and_stores_nothing(cast, client_for, employer, bomb):
    page = _warm(_english(client_for(cast["counter"])), reverse("registry:upload_new"))
    content = bomb()
    with bounded():
        response = page.post(
            reverse("registry:upload_new"),
            {"account_number": employer.account_number, "file": _file("staff.xlsx", content)},
        )
    assert response.status_code == 200
    assert b"it is not read" in response.content or b"more than" in response.content
    _nothing_registered()


@pytest.mark.parametrize("bomb", CSV_BOMBS.values(), ids=CSV_BOMBS.keys())
def test_the_bulk_upload_api_refuses_a_csv_bomb_and_stores_nothing(cast, client_for, employer, bomb):
    api = client_for(cast["counter"])
    with bounded():
        response = api.post(
            "/api/registry/uploads/",
            {"account_number": employer.account_number, "file": _file("staff.csv", bomb())},
        )
    assert response.status_code == 400
    body = json.dumps(response.json())
    assert "too_many_columns" in body or "too_many_rows" in body
    assert "detail_th" in body and "detail_en" in body
    _nothing_registered()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_the_bulk_upload_api_refuses_an_xlsx_bomb_even_unchecked_by_ratio(cast, client_for, employer, bomb, settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9
    with bounded():
        response = client_for(cast["counter"]).post(
            "/api/registry/uploads/",
            {"account_number": employer.account_number, "file": _file("staff.xlsx", bomb())},
        )
    assert response.status_code == 400
    _nothing_registered()


def test_the_bulk_upload_task_is_bounded_too(cast, employer, settings):
    # An upload stored before the limits were lowered: the worker refuses it as unreadable.
    upload = BulkUpload.objects.create(
        office=employer.responsible_office,
        uploaded_by=cast["counter"],
        employer=employer,
        file_name="staff.xlsx",
        content=rows_bomb(),
        language="en",
    )
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9
    with bounded():
        bulk.bulk_upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == BulkUpload.Status.REJECTED
    assert "lines" in upload.errors[0]["message"]
    assert not InsuredPerson.objects.exists()


# Contribution statements (SSO 1-10 text and Excel form): the page and the API ----------------------


@pytest.fixture
def firm(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=132)
    person = employee_make(employer, 71, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    return employer, person


def _nothing_filed():
    assert not Statement.objects.exists()
    assert not StatementLine.objects.exists()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_the_statement_page_refuses_an_excel_bomb_and_files_nothing(cast, client_for, firm, bomb):
    employer, _person = firm
    page = _warm(_english(client_for(cast["counter"])), reverse("contributions:statement_upload"))
    content = bomb()
    with bounded():
        response = page.post(
            reverse("contributions:statement_upload"),
            {"file": _file("form.xlsx", content), "employer_account": employer.account_number, "period": "01/2569"},
        )
    assert response.status_code == 200
    assert b"statement-upload-errors" in response.content
    _nothing_filed()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_the_statement_api_refuses_an_excel_bomb_unchecked_by_ratio(cast, client_for, firm, bomb, settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**9
    employer, _person = firm
    with bounded():
        response = client_for(cast["counter"]).post(
            "/api/contributions/statements/file/",
            {"file": _file("form.xlsx", bomb()), "employer_account": employer.account_number, "period": "01/2569"},
        )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][-1]["code"] in ("too_many_columns", "too_many_rows")
    assert body["errors"][-1]["message_th"] != body["errors"][-1]["message_en"]
    _nothing_filed()


def test_the_statement_api_refuses_a_text_file_of_too_many_lines(cast, client_for, firm, settings):
    settings.UPLOAD_MAX_ROWS = 1000
    with bounded():
        response = client_for(cast["counter"]).post(
            "/api/contributions/statements/file/", {"file": _file("sso110.txt", b"\r\n" * 1001)}
        )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_rows"
    _nothing_filed()


def _bad_lines(count: int) -> bytes:
    # Each line is a detail line (record type 2) too short: one error a line.
    return ("\r\n".join("2" + pin_make(n) for n in range(1, count + 1)) + "\r\n").encode()


def test_the_listed_errors_are_capped_and_the_error_file_has_them_all(cast, client_for, firm, settings):
    settings.UPLOAD_ERRORS_SHOWN = 5
    api = client_for(cast["counter"])
    response = api.post("/api/contributions/statements/file/", {"file": _file("sso110.txt", _bad_lines(12))})
    assert response.status_code == 400
    body = response.json()
    assert (len(body["errors"]), body["error_count"]) == (5, 12)
    download = api.get(body["errors_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert len(download.content.decode("utf-8-sig").strip().splitlines()) == 1 + 12
    page = _english(api).post(reverse("contributions:statement_upload"), {"file": _file("sso110.txt", _bad_lines(12))})
    assert page.content.count(b"<tr") <= 1 + 5
    assert b"7 more errors" in page.content
    _nothing_filed()


def test_a_big_file_of_bad_lines_answers_a_small_json_body(cast, client_for, firm):
    # 20,000 bad lines (the tester's 145,000 answered 75 MB): the body lists 1,000.
    response = client_for(cast["counter"]).post(
        "/api/contributions/statements/file/", {"file": _file("sso110.txt", _bad_lines(20_000))}
    )
    assert response.status_code == 400
    assert len(response.content) < 1 * MB
    assert response.json()["error_count"] == 20_000
    _nothing_filed()


def test_the_bulk_upload_api_caps_its_line_errors_and_links_the_error_file(cast, client_for, employer, settings):
    settings.UPLOAD_ERRORS_SHOWN = 3
    header = "national_id,title,first_name_th,last_name_th,birth_date,sex,started_on"
    lines = [f"{n},นาย,สมชาย,ใจดี,1/1/2533,M,1/1/2569" for n in range(1, 9)]  # bad IDs: 8 errors
    api = client_for(cast["counter"])
    response = api.post(
        "/api/registry/uploads/",
        {"account_number": employer.account_number, "file": _file("staff.csv", "\n".join([header, *lines]).encode())},
    )
    assert response.status_code == 400
    upload = response.json()["upload"]
    assert (len(upload["errors"]), upload["error_count"]) == (3, 8)
    download = api.get(upload["errors_url"])
    assert download.status_code == 200
    assert len(download.content.decode("utf-8-sig").strip().splitlines()) == 1 + 8
    assert not InsuredPerson.objects.exists()


# The bank's confirmation of a payment batch ------------------------------------------------------


@pytest.fixture
def sent_batch(cast, offices):
    from registry.models import Bank
    from tests.test_benefit_payments import _sent_batch  # the payment tests. own set-up

    employer = employer_make(offices["1001"], cast["counter"], n=133)
    with translation.override("en"):
        return _sent_batch(employer, cast, Bank.objects.get(code="002"), count=1)


@pytest.mark.parametrize("bomb", CSV_BOMBS.values(), ids=CSV_BOMBS.keys())
def test_the_confirmation_page_refuses_a_csv_bomb_and_changes_nothing(cast, client_for, sent_batch, bomb):
    batch, (order,) = sent_batch
    content = bomb().replace(b"national_id", str(order.pk).encode())
    page = _warm(_english(client_for(cast["verifier"])), reverse("benefits:batch", args=[batch.pk]))
    with bounded():
        response = page.post(
            reverse("benefits:batch", args=[batch.pk]),
            {"action": "confirm", "file": _file("confirmation.csv", content)},
        )
    assert response.status_code == 200
    assert b"confirmation-errors" in response.content and b"more than" in response.content
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.IN_BATCH


def test_the_confirmation_page_refuses_a_file_over_the_size_limit(cast, client_for, sent_batch, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    batch, (order,) = sent_batch
    response = _english(client_for(cast["verifier"])).post(
        reverse("benefits:batch", args=[batch.pk]),
        {"action": "confirm", "file": _file("confirmation.csv", f"{order.pk},PAID,R,\n".encode() * 200)},
        follow=True,
    )
    assert b"larger than" in response.content
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.IN_BATCH


# Celery time limits ----------------------------------------------------------------------------


def test_the_tasks_have_soft_and_hard_time_limits(settings):
    from registry.tasks import bulk_upload_run
    from sso.celery import app

    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert 0 < bulk_upload_run.soft_time_limit < bulk_upload_run.time_limit
    assert bulk_upload_run.soft_time_limit == settings.UPLOAD_TASK_SOFT_TIME_LIMIT


def test_an_upload_task_past_its_soft_limit_is_marked_failed_and_stores_nothing(cast, employer, monkeypatch):
    from registry.tasks import bulk_upload_run
    from tests.test_registry_bulk import HEADER, _row

    upload = BulkUpload.objects.create(
        office=employer.responsible_office,
        uploaded_by=cast["counter"],
        employer=employer,
        file_name="staff.csv",
        content="\r\n".join([HEADER, *(_row(n) for n in range(1, 41))]).encode(),
        language="en",
    )

    # The soft limit arrives while the file is being stored, after its persons were inserted
    # (the first storing step past 50 %): what the prefork pool raises in the task then.
    def progress_set(upload_id, percent, phase):
        if phase == "storing" and percent > 50:
            assert InsuredPerson.objects.exists()  # part of the file is in, within the transaction
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr(bulk_upload, "progress_set", progress_set)
    assert bulk_upload_run.apply(args=[upload.pk]).get() == "failed"
    upload.refresh_from_db()
    assert upload.status == BulkUpload.Status.FAILED and upload.finished_at is not None
    assert "took too long" in upload.errors[0]["message"]
    assert not InsuredPerson.objects.exists() and not Employment.objects.filter(employer=employer).exists()


def test_the_confirmation_page_caps_its_errors_and_links_the_error_file(cast, client_for, sent_batch, settings):
    settings.UPLOAD_ERRORS_SHOWN = 3
    batch, (order,) = sent_batch
    content = "".join(f"{900000 + n},PAID,R{n},\n" for n in range(8)).encode()  # 8 unknown orders
    page = _english(client_for(cast["verifier"]))
    response = page.post(
        reverse("benefits:batch", args=[batch.pk]), {"action": "confirm", "file": _file("confirmation.csv", content)}
    )
    assert response.content.count(b"is unknown") == 3
    assert b"5 more errors are in the error file" in response.content
    token = response.context["errors_token"]
    download = page.get(reverse("benefits:batch_confirmation_errors", args=[batch.pk, token]))
    assert download.status_code == 200
    assert len(download.content.decode("utf-8-sig").strip().splitlines()) == 1 + 8
    # The error file is its importer's only.
    other = client_for(cast["supervisor"]).get(reverse("benefits:batch_confirmation_errors", args=[batch.pk, token]))
    assert other.status_code == 404
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.IN_BATCH


def test_the_errors_of_a_file_read_the_same_when_rendered_once_per_template():
    from django.utils.translation import gettext_lazy as _

    from contributions.services import LineError
    from sso.core.formats import lazy_format

    errors = [
        LineError(1, "width", lazy_format(_("Line %(line)s cannot be read as CSV."), {"line": n}), expected="135")
        for n in (1, 2)
    ] + [
        LineError(3, "national_id", _("A national ID is 13 digits."), found="12"),
        LineError(4, "file", "plain text", expected=lazy_format(_("%(count)s digits"), {"count": 13})),
    ]
    rows = sso110.errors_as_dicts(errors)
    for row, error in zip(rows, errors, strict=True):
        for language in ("th", "en"):
            with translation.override(language):
                assert row[f"message_{language}"] == str(error.message)
        assert row["expected"] == str(error.expected)
    assert rows[1]["message_en"] == "Line 2 cannot be read as CSV." and rows[1]["message_th"] != rows[1]["message_en"]


def test_an_upload_left_checking_past_the_hard_limit_is_marked_failed_by_the_beat(cast, employer, settings):
    from registry.tasks import bulk_uploads_fail_stale
    from sso.celery import app

    assert "registry.tasks.bulk_uploads_fail_stale" in {entry["task"] for entry in app.conf.beat_schedule.values()}
    upload = BulkUpload.objects.create(
        office=employer.responsible_office,
        uploaded_by=cast["counter"],
        employer=employer,
        file_name="staff.csv",
        content=b"national_id\n",
        language="en",
        status=BulkUpload.Status.RUNNING,
    )
    assert bulk_uploads_fail_stale.apply().get() == 0  # still within its time
    BulkUpload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(seconds=2 * settings.UPLOAD_TASK_TIME_LIMIT + 1)
    )
    assert bulk_uploads_fail_stale.apply().get() == 1
    upload.refresh_from_db()
    assert upload.status == BulkUpload.Status.FAILED and "took too long" in upload.errors[0]["message"]
