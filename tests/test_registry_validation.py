"""What the registry refuses to store, whichever way it comes in (the counter's forms, the API,
a bulk upload): control characters, Thai-name fields without Thai letters, English names in
another script, phone numbers that are not Thai numbers, titles that contradict the sex. The
rules are registry/validators.py's, applied by the services; each refusal names the field in
Thai and English and stores nothing."""

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from registry import bulk, demo, services, validators
from registry.models import Bank, BankAccount, BulkUpload, Dependant, Employer, Employment, InsuredPerson
from tests.factories import employee_make, employer_make, pin_make, tax_id_make

API = "/api/registry"
TODAY = timezone.localdate()

# (field, value, code, extra fields): one kind of garbage each.
GARBAGE = [
    ("first_name_th", "สม\x01ชาย", "control_character", {}),
    ("last_name_th", "ใจ\x00ดี", "control_character", {}),
    ("address", "1 ถนนสุขุมวิท\x1b[31m", "control_character", {}),
    ("address", "1 ถนน\u202eสุขุมวิท", "control_character", {}),  # a bidi override: text shown backwards
    ("first_name_th", "Somchai", "thai_letters", {}),
    ("last_name_th", "12345", "thai_letters", {}),
    ("first_name_en", "สมชาย", "latin_letters", {}),
    ("last_name_en", "=HYPERLINK(1)", "latin_letters", {}),
    ("phone", "12345", "phone", {}),
    ("phone", "call me after 5", "phone", {}),
    ("phone", "0000000000", "phone", {}),
    ("title", "003", "title_sex", {"sex": "F"}),  # Mr for a woman
    ("title", "004", "title_sex", {"sex": "M"}),  # Miss for a man
    ("title", "005", "title_sex", {"sex": "M"}),  # Mrs for a man
]
IDS = [f"{field}-{code}-{index}" for index, (field, _v, code, _x) in enumerate(GARBAGE)]
# What a bulk upload file carries (no address or phone columns).
# (A NUL byte makes the whole file unreadable as CSV: the upload limits' tests hold that.)
BULK_GARBAGE = [row for row in GARBAGE if row[0] not in ("address", "phone") and "\x00" not in row[1]]
BULK_IDS = [f"{field}-{code}-{index}" for index, (field, _v, code, _x) in enumerate(BULK_GARBAGE)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=131)


def _person_fields(**extra):
    fields = {
        "title": "003",
        "first_name_th": "ประเสริฐ",
        "last_name_th": "มั่นคง",
        "first_name_en": "Prasert",
        "last_name_en": "Mankhong",
        "birth_date": datetime.date(1988, 3, 4),
        "sex": "M",
        "nationality": "THA",
        "address": "99/1 ถนนพหลโยธิน\nแขวงสามเสนใน เขตพญาไท กรุงเทพมหานคร 10400",
        "phone": "081-234-5678",
    }
    return fields | extra


def _stored():
    return (InsuredPerson.objects.count(), Employment.objects.count(), Employer.objects.count())


# The rules themselves ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["สมชาย", "เกศินี", "ณัฐพล", "ด.ช. หนึ่ง", "ศรี-สุข", "ไอ่ ยา", "แก้วมณี", "ฤทธิ์", "เจ้าพระยา"])
def test_a_thai_name_in_thai_letters_is_accepted(name):
    assert validators.thai_name_clean(f"  {name} ", "First name (Thai)") == name


@pytest.mark.parametrize("name", ["Somchai", "สมชาย1", "สมชาย๑", "-สมชาย", "สม_ชาย", "สม\tชาย", "😀", "สม\u200bชาย"])
def test_a_thai_name_with_anything_but_thai_letters_is_refused(name):
    with pytest.raises(ValidationError):
        validators.thai_name_clean(name, "First name (Thai)")


@pytest.mark.parametrize("name", ["Somchai", "O'Neil", "Mary-Jane", "José", "Zoë", "Nguyễn", "St. John"])
def test_an_english_name_in_latin_letters_is_accepted(name):
    assert validators.latin_name_clean(name, "First name (English)") == name


@pytest.mark.parametrize("name", ["สมชาย", "Somchai1", "-x", "'", "Σωκράτης", "Som\x7fchai", "Som\u202echai"])
def test_an_english_name_in_another_script_or_with_symbols_is_refused(name):
    with pytest.raises(ValidationError):
        validators.latin_name_clean(name, "First name (English)")


@pytest.mark.parametrize(
    "phone", ["02-123-4567", "021234567", "053 112 233", "081-234-5678", "0812345678", "+66 81 234 5678", "+6621234567"]
)
def test_a_thai_phone_number_is_accepted(phone):
    assert validators.phone_clean(phone, "Phone") == phone


