"""Bulk employee registration (SSO 1-03 from a CSV or XLSX file): all lines checked, every
error reported by line and column, nothing stored on error, everything stored (with its
audit rows) in one go otherwise; big files through the real Celery worker."""

import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from registry import bulk
from registry.models import BulkUpload, Employment, InsuredPerson, SectionSpell
from tests.factories import employee_make, employer_make, name_tag, pin_make

pytestmark = pytest.mark.django_db

HEADER = ",".join(
    ["national_id", "title", "first_name_th", "last_name_th", "first_name_en", "last_name_en"]
    + ["birth_date", "sex", "branch", "started_on", "monthly_wage"]
)


def _today():
    return timezone.localdate()


def _row(n, *, started_on=None, **values):
    started_on = started_on or (_today() - datetime.timedelta(days=10)).isoformat()
    row = {
        "national_id": pin_make(n, first_digit=3),
        "title": "นาย",
        "first_name_th": f"สมศักดิ์{name_tag(n)}",
        "last_name_th": "รักงาน",
        "first_name_en": f"Somsak{name_tag(n, 'abcdefghij')}",
        "last_name_en": "Rakngan",
        "birth_date": "15/6/2533",
        "sex": "M",
        "branch": "",
        "started_on": started_on,
        "monthly_wage": "15000.00",
    }
    row.update(values)
    return ",".join(row.values())


def _csv(*rows, header=HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode("utf-8") + b"\r\n"


def _submit(officer, employer, content, name="staff.csv"):
    with translation.override("en"):
        return bulk.bulk_upload_submit(officer=officer, employer=employer, file_name=name, content=content)


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], officer=cast["counter"], n=101)


def test_a_valid_csv_registers_every_employee_with_its_audit_rows(cast, offices, employer):
    counter = cast["counter"]
    late_day = (_today() - datetime.timedelta(days=45)).strftime("%d/%m/") + str(_today().year + 543)
    content = "\ufeff".encode() + _csv(
        _row(1),
        _row(2, title="004", sex="หญิง", birth_date="1992-01-31", monthly_wage=""),
        _row(3, started_on=late_day, branch="0"),
    )
    upload = _submit(counter, employer, content)

    assert upload.status == BulkUpload.Status.DONE, upload.errors
    assert (upload.line_count, upload.stored_count, upload.errors) == (3, 3, [])
    persons = InsuredPerson.objects.filter(national_id__in=[pin_make(n, first_digit=3) for n in (1, 2, 3)])
    assert persons.count() == 3
    assert set(persons.values_list("office", flat=True)) == {offices["1001"].pk}
    second = persons.get(national_id=pin_make(2, first_digit=3))
    assert (second.title, second.sex, second.birth_date) == ("004", "F", datetime.date(1992, 1, 31))
    jobs = Employment.objects.filter(employer=employer).order_by("person__national_id")
    assert [job.late_registration for job in jobs] == [False, False, True]
    assert jobs[0].monthly_wage == 15000 and jobs[1].monthly_wage is None
    assert {job.branch.number for job in jobs} == {"000000"}
    spells = SectionSpell.objects.filter(person__in=persons)
    assert [(s.section, s.valid_to) for s in spells] == [("33", None)] * 3
    assert {s.valid_from for s in spells} == {job.started_on for job in jobs}
    for model in (InsuredPerson, Employment, SectionSpell):
        rows = model.history.filter(history_type="+", history_user=counter, history_office=offices["1001"])
        assert rows.count() == 3, model
    # The audit row is a copy of the record as stored.
    audit = InsuredPerson.history.get(id=second.pk)
    assert (audit.national_id, audit.first_name_th, audit.birth_date, audit.office_id, audit.status) == (
        second.national_id,
        second.first_name_th,
        second.birth_date,
        second.office_id,
        "active",
    )
    assert Employment.history.get(id=jobs[2].pk).late_registration is True


