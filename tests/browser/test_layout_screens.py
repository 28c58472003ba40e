"""Layout defects found at the counter (issue 15, part 4), in a real browser."""

import pytest

from tests.browser.harness import DEMO_TAB

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_long_unbroken_name_wraps_instead_of_widening_the_page(live_server, signed_in, demo_small, screenshot):
    """A name of 100 letters and more without a space (a data-entry slip, or a long romanised name)
    made the person page 3,300 px wide; it wraps within the window now."""
    from registry.models import InsuredPerson

    person = InsuredPerson.objects.filter(office__code="1001").order_by("pk").first()
    InsuredPerson.objects.filter(pk=person.pk).update(
        first_name_th="ก" * 100, first_name_en="A" * 100, last_name_th="ข" * 100
    )
    page = signed_in("bkk1.counter", **DEMO_TAB)
    page.goto(live_server.url + person.get_absolute_url())
    page.wait_for_selector("h1")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    screenshot(page, "layout-long-name")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


# The header and menu leave the page its room (issue 15, part 4): they took 190 px of a 900 px
# screen (a header of two lines and a menu of two rows). The role with the longest menu is the
# administrator (every app's pages); the counter officer's is the one used all day.
HEADER_MAX = 100


@pytest.mark.parametrize("width", [1366, 1280])
def test_the_header_and_menu_take_at_most_100_px(live_server, signed_in, demo_small, screenshot, width):
    heights = {}
    for username in ("bkk1.counter", "bkk1.verifier", "bkk1.supervisor", "bkk1.national", "bkk1.admin"):
        page = signed_in(username, **DEMO_TAB)
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        page.wait_for_selector("nav.menu")
        heights[username] = page.evaluate("document.querySelector('nav.menu').getBoundingClientRect().bottom")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{username}: the page is {widths[0]} px wide in a {widths[1]} px window"
        if username == "bkk1.admin":
            screenshot(page, f"layout-header-{width}")
    assert max(heights.values()) <= HEADER_MAX, heights


def _every_service_visible(page):
    size = page.viewport_size
    buttons = page.query_selector_all(".service-button")
    assert buttons
    for button in buttons:
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5, (button.inner_text(), box, size)
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, (button.inner_text(), box, size)
    return len(buttons)


@pytest.mark.parametrize("height", [900, 768])
def test_every_service_of_the_staff_kiosk_is_visible(live_server, signed_in, demo_small, screenshot, height):
    """The kiosk's second row of services was cut off at 1366x900 under the staff header."""
    from queueing.models import Service

    page = signed_in("bkk1.counter", **DEMO_TAB)
    page.set_viewport_size({"width": 1366, "height": height})
    page.goto(live_server.url + "/queue/kiosk/")
    page.wait_for_selector(".service-button")
    shown = _every_service_visible(page)
    assert shown == Service.objects.filter(office__code="1001", is_active=True).count()
    screenshot(page, f"layout-staff-kiosk-1366x{height}")


@pytest.mark.parametrize("height", [900, 768])
def test_every_service_of_the_device_kiosk_is_visible(live_server, browser, demo_small, screenshot, height):
    from io import StringIO

    from django.core.management import call_command

    from queueing.models import Service

    out = StringIO()
    call_command("device_pairing_code", "1001", "kiosk", stdout=out)
    code = "".join(ch for ch in out.getvalue().split("\n")[0] if ch.isdigit())[-8:]
    context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/device/pair/")
        page.fill("#id_code", code)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/queue/device/kiosk/")
        shown = _every_service_visible(page)
        assert shown == Service.objects.filter(office__code="1001", is_active=True).count()
        screenshot(page, f"layout-device-kiosk-1366x{height}")
    finally:
        context.close()
