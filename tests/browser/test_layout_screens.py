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
