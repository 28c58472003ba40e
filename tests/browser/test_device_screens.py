"""The office's public screens in a real browser: the administrator registers a kiosk and a
board, each screen pairs itself with its code (no staff sign-in on either), the kiosk issues a
ticket (keypad, card reader, every service visible in both layouts), a counter calls it and the
board shows it."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_PIN = "1101700230708"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1366, "height": 768}


def register(admin, live_server, kind, name) -> str:
    """The administrator registers a device in the admin; the pairing code it shows once."""
    admin.goto(f"{live_server.url}/admin/core/device/add/")
    admin.select_option("#id_kind", kind)
    admin.fill("#id_name", name)
    admin.click("input[name=_save]")
    message = admin.inner_text(".messagelist")
    found = re.search(r"(\d{4}) (\d{4})", message)
    assert found, message
    return found[1] + found[2]


def screen(browser, live_server, viewport):
    """A public screen's browser: nobody signs in on it."""
    context = browser.new_context(locale="th-TH", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def pair(page, live_server, code):
    page.goto(f"{live_server.url}/device/pair/")
    page.fill("#id_code", code)
    page.click("button[type=submit]")


def every_service_visible(page):
    """Every service's button is whole inside the screen (no scrolling)."""
    size = page.viewport_size
    boxes = [button.bounding_box() for button in page.query_selector_all(".service-button")]
    assert boxes
    for box in boxes:
        assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5, (box, size)
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, (box, size)
        assert box["height"] >= 48  # a touch target


# The TV's speech, as a TV with a Thai voice installed and no English one: what it is asked to say.
_SPEECH = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", { value: {
  getVoices: () => [{ lang: "th-TH", localService: true, name: "Thai" }],
  speak: (utterance) => window.__spoken.push([utterance.lang, utterance.text]),
} });
"""


def test_a_paired_kiosk_issues_a_ticket_and_a_paired_board_shows_its_call(
    browser, live_server, signed_in, cast, offices, screenshot, monkeypatch
):
    from queueing import views
    from queueing.models import Service, Ticket
    from sso.core.models import Device
    from tests.factories import queue_office

    office = queue_office(offices["1001"])
    services = Service.objects.filter(office=office, is_active=True).count()
    admin = signed_in("admin")
    kiosk_code = register(admin, live_server, "kiosk", "Kiosk by the door")
    board_code = register(admin, live_server, "board", "Board in the waiting room")

    monkeypatch.setattr(views, "KIOSK_IDLE_SECONDS", 3)
    monkeypatch.setattr(views, "KIOSK_TICKET_SECONDS", 3)
    kiosk_context, kiosk = screen(browser, live_server, PORTRAIT)
    board_context, board = screen(browser, live_server, {"width": 1920, "height": 1080})
    board_context.add_init_script(_SPEECH)
    try:
        # A wrong code is refused; the right one opens the kiosk, in kiosk mode.
        pair(kiosk, live_server, "12345678")
        assert kiosk.is_visible("[data-testid=pair-error]")
        pair(kiosk, live_server, kiosk_code)
        kiosk.wait_for_url(f"{live_server.url}/queue/device/kiosk/")
        assert kiosk.query_selector(".menu, .topbar") is None  # no staff menu, no sign-in
        assert len(kiosk.query_selector_all(".service-button")) == services
        every_service_visible(kiosk)
        screenshot(kiosk, "device-kiosk-portrait")
        kiosk.set_viewport_size(LANDSCAPE)
        every_service_visible(kiosk)
        screenshot(kiosk, "device-kiosk-landscape")

        pair(board, live_server, board_code)
        board.wait_for_url(f"{live_server.url}/queue/device/board/")
        board.wait_for_function(
            "() => document.querySelector('[data-testid=board-status]').textContent.includes('live')"
        )
        assert re.match(r"\d{1,2}:\d{2}:\d{2}", board.inner_text("[data-testid=board-clock]"))

        # The ID card reader types 13 digits then Enter: the check digit is verified, no name shown.
        kiosk.click("label.big-choice:has(input[value=insured])")
        kiosk.click("#id_customer_ref")
        kiosk.keyboard.type("1101700230709")
        kiosk.keyboard.press("Enter")
        assert "bad" in kiosk.get_attribute("[data-testid=id-status]", "class")
        assert kiosk.url == f"{live_server.url}/queue/device/kiosk/"  # Enter sends nothing
        # The on-screen keypad corrects it.
        kiosk.click(".keypad button[data-key=back]")
        kiosk.click(".keypad button[data-key='8']")
        assert "ok" in kiosk.get_attribute("[data-testid=id-status]", "class")
        assert kiosk.input_value("#id_customer_ref") == VALID_PIN
        kiosk.click("button[data-service=contribution]")
        kiosk.wait_for_selector("[data-testid=ticket-code]")
        assert kiosk.inner_text("[data-testid=ticket-code]") == "A001"
        assert kiosk.query_selector("[data-testid=ticket-qr] svg") is not None
        screenshot(kiosk, "device-kiosk-ticket")
        ticket = Ticket.objects.get()
        assert ticket.customer_ref == VALID_PIN and ticket.office == office
        # Printed (or not), the kiosk returns to its start by itself; so does a half-typed ID.
        kiosk.wait_for_url(f"{live_server.url}/queue/device/kiosk/", timeout=8_000)
        kiosk.click(".keypad button[data-key='1']")
        assert kiosk.input_value("#id_customer_ref") == "1"
        kiosk.wait_for_function("() => document.querySelector('#id_customer_ref').value === ''", timeout=8_000)

        # The board counts it waiting, then shows and announces its call.
        board.wait_for_function(
            "() => document.querySelector('[data-testid=waiting-contribution]').textContent.trim() === '1'",
            timeout=25_000,
        )
        board.click("#sound")
        desk = signed_in("counter")
        desk.goto(f"{live_server.url}/queue/counter/")
        desk.click("[data-testid=sign-in-1]")
        desk.wait_for_selector("[data-testid=call-next]")
        desk.click("[data-testid=call-next]")
        board.wait_for_selector("[data-testid=board-current] [data-ticket=A001]", timeout=5_000)
        board.wait_for_selector("#flash:not([hidden])")
        assert "A001" in board.inner_text("#flash") and "counter 1" in board.inner_text("#flash")
        screenshot(board, "device-board")
        # Spoken after the chime, in Thai; no English voice on this TV: the chime stands for it.
        board.wait_for_function("() => window.__spoken.length > 0", timeout=5_000)
        assert board.evaluate("window.__spoken") == [["th-TH", "หมายเลข A 0 0 1 เชิญที่ช่อง 1"]]

        # Revoked, the kiosk is refused at its next request.
        Device.objects.filter(kind="kiosk").update(token_hash=None)  # the admin's action, tested elsewhere
        kiosk.goto(f"{live_server.url}/queue/device/kiosk/")
        assert kiosk.is_visible("[data-testid=device-refused]")
    finally:
        kiosk_context.close()
        board_context.close()
