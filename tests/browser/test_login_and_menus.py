"""Each demo role signs in through the real login page and sees its own menu."""

import pytest

from tests.browser.harness import DEMO_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# role login -> menu entries it must show, and entries it must not
EXPECTED = {
    "bkk1.counter": ({"my_office", "api_docs"}, {"changes", "offices", "admin"}),
    "bkk1.verifier": ({"my_office"}, {"changes", "offices", "admin"}),
    "bkk1.supervisor": ({"my_office", "changes"}, {"offices", "admin"}),
    "bkk1.national": ({"my_office", "changes", "offices"}, {"admin"}),
    "bkk1.admin": ({"my_office", "changes", "offices", "admin"}, set()),
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_signs_in_and_sees_its_own_menu(page, live_server, demo, screenshot, username):
    sign_in(page, live_server, username, DEMO_PASSWORD)
    shown = set(page.locator("[data-testid=home-menu] [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)"))
    must, must_not = EXPECTED[username]
    assert must <= shown, shown
    assert not (must_not & shown), shown
    assert page.locator("html").get_attribute("lang") == "th"
    screenshot(page, f"home-{username}")


def test_login_page_is_thai_first_and_switches_to_english(page, live_server, demo, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "เข้าสู่ระบบ"
    screenshot(page, "login-th")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Sign in"
    screenshot(page, "login-en")


def test_a_wrong_password_is_explained_and_keeps_the_user_name(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bkk1.counter")
    page.fill("#id_password", "not-the-password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".errors")
    assert page.input_value("#id_username") == "bkk1.counter"


def test_an_officer_opens_their_office_and_signs_out(page, live_server, demo, screenshot):
    sign_in(page, live_server, "cmi.supervisor", DEMO_PASSWORD)
    page.click("[data-testid=home-menu] [data-menu=my_office]")
    page.wait_for_url(f"{live_server.url}/offices/5000/")
    assert "เชียงใหม่" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=opened-on]").inner_text() == "1 มี.ค. 2534"
    screenshot(page, "office-cmi")
    page.goto(f"{live_server.url}/offices/1001/")
    assert page.locator("h1").inner_text() == "ไม่พบข้อมูล"
    page.click("form.logout button")
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_an_administrator_edits_an_office_with_a_buddhist_era_date(page, live_server, demo, screenshot):
    sign_in(page, live_server, "hq.admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/offices/4000/edit/")
    page.fill("#id_opened_on", "15/08/2545")
    page.fill("#id_phone", "043-000-111")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/offices/4000/")
    assert page.locator("[data-testid=opened-on]").inner_text() == "15 ส.ค. 2545"
    page.goto(f"{live_server.url}/history/")
    screenshot(page, "history-admin")
    from sso.core.models import Office

    office = Office.objects.get(code="4000")
    assert office.opened_on.isoformat() == "2002-08-15"
    assert office.history.latest().history_user.username == "hq.admin"