def test_it_reports_every_bad_line_and_stores_nothing(cast, employer):
    counter = cast["counter"]
    employee_make(employer, 900, officer=counter)  # already employed here
    before = (InsuredPerson.objects.count(), Employment.objects.count(), SectionSpell.objects.count())
    future = (_today() + datetime.timedelta(days=3)).isoformat()
    bad_pin = pin_make(5, first_digit=3)[:-1] + str((int(pin_make(5, first_digit=3)[-1]) + 1) % 10)
    content = _csv(
        _row(1),  # line 2: good
        _row(2, national_id=bad_pin),  # 3: check digit
        _row(1),  # 4: duplicate of line 2
        _row(4, started_on=future),  # 5: hire date in the future
        _row(5, birth_date="31/02/2533"),  # 6: no such date
        _row(6, title="Dr", sex="X"),  # 7: two errors on one line
        _row(7, first_name_th=""),  # 8: missing Thai name
        _row(8, monthly_wage="-1"),  # 9: negative wage
        _row(9, branch="000123"),  # 10: unknown branch
        _row(10, national_id=pin_make(900)),  # 11: already employed by this employer
        _row(11, started_on="1/1/2010"),  # 12: before the employer was registered (2015)
        _row(12),  # 13: good
    )
    upload = _submit(counter, employer, content)

    assert upload.status == BulkUpload.Status.REJECTED
    assert [(e["line"], e["field"]) for e in upload.errors] == [
        (3, "national_id"),
        (4, "national_id"),
        (5, "started_on"),
        (6, "birth_date"),
        (7, "title"),
        (7, "sex"),
        (8, "first_name_th"),
        (9, "monthly_wage"),
        (10, "branch"),
        (11, "national_id"),
        (12, "started_on"),
    ]
    messages = {e["line"]: e["message"] for e in upload.errors}
    assert "check digit" in messages[3]
    assert "also on line 2" in messages[4]
    assert "future" in messages[5]
    assert "already employed" in messages[11]
    assert upload.stored_count == 0 and upload.line_count == 12
    assert (InsuredPerson.objects.count(), Employment.objects.count(), SectionSpell.objects.count()) == before


def test_the_upload_keeps_the_uploaders_language_for_its_messages(cast, employer):
    with translation.override("th"):
        upload = bulk.bulk_upload_submit(
            officer=cast["counter"], employer=employer, file_name="a.csv", content=_csv(_row(1, sex="X"))
        )
    assert upload.language == "th"
    with translation.override("th"):
        expected = str(translation.gettext("The sex is M or F (ชาย or หญิง)."))
    assert upload.errors[0]["message"] == expected


def test_it_refuses_a_header_with_an_unknown_or_missing_column(cast, employer):
    upload = _submit(cast["counter"], employer, _csv(header="national_id,title,first_name_th,last_name_th,birthday"))
    assert upload.status == BulkUpload.Status.REJECTED
    fields = {e["field"] for e in upload.errors}
    assert {e["line"] for e in upload.errors} == {1}
    assert {"birthday", "birth_date", "sex", "started_on"} <= fields


