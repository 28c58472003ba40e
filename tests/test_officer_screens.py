"""What the officer sees (issue 15, part 4): every fault of a form in one submit, months and
dates in B.E. on Thai screens, typed month and date inputs instead of the browser's pickers,
and the admin in Thai."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registry import services
from registry.models import Employer
from sso.core.formats import month_numeric, month_numeric_lazy, months_numeric_lazy
from sso.core.forms import ThaiMonthField, parse_thai_month
from sso.core.records import Refusals
from tests.factories import tax_id_make

pytestmark = pytest.mark.django_db

D = datetime.date


def _bad_tax_id() -> str:
    good = tax_id_make(78)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def _thai(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    return client


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Every fault at once ------------------------------------------------------------------------


def test_the_employer_form_shows_the_missing_address_and_the_bad_check_digit_in_one_submit(client_for, cast):
    """It showed the missing address first, and the tax ID's check digit only once the address
    was fixed; a future registration date and a bad phone number come in the same answer."""
    response = _english(client_for(cast["counter"])).post(
        reverse("registry:employer_register"),
        {
            "name_th": "บริษัท ใหม่ จำกัด",
            "name_en": "New Co Ltd",
            "tax_id": _bad_tax_id(),
            "address": "",
            "province": cast["counter"].office.province_id,
            "registered_on": "01/11/2599",
            "phone": "12345",
            "responsible_office": cast["counter"].office_id,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"tax_id", "address", "registered_on", "phone"} <= set(errors), errors
    assert "check digit" in " ".join(errors["tax_id"]).lower()
    assert not Employer.objects.filter(name_en="New Co Ltd").exists()


def test_the_branch_form_shows_a_bad_number_and_a_missing_name_together(client_for, cast):
    employer = services.employer_register(
        officer=cast["counter"],
        name_th="บริษัท สาขา จำกัด",
        name_en="Branch Co Ltd",
        tax_id=tax_id_make(79),
        province=cast["counter"].office.province,
        registered_on=D(2026, 1, 5),
    )
    response = _english(client_for(cast["counter"])).post(
        reverse("registry:branch_add", args=[employer.pk]),
        {"number": "12ab", "name": "", "province": employer.province_id},
    )
    assert {"number", "name"} <= set(response.context["form"].errors)
    assert employer.branches.count() == 1


def test_the_employer_service_refuses_every_fault_in_one_error(cast):
    """The API reaches the service without a form: it too names every field at fault."""
    with pytest.raises(ValidationError) as refused:
        services.employer_register(
            officer=cast["counter"],
            name_th="บริษัท ทดสอบ จำกัด",
            name_en="Test Co Ltd",
            tax_id=_bad_tax_id(),
            province=cast["counter"].office.province,
            registered_on=D(2099, 1, 1),
            phone="12345",
        )
    assert {"tax_id", "registered_on", "phone"} <= set(refused.value.error_dict)
    assert not Employer.objects.filter(name_en="Test Co Ltd").exists()


def test_the_person_fields_show_a_bad_national_id_a_latin_thai_name_and_a_wrong_title_together():
    from registry.forms import PersonFieldsForm

    form = PersonFieldsForm(
        {
            "id_type": "pin",
            "national_id": "1234567890123",
            "title": "003",  # Mr
            "first_name_th": "Somchai",
            "last_name_th": "ใจดี",
            "birth_date": "01/01/2530",
            "sex": "F",
            "nationality": "tha",
        }
    )
    assert not form.is_valid()
    assert {"national_id", "first_name_th", "title"} <= set(form.errors), form.errors


def _refuse(message):
    raise ValidationError(message)


def test_refusals_gather_every_field_and_raise_once():
    faults = Refusals()
    faults.add("a", "first")
    assert faults.check("b", _refuse, "second") is None
    faults.add_error("", ValidationError({"c": "third"}))
    with pytest.raises(ValidationError) as refused:
        faults.raise_any()
    assert set(refused.value.error_dict) == {"a", "b", "c"}
    Refusals().raise_any()  # nothing to refuse


# Months and dates in B.E. ---------------------------------------------------------------------


def test_a_month_reads_in_be_in_thai_and_ce_in_english():
    assert month_numeric(D(2026, 12, 1), "th") == "12/2569"
    assert month_numeric(D(2026, 12, 1), "en") == "12/2026"
    text = month_numeric_lazy(D(2027, 5, 1))
    months = months_numeric_lazy([D(2026, 10, 1), D(2026, 11, 1)])
    with translation.override("th"):
        assert (str(text), str(months)) == ("05/2570", "10/2569, 11/2569")
    with translation.override("en"):
        assert (str(text), str(months)) == ("05/2027", "10/2026, 11/2026")


@pytest.mark.parametrize(
    ("typed", "month"),
    [("12/2569", D(2026, 12, 1)), ("12/2026", D(2026, 12, 1)), ("1/2570", D(2027, 1, 1)), ("2026-12", D(2026, 12, 1))],
)
def test_a_month_is_typed_in_be_or_ce(typed, month):
    assert parse_thai_month(typed) == month


@pytest.mark.parametrize(
    ("typed", "code"),
    [("13/2569", "invalid_month"), ("12/69", "year_digits"), ("December 2026", "format"), ("12/2350", "year_range")],
)
def test_a_bad_month_is_refused_clearly(typed, code):
    with pytest.raises(ValidationError) as refused:
        parse_thai_month(typed)
    assert refused.value.code == code


def test_the_month_input_shows_the_month_in_be_in_thai():
    field = ThaiMonthField()
    with translation.override("th"):
        html = field.widget.render("month", D(2026, 12, 1))
    assert 'value="12/2569"' in html and 'type="text"' in html and 'type="month"' not in html


def test_a_future_statement_names_its_months_in_be_in_thai():
    from contributions.services.statements import LineError

    error = LineError(0, "period", "future", expected=month_numeric_lazy(D(2026, 12, 1)), found="x")
    with translation.override("th"):
        assert error.as_dict()["expected"] == "12/2569"


def test_the_batch_and_month_pickers_are_typed_inputs_in_be(client_for, cast):
    from benefits.forms import BatchForm, MonthForm

    with translation.override("th"):
        batch = str(BatchForm(initial={"pay_on": D(2026, 12, 7)})["pay_on"])
        month = str(MonthForm(initial={"month": D(2026, 12, 1)})["month"])
    assert 'type="date"' not in batch and 'value="07/12/2569"' in batch
    assert 'type="month"' not in month and 'value="12/2569"' in month
    assert MonthForm({"month": "12/2569"}).is_valid()
    form = MonthForm({"month": "12/26"})
    assert not form.is_valid() and "month" in form.errors


# The admin in Thai ----------------------------------------------------------------------------


def test_the_admin_is_in_thai(client_for, cast):
    from sso.core.models import User

    root = User.objects.create_superuser("root-admin", "root@example.invalid", "x-pass-123456")
    client = _thai(client_for(root))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in html and "ระบบงานสำนักงานประกันสังคม" in html
    html = client.get(reverse("admin:core_office_changelist")).content.decode()
    assert "Show counts" not in html and "Hide counts" not in html
    assert "แสดงจำนวน" in html or "ซ่อนจำนวน" in html


def test_djangos_own_dates_read_be_in_thai_and_machine_formats_stay_ce():
    """The admin's lists and a date shown as {{ value }} go through Django's formats."""
    from django.utils import dateformat, formats

    with translation.override("th"):
        assert formats.date_format(D(2026, 1, 5)) == "5 มกราคม 2569"
        assert dateformat.format(D(2026, 1, 5), "c").startswith("2026-01-05")
    with translation.override("en"):
        assert formats.date_format(D(2026, 1, 5)).endswith("2026")


def test_a_date_input_echoes_the_stored_date_in_be_only_in_thai():
    from sso.core.forms import ThaiDateField

    field = ThaiDateField()
    with translation.override("th"):
        thai = field.widget.render("day", D(2026, 11, 26))
    with translation.override("en"):
        english = field.widget.render("day", D(2026, 11, 26))
    assert "26 พ.ย. 2569" in thai and "Nov 2026" not in thai and 'data-stored="2026-11-26"' in thai
    assert "26 Nov 2026" in english and "26 พ.ย. 2569" in english


def test_a_head_office_is_named_in_thai_whatever_the_officers_language(cast):
    with translation.override("en"):
        employer = services.employer_register(
            officer=cast["counter"],
            name_th="บริษัท ภาษา จำกัด",
            name_en="Language Co Ltd",
            tax_id=tax_id_make(81),
            province=cast["counter"].office.province,
            registered_on=D(2026, 1, 5),
        )
    assert employer.branches.get().name == "สำนักงานใหญ่"


def test_a_findings_dates_kept_as_iso_text_read_in_be_on_the_verifier_page():
    """The back office keeps a finding's details as JSON (dates as ISO text); the verifier
    page showed them as 2026-11-01."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    still = SimpleNamespace(
        kind="still_employed", detail={"employer_name": "บริษัท ก", "period": "2026-11-01", "wage": "15000"}
    )
    overlap = SimpleNamespace(
        kind="overlap", detail={"claims": [{"claim": 7, "days": 3, "from": "2026-11-02", "to": "2026-11-04"}]}
    )
    with translation.override("th"):
        text = render_to_string("benefits/verify_detail.html", {"finding": still})
        text += render_to_string("benefits/verify_detail.html", {"finding": overlap})
    assert "11/2569" in text and "15,000.00 บาท" in text
    assert "2 พ.ย. 2569" in text and "4 พ.ย. 2569" in text and "2026" not in text