@pytest.mark.parametrize(
    "phone", ["12345", "02", "0123456789", "081-234-567", "08123456789", "+1 555 123 4567", "+66 081 234 5678", "abc"]
)
def test_a_phone_number_that_is_not_thai_is_refused(phone):
    with pytest.raises(ValidationError) as refused:
        validators.phone_clean(phone, "Phone")
    assert refused.value.code == "phone"


def test_free_text_keeps_line_breaks_and_refuses_other_control_characters():
    address = "1 หมู่ 2\r\nตำบลสุเทพ\tอำเภอเมือง"
    assert validators.text_clean(address, "Address", multiline=True) == address
    for char in ("\x00", "\x07", "\x1b", "\x7f", "\u200e", "\u202e", "\u2028", "\ufeff"):
        with pytest.raises(ValidationError) as refused:
            validators.text_clean(f"1 หมู่ 2{char}", "Address", multiline=True)
        assert refused.value.code == "control_character"
    with pytest.raises(ValidationError):
        validators.text_clean("one\nline", "Branch name")


@pytest.mark.parametrize(("title", "sex"), [("003", "M"), ("004", "F"), ("005", "F")])
def test_a_title_that_fits_the_sex_is_accepted(title, sex):
    validators.title_sex_check(title, sex)


def test_the_message_names_the_field_in_thai_and_english():
    with pytest.raises(ValidationError) as refused:
        validators.thai_name_clean("Somchai", translation.gettext_lazy("First name (Thai)"))
    english = str(refused.value.messages[0])
    with translation.override("th"):
        thai = str(refused.value.messages[0])
    assert english.startswith("First name (Thai) must be written in Thai letters")
    assert thai.startswith("ชื่อ (ภาษาไทย)") and "ตัวอักษรไทย" in thai


# Through the service (the counter's forms and the API call it) ----------------------------------


@pytest.mark.parametrize(("field", "value", "code", "extra"), GARBAGE, ids=IDS)
def test_the_service_refuses_garbage_and_stores_nothing(employer, cast, field, value, code, extra):
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        services.employee_register(
            officer=cast["counter"],
            employer=employer,
            started_on=TODAY,
            national_id=pin_make(1301),
            **_person_fields(**{field: value}, **extra),
        )
    assert field in refused.value.error_dict
    assert refused.value.error_dict[field][0].code == code
    assert _stored() == before


def test_every_field_at_fault_is_named_at_once(employer, cast):
    with pytest.raises(ValidationError) as refused:
        services.employee_register(
            officer=cast["counter"],
            employer=employer,
            started_on=TODAY,
            national_id=pin_make(1302),
            **_person_fields(first_name_th="Somchai", first_name_en="สมชาย", phone="1"),
        )
    assert set(refused.value.error_dict) == {"first_name_th", "first_name_en", "phone"}


def test_good_data_is_stored_cleaned(employer, cast):
    employment = services.employee_register(
        officer=cast["counter"],
        employer=employer,
        started_on=TODAY,
        national_id=pin_make(1303),
        **_person_fields(first_name_th="  ประเสริฐ  ", phone=" +66 81 234 5678 ", nationality="tha"),
    )
    person = employment.person
    assert (person.first_name_th, person.phone, person.nationality) == ("ประเสริฐ", "+66 81 234 5678", "THA")
    assert person.address.count("\n") == 1


