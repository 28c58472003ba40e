"""The counter's registry screens in a real browser: register an employer (SSO 1-01), an
employee (SSO 1-03) with the duplicate guard, find them by name and ID, see what is
missing on the person page, change the hospital, notify the leaving (SSO 6-09)."""

import pytest
from django.utils import timezone

from tests.browser.harness import DEMO_TAB
from tests.factories import HospitalFactory, pin_make, tax_id_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counter_registers_an_employer_and_an_employee(live_server, signed_in, demo_small, screenshot):
    from registry.models import Employment, InsuredPerson

    hospital = HospitalFactory(code="TEST01", name_th="โรงพยาบาลทดสอบ", name_en="Test Hospital")
    today = timezone.localdate()
    page = signed_in("bkk1.counter", **DEMO_TAB)
    page.click("[data-menu=registry_search]")
    page.click("text=ขึ้นทะเบียนนายจ้าง (สปส. 1-01)")
    page.fill("#id_name_th", "บริษัท ทดสอบหน้าจอ จำกัด")
    page.fill("#id_name_en", "Screen Test Co Ltd")
    page.fill("#id_tax_id", tax_id_make(4242))
    page.fill("#id_address", "99 ถนนสุขุมวิท กรุงเทพฯ")
    page.select_option("#id_province", label="กรุงเทพมหานคร")
    screenshot(page, "registry-employer-form")
    page.keyboard.press("Alt+S")
    page.wait_for_selector("[data-testid=account-number]")
    account = page.inner_text("[data-testid=account-number]")
    assert len(account) == 10
    screenshot(page, "registry-employer")

    # SSO 1-03 with a wrong check digit: the field says why, nothing is stored.
    page.click("text=ขึ้นทะเบียนผู้ประกันตน (สปส. 1-03)")
    good = pin_make(987654)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    page.fill("#id_national_id", bad)
    page.select_option("#id_title", "004")
    page.fill("#id_first_name_th", "มาลัย")
    page.fill("#id_last_name_th", "ทดสอบดี")
    page.fill("#id_first_name_en", "Malai")
    page.fill("#id_last_name_en", "Thotsobdee")
    page.fill("#id_birth_date", "15/03/2535")
    page.select_option("#id_sex", "F")
    page.fill("#id_started_on", today.strftime("%d/%m/") + str(today.year + 543))
    page.fill("#id_monthly_wage", "18000")
    page.select_option("#id_hospital", str(hospital.pk))
    page.keyboard.press("Alt+S")
    page.wait_for_selector(".field.invalid .error")
    assert "เลขประจำตัวประชาชน" in page.inner_text(".field.invalid .error")
    assert not InsuredPerson.objects.filter(last_name_th="ทดสอบดี").exists()
    screenshot(page, "registry-employee-error")

    page.fill("#id_national_id", good)
    page.keyboard.press("Alt+S")
    page.wait_for_selector("[data-testid=completeness]")
    assert page.inner_text("[data-testid=national-id]").startswith(f"{good[0]}-{good[1:5]}")
    assert "มาตรา 33" in page.inner_text("[data-testid=current-section]")
    completeness = page.inner_text("[data-testid=completeness]")
    assert "บัญชีธนาคาร" in completeness  # no bank account yet: named as missing
    screenshot(page, "registry-person")

    # Found again by name and by the ID typed with dashes.
    page.goto(f"{live_server.url}/registry/search/")
    page.fill("#id_q", "มาลัย ทดสอบดี")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=person-results]")
    assert good[:1] in page.inner_text("[data-testid=person-results]")
    page.fill("#id_q", f"{good[0]}-{good[1:5]}-{good[5:10]}-{good[10:12]}-{good[12]}")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=completeness]")

    # SSO 6-09: the leaving is recorded once; Section 33 ends.
    page.click("text=แจ้งลาออก (สปส. 6-09)")
    page.select_option("#id_leaving_reason", "laid_off")
    page.keyboard.press("Alt+S")
    page.wait_for_selector("[data-testid=completeness]")
    job = Employment.objects.get(person__national_id=good)
    assert job.ended_on == today and job.leaving_reason == "laid_off"
    assert job.person.section_spells.get().valid_to == today  # covered to the last day worked