def test_it_reads_an_xlsx_workbook(cast, employer):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "วันเกิด", "เพศ", "วันที่เข้าทำงาน", "ค่าจ้าง"])
    hired = _today() - datetime.timedelta(days=5)
    sheet.append(
        [int(pin_make(21, first_digit=3)), "Mrs", "มาลี", "ดีใจ", datetime.datetime(1988, 3, 4), "F", hired, 18500.5]
    )
    sheet.append([])  # a blank line in the middle is skipped, not an error
    sheet.append([pin_make(22, first_digit=3), "003", "ชาติชาย", "ดีใจ", "4/3/2531", "ชาย", hired.isoformat(), None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload = _submit(cast["counter"], employer, buffer.getvalue(), name="staff.xlsx")

    assert upload.status == BulkUpload.Status.DONE, upload.errors
    assert upload.stored_count == 2
    mali = InsuredPerson.objects.get(national_id=pin_make(21, first_digit=3))
    assert (mali.title, mali.birth_date) == ("005", datetime.date(1988, 3, 4))
    assert mali.employments.get().monthly_wage == pytest.approx(18500.5)


def test_it_reads_a_thai_tis620_csv(cast, employer):
    header = "เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,วันเกิด,เพศ,สาขา,วันที่เข้าทำงาน"
    hired = (_today() - datetime.timedelta(days=2)).strftime("%d/%m/") + str(_today().year + 543)
    text = f"{header}\r\n{pin_make(31, first_digit=3)},นางสาว,สมหญิง,สวยงาม,1/12/2540,หญิง,000000,{hired}\r\n"
    upload = _submit(cast["counter"], employer, text.encode("cp874"))

    assert upload.status == BulkUpload.Status.DONE, upload.errors
    person = InsuredPerson.objects.get(national_id=pin_make(31, first_digit=3))
    assert (person.first_name_th, person.last_name_th, person.title) == ("สมหญิง", "สวยงาม", "004")


def test_a_person_insured_elsewhere_is_hired_without_a_new_record(cast, offices, employer):
    from registry.services import section40_register

    counter = cast["counter"]
    elsewhere = employer_make(offices["1001"], officer=counter, n=102)
    colleague = employee_make(elsewhere, 41, officer=counter).person
    informal = section40_register(
        officer=cast["other_supervisor"],
        option=1,
        applied_on=_today() - datetime.timedelta(days=60),
        national_id=pin_make(42),
        title="003",
        first_name_th="สมาน",
        last_name_th="อิสระ",
        birth_date=datetime.date(1985, 5, 5),
        sex="M",
    ).person
    assert informal.office == offices["5000"]
    hired = _today() - datetime.timedelta(days=7)
    content = _csv(
        _row(41, national_id=pin_make(41), started_on=hired.isoformat()),
        _row(42, national_id=pin_make(42), started_on=hired.isoformat()),
        _row(43),
    )
    upload = _submit(counter, employer, content)

    assert upload.status == BulkUpload.Status.DONE, upload.errors
    assert InsuredPerson.objects.filter(national_id__in=[pin_make(41), pin_make(42)]).count() == 2
    # Two employers, one open Section 33 spell.
    assert colleague.employments.filter(ended_on__isnull=True).count() == 2
    assert list(colleague.section_spells.values_list("section", "valid_to")) == [("33", None)]
    # Section 40 closed the day before the hire; Section 33 from the hire; the file stays with
    # the office that keeps it (a person is national; the job is the employer's office's).
    informal.refresh_from_db()
    spells = list(informal.section_spells.order_by("valid_from").values_list("section", "valid_to"))
    assert spells == [("40", hired - datetime.timedelta(days=1)), ("33", None)]
    assert informal.office == offices["5000"]
    assert not informal.history.filter(history_type="~").exists()  # nothing of the person changed
    closed = informal.section_spells.get(section="40")
    assert closed.history.filter(history_type="~", history_user=counter, valid_to=closed.valid_to).exists()
    # The names in the file do not overwrite the record of a known person.
    assert InsuredPerson.objects.get(pk=informal.pk).first_name_th == "สมาน"


def test_a_person_starting_before_their_open_section_40_spell_is_refused(cast, employer):
    from registry.services import section40_register

    section40_register(
        officer=cast["counter"],
        option=2,
        applied_on=_today() - datetime.timedelta(days=3),
        national_id=pin_make(51),
        title="003",
        first_name_th="สมาน",
        last_name_th="อิสระ",
        birth_date=datetime.date(1985, 5, 5),
        sex="M",
    )
    upload = _submit(cast["counter"], employer, _csv(_row(51, national_id=pin_make(51))))
    assert [(e["line"], e["field"]) for e in upload.errors] == [(2, "started_on")]


def test_running_an_upload_twice_stores_it_once(cast, employer):
    upload = _submit(cast["counter"], employer, _csv(_row(1), _row(2)))
    again = bulk.bulk_upload_process(upload_id=upload.pk)
    assert again.status == BulkUpload.Status.DONE
    assert Employment.objects.filter(employer=employer).count() == 2


def test_the_template_file_is_accepted_once_filled_in(cast, client_for, employer):
    response = client_for(cast["counter"]).get("/registry/uploads/template.csv")
    assert response.status_code == 200
    template = response.content
    assert template.startswith("\ufeff".encode())
    hired = _today().isoformat()
    row = f"{pin_make(61, first_digit=3)},pin,นาย,ทดสอบ,แบบฟอร์ม,Test,Form,1/1/2530,M,THA,000000,{hired},12000"
    upload = _submit(cast["counter"], employer, template + row.encode())
    assert upload.status == BulkUpload.Status.DONE, upload.errors


# Pages ------------------------------------------------------------------------------------

ACCESS = [
    ("counter", "/registry/uploads/new/", 200),
    ("counter", "/registry/uploads/", 200),
    ("verifier", "/registry/uploads/new/", 200),
    ("supervisor", "/registry/uploads/new/", 403),
    ("outsider", "/registry/uploads/new/", 403),
    ("outsider", "/registry/uploads/", 403),
    ("outsider", "/registry/uploads/template.csv", 403),
]


@pytest.mark.parametrize(("who", "url", "status"), ACCESS)
def test_upload_pages_follow_the_role(cast, client_for, who, url, status):
    assert client_for(cast[who]).get(url).status_code == status


def test_the_upload_page_stores_a_small_file_and_shows_the_result(cast, client_for, employer):
    client = client_for(cast["counter"])
    response = client.post(
        "/registry/uploads/new/",
        {"account_number": employer.account_number, "file": SimpleUploadedFile("s.csv", _csv(_row(1), _row(2)))},
    )
    upload = BulkUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/uploads/{upload.pk}/"
    page = client.get(response["Location"])
    assert b'data-status="done"' in page.content
    assert upload.status == "done" and upload.stored_count == 2
    assert client.get("/registry/uploads/").content.count(b"s.csv") == 1


def test_the_result_page_lists_the_line_errors(cast, client_for, employer):
    client = client_for(cast["counter"])
    client.post(
        "/registry/uploads/new/",
        {
            "account_number": employer.account_number,
            "file": SimpleUploadedFile("s.csv", _csv(_row(1), _row(2, sex="X"))),
        },
    )
    upload = BulkUpload.objects.get()
    page = client.get(f"/registry/uploads/{upload.pk}/").content.decode()
    assert 'data-status="rejected"' in page and 'data-testid="upload-errors"' in page
    errors = client.get(f"/registry/uploads/{upload.pk}/errors.csv")
    assert errors.content.decode("utf-8-sig").splitlines()[1].startswith("3,sex,")


def test_another_offices_employer_is_unknown_and_its_uploads_are_not_found(cast, client_for, offices):
    from tests.factories import StaffFactory

    far_counter = StaffFactory(username="far_counter", office=offices["5000"], roles=["counter_officer"])
    far_employer = employer_make(offices["5000"], officer=far_counter, n=501)
    client = client_for(cast["counter"])
    response = client.post(
        "/registry/uploads/new/",
        {"account_number": far_employer.account_number, "file": SimpleUploadedFile("s.csv", _csv(_row(1)))},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["account_number"]
    assert not BulkUpload.objects.exists()

    far_upload = _submit(far_counter, far_employer, _csv(_row(1)))
    assert client.get(f"/registry/uploads/{far_upload.pk}/").status_code == 404
    assert client.get(f"/registry/uploads/{far_upload.pk}/errors.csv").status_code == 404
    assert client.get(f"/api/registry/uploads/{far_upload.pk}/").status_code == 404
    assert client_for(cast["admin"]).get(f"/api/registry/uploads/{far_upload.pk}/").status_code == 200


def test_the_upload_list_makes_a_fixed_number_of_queries(cast, client_for, employer, django_assert_max_num_queries):
    for n in range(5):
        _submit(cast["counter"], employer, _csv(_row(n, sex="X")), name=f"f{n}.csv")
    client = client_for(cast["counter"])
    client.get("/registry/uploads/")  # warm the permission cache
    with django_assert_max_num_queries(8):
        assert client.get("/registry/uploads/").status_code == 200


# API --------------------------------------------------------------------------------------


def test_the_api_answers_201_with_the_stored_result(cast, client_for, employer):
    response = client_for(cast["counter"]).post(
        "/api/registry/uploads/",
        {"account_number": employer.account_number, "file": SimpleUploadedFile("s.csv", _csv(_row(1), _row(2)))},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["stored_count"], body["errors"]) == ("done", 2, [])
    assert body["status_url"].endswith(f"/api/registry/uploads/{body['id']}/")


def test_the_api_answers_400_with_every_line_error(cast, client_for, employer):
    response = client_for(cast["counter"]).post(
        "/api/registry/uploads/",
        {
            "account_number": employer.account_number,
            "file": SimpleUploadedFile("s.csv", _csv(_row(1, title="?"), _row(2), _row(3, monthly_wage="abc"))),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_lines" and body["detail_en"] and body["detail_th"]
    assert [(e["line"], e["field"]) for e in body["upload"]["errors"]] == [(2, "title"), (4, "monthly_wage")]
    assert not Employment.objects.filter(employer=employer).exists()


def test_the_api_refuses_an_unknown_employer_and_a_user_without_the_permission(cast, client_for, employer):
    file = SimpleUploadedFile("s.csv", _csv(_row(1)))
    response = client_for(cast["counter"]).post(
        "/api/registry/uploads/", {"account_number": "1000000001", "file": file}
    )
    assert response.status_code == 400 and response.json()["field"] == "account_number"
    assert response.json()["fields"]["account_number"]["detail_en"]
    file.seek(0)
    response = client_for(cast["supervisor"]).post(
        "/api/registry/uploads/", {"account_number": employer.account_number, "file": file}
    )
    assert response.status_code == 403


def test_the_api_refuses_a_ceased_employer_and_a_file_of_another_kind(cast, client_for, employer):
    from registry.services import employer_cease

    client = client_for(cast["counter"])
    old_excel = SimpleUploadedFile("staff.xls", b"\xd0\xcf\x11\xe0 not a csv")
    response = client.post("/api/registry/uploads/", {"account_number": employer.account_number, "file": old_excel})
    assert (response.status_code, response.json()["code"]) == (400, "file_type")
    employer_cease(officer=cast["counter"], employer=employer, ceased_on=_today())
    file = SimpleUploadedFile("s.csv", _csv(_row(1)))
    response = client.post("/api/registry/uploads/", {"account_number": employer.account_number, "file": file})
    assert (response.status_code, response.json()["code"]) == (400, "ceased")
    assert not BulkUpload.objects.exists()


def test_the_upload_api_is_in_the_schema(cast, client_for):
    schema = client_for(cast["counter"]).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/registry/uploads/" in schema and "/api/registry/uploads/{id}/" in schema


# The back office --------------------------------------------------------------------------


@pytest.fixture
def rule(transactional_db):
    # Transactional tests flush the tables, the registration rule loaded by migration included.
    from registry.models import RegistrationRule

    RegistrationRule.objects.get_or_create(valid_from=datetime.date(1990, 9, 2))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_big_file_goes_through_the_worker_with_progress(cast, client_for, offices, rule, celery_worker_process):
    counter = cast["counter"]
    employer = employer_make(offices["1001"], officer=counter, n=103)
    rows = [_row(n) for n in range(1, bulk.SYNC_MAX_LINES + 101)]
    client = client_for(counter)
    response = client.post(
        "/api/registry/uploads/",
        {"account_number": employer.account_number, "file": SimpleUploadedFile("big.csv", _csv(*rows))},
    )
    assert response.status_code == 202, response.content
    status_url = response["Location"]
    page = client.get(f"/registry/uploads/{response.json()['id']}/progress/")
    assert page.status_code == 200

    deadline = time.monotonic() + 60
    body = response.json()
    while body["status"] in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get(status_url).json()
    assert body["status"] == "done", body
    assert (body["line_count"], body["stored_count"], body["progress"]) == (600, 600, 100)
    assert Employment.objects.filter(employer=employer).count() == 600
    assert InsuredPerson.history.filter(history_user=counter).count() == 600
    # The polled block now holds the result and stops polling.
    block = client.get(f"/registry/uploads/{body['id']}/progress/").content.decode()
    assert 'data-status="done"' in block and "hx-trigger" not in block


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_big_file_with_errors_is_rejected_by_the_worker(cast, offices, rule, celery_worker_process):
    employer = employer_make(offices["1001"], officer=cast["counter"], n=104)
    rows = [_row(n, sex="X" if n == 300 else "M") for n in range(1, bulk.SYNC_MAX_LINES + 101)]
    upload = _submit(cast["counter"], employer, _csv(*rows))
    deadline = time.monotonic() + 60
    while upload.finished_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        upload.refresh_from_db()
    assert upload.status == BulkUpload.Status.REJECTED
    assert upload.errors == [{"line": 301, "field": "sex", "message": "The sex is M or F (ชาย or หญิง)."}]
    assert not Employment.objects.filter(employer=employer).exists()