@pytest.mark.parametrize(("field", "value", "code", "extra"), GARBAGE, ids=IDS)
def test_the_registration_page_shows_the_fault_on_its_field(employer, cast, client_for, field, value, code, extra):
    before = _stored()
    data = {
        "id_type": "pin",
        "national_id": pin_make(1304),
        **{name: str(value) for name, value in _person_fields(**{field: value}, **extra).items()},
        "birth_date": "04/03/2531",
        "branch": "000000",
        "started_on": TODAY.strftime("%d/%m/%Y"),
        "monthly_wage": "15000",
    }
    response = client_for(cast["counter"]).post(reverse("registry:employee_register", args=[employer.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _stored() == before


def test_a_correction_is_checked_and_a_legacy_field_left_alone_does_not_block_it(employer, cast):
    person = employee_make(employer, 1305, cast["counter"]).person
    InsuredPerson.objects.filter(pk=person.pk).update(first_name_en="Somchai 2nd")  # from before the rules
    with pytest.raises(ValidationError) as refused:
        services.person_update(officer=cast["counter"], person=person, phone="99")
    assert set(refused.value.error_dict) == {"phone"}
    with pytest.raises(ValidationError) as refused:
        services.person_update(officer=cast["counter"], person=person, sex="F")  # still "Mr"
    assert refused.value.error_dict["title"][0].code == "title_sex"
    services.person_update(officer=cast["counter"], person=person, sex="F", title="004")
    services.person_update(officer=cast["counter"], person=person, phone="02-123-4567", first_name_en="Somchai 2nd")
    person.refresh_from_db()
    assert (person.phone, person.title, person.sex, person.first_name_en) == ("02-123-4567", "004", "F", "Somchai 2nd")


def test_employers_branches_bank_accounts_and_dependants_are_checked_too(employer, cast, offices):
    officer = cast["counter"]
    register = {
        "officer": officer,
        "tax_id": tax_id_make(132),
        "province": offices["1001"].province,
        "registered_on": datetime.date(2020, 1, 1),
    }
    for field, value, code in [
        ("name_th", "ABC Co., Ltd.", "thai_letters"),
        ("name_th", "บริษัท\x00 เอบีซี จำกัด", "control_character"),
        ("name_en", "บริษัท เอบีซี จำกัด", "latin_letters"),
        ("address", "1 ถนน\x08สีลม", "control_character"),
        ("phone", "999", "phone"),
        ("contact_name", "คุณ\u202eสมศรี", "control_character"),
    ]:
        names = {"name_th": "บริษัท เอบีซี จำกัด", "name_en": "ABC Co., Ltd."}
        with pytest.raises(ValidationError) as refused:
            services.employer_register(**register, **(names | {field: value}))
        assert refused.value.error_dict[field][0].code == code, field
    assert not Employer.objects.filter(tax_id=tax_id_make(132)).exists()

    with pytest.raises(ValidationError) as refused:
        services.branch_add(
            officer=officer, employer=employer, number="1", name="สาขา\x0b1", province=employer.province
        )
    assert "name" in refused.value.error_dict

    person = employee_make(employer, 1306, officer).person
    bank = Bank.objects.get(code="002")
    for name in ('=HYPERLINK("http://x.invalid/","pay")', "Somchai\x00", "12345"):
        with pytest.raises(ValidationError) as refused:
            services.bank_account_set(
                officer=officer,
                person=person,
                bank=bank,
                account_number="1" * bank.account_digits,
                account_name=name,
                valid_from=TODAY,
            )
        assert "account_name" in refused.value.error_dict
    assert not BankAccount.objects.filter(person=person).exists()

    for field, value in (("first_name_th", "Nueng"), ("last_name_th", "ใจ\x01ดี"), ("birth_certificate_id", "\x00")):
        fields = {"first_name_th": "หนึ่ง", "last_name_th": "ใจดี", "birth_certificate_id": "10-2565-000001"}
        with pytest.raises(ValidationError) as refused:
            services.dependant_add(
                officer=officer,
                person=person,
                kind="child",
                birth_date=datetime.date(2022, 1, 1),
                **(fields | {field: value}),
            )
        assert field in refused.value.error_dict
    assert not Dependant.objects.filter(person=person).exists()


# Through the API ---------------------------------------------------------------------------------


def _hire_body(employer, **fields):
    person = _person_fields(**fields)
    return {
        "national_id": pin_make(1307),
        "employer": employer.account_number,
        "started_on": TODAY.isoformat(),
        "monthly_wage": "15000.00",
        **{name: (value.isoformat() if isinstance(value, datetime.date) else value) for name, value in person.items()},
    }


def _refused_on(response, field, value=""):
    assert response.status_code == 400, response.content
    body = response.json()
    # Control characters may be refused at the edge, before the fields are read (finding 6):
    # either way the answer is a 400 and nothing is stored.
    edge = any(unicodedata.category(char) in ("Cc", "Cf") for char in value) and "body" in body.get("fields", {})
    assert edge or field in body["fields"], body
    field = "body" if edge else field
    assert body["fields"][field]["detail_th"] and body["fields"][field]["detail_en"]
    return body


@pytest.mark.parametrize(("field", "value", "code", "extra"), GARBAGE, ids=IDS)
def test_the_api_answers_400_and_stores_nothing(employer, cast, client_for, field, value, code, extra):
    before = _stored()
    response = client_for(cast["counter"]).post(
        f"{API}/employments/", _hire_body(employer, **{field: value}, **extra), content_type="application/json"
    )
    _refused_on(response, field, value)
    assert _stored() == before


def test_the_api_refuses_a_correction_that_contradicts_the_sex_or_is_garbage(employer, cast, client_for):
    person = employee_make(employer, 1308, cast["counter"]).person
    api = client_for(cast["counter"])
    url = f"{API}/persons/{person.pk}/"
    _refused_on(api.patch(url, {"sex": "F"}, content_type="application/json"), "title")
    garbage = "1\x1b ถนนสีลม"
    _refused_on(api.patch(url, {"address": garbage}, content_type="application/json"), "address", garbage)
    _refused_on(api.patch(url, {"last_name_th": "Jaidee"}, content_type="application/json"), "last_name_th")
    _refused_on(api.patch(url, {"phone": "555-1234"}, content_type="application/json"), "phone")
    refreshed = InsuredPerson.objects.get(pk=person.pk)
    assert (refreshed.sex, refreshed.address, refreshed.last_name_th, refreshed.phone) == (
        person.sex,
        person.address,
        person.last_name_th,
        person.phone,
    )


def test_the_api_refuses_an_employer_with_garbage(cast, client_for):
    api = client_for(cast["counter"])
    body = {
        "name_th": "บริษัท ใหม่ จำกัด",
        "name_en": "New Co Ltd",
        "tax_id": tax_id_make(133),
        "province": "10",
        "registered_on": "2024-01-02",
    }
    before = _stored()
    _refused_on(api.post(f"{API}/employers/", body | {"name_th": "New Co"}, content_type="application/json"), "name_th")
    _refused_on(api.post(f"{API}/employers/", body | {"phone": "1"}, content_type="application/json"), "phone")
    garbage = "1\x07 ถนน"
    _refused_on(
        api.post(f"{API}/employers/", body | {"address": garbage}, content_type="application/json"), "address", garbage
    )
    assert _stored() == before


# Through a bulk upload ----------------------------------------------------------------------------

BULK_HEADER = "national_id,title,first_name_th,last_name_th,first_name_en,last_name_en,birth_date,sex,started_on"


def _bulk_line(n, **values):
    row = {
        "national_id": pin_make(n, first_digit=3),
        "title": "003",
        "first_name_th": "ประเสริฐ",
        "last_name_th": "มั่นคง",
        "first_name_en": "Prasert",
        "last_name_en": "Mankhong",
        "birth_date": "04/03/2531",
        "sex": "M",
        "started_on": (TODAY - datetime.timedelta(days=3)).strftime("%d/%m/%Y"),
    } | values
    return ",".join(row[column] for column in BULK_HEADER.split(","))


@pytest.mark.parametrize(("field", "value", "code", "extra"), BULK_GARBAGE, ids=BULK_IDS)
def test_a_bulk_upload_with_garbage_is_refused_naming_the_line_and_field(employer, cast, field, value, code, extra):
    content = "\r\n".join([BULK_HEADER, _bulk_line(1), _bulk_line(2, **{field: value}, **extra)]) + "\r\n"
    before = _stored()
    upload = bulk.bulk_upload_submit(
        officer=cast["counter"], employer=employer, file_name="staff.csv", content=content.encode("utf-8")
    )
    upload = BulkUpload.objects.get(pk=upload.pk)
    assert upload.status == BulkUpload.Status.REJECTED
    assert [(error["line"], error["field"]) for error in upload.errors] == [(3, field)]
    assert _stored() == before


def test_the_bulk_upload_page_lists_the_garbage(employer, cast, client_for):
    content = "\r\n".join([BULK_HEADER, _bulk_line(3, first_name_th="Prasert", sex="F")]) + "\r\n"
    response = client_for(cast["counter"]).post(
        reverse("registry:upload_new"),
        {"account_number": employer.account_number, "file": SimpleUploadedFile("s.csv", content.encode("utf-8"))},
    )
    upload = BulkUpload.objects.get()
    assert response.status_code == 302
    assert {error["field"] for error in upload.errors} == {"first_name_th", "title"}
    assert not InsuredPerson.objects.filter(national_id=pin_make(3, first_digit=3)).exists()


# The demo data ------------------------------------------------------------------------------------


def test_the_demo_data_meets_every_rule(offices):
    demo.seed(stdout=None, employers=20, persons=250)
    checks = services.TEXT_CHECKS
    fields = [*checks, "title", "sex"]
    for row in InsuredPerson.objects.values(*fields):
        services.texts_clean({name: row[name] for name in checks}, checks)
        validators.title_sex_check(row["title"], row["sex"])
    for row in Employer.objects.values(*services.EMPLOYER_TEXT_CHECKS):
        services.texts_clean(row, services.EMPLOYER_TEXT_CHECKS)
    for account_name in BankAccount.objects.values_list("account_name", flat=True):
        validators.person_name_clean(account_name, "Name on the account")
    for row in Dependant.objects.values(*services.DEPENDANT_TEXT_CHECKS):
        services.texts_clean(row, services.DEPENDANT_TEXT_CHECKS)
    assert InsuredPerson.objects.count() == 250
