"""The queue's public side end to end in real browsers (issue 18): the administrator registers a
kiosk, a board and a satisfaction tablet, each screen pairs itself; the kiosk issues a ticket
with a QR code of the ticket's page; a phone follows that page; a counter calls the ticket; the
board shows and announces the call and the phone says "your turn"; the counter finishes it;
the tablet at the counter takes the customer's rating; the rating is in the office's figures."""

import time

import pytest

from tests.browser.test_device_screens import _SPEECH, pair, register, screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ticket_from_the_kiosk_to_its_rating_in_the_office_report(
    browser, live_server, signed_in, cast, offices, screenshot
):
    import segno

    from queueing import devices
    from queueing.models import Counter, Rating, Service, Ticket
    from sso.core.models import Device
    from tests.factories import queue_office

    office = queue_office(offices["1001"])
    contribution = Service.objects.get(office=office, kind="contribution")
    admin = signed_in("admin")
    codes = {
        kind: register(admin, live_server, kind, name)
        for kind, name in (("kiosk", "Kiosk"), ("board", "Board"), ("satisfaction", "Tablet at counter 1"))
    }
    # The tablet stands at counter 1 (the administrator's choice in the counter's admin page).
    counter = Counter.objects.get(office=office, number=1)
    admin.goto(f"{live_server.url}/admin/queueing/counter/{counter.pk}/change/")
    admin.select_option("#id_tablet", str(Device.objects.get(kind="satisfaction").pk))
    admin.click("input[name=_save]")
    counter.refresh_from_db()
    assert counter.tablet.kind == "satisfaction"

    kiosk_context, kiosk = screen(browser, live_server, {"width": 1080, "height": 1920})
    board_context, board = screen(browser, live_server, {"width": 1920, "height": 1080})
    tablet_context, tablet = screen(browser, live_server, {"width": 1280, "height": 800})
    phone_context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    board_context.add_init_script(_SPEECH)
    try:
        pair(kiosk, live_server, codes["kiosk"])
        kiosk.wait_for_url(f"{live_server.url}/queue/device/kiosk/")
        pair(board, live_server, codes["board"])
        board.wait_for_url(f"{live_server.url}/queue/device/board/")
        board.wait_for_function(
            "() => document.querySelector('[data-testid=board-status]').textContent.includes('live')"
        )
        board.click("#sound")
        pair(tablet, live_server, codes["satisfaction"])
        tablet.wait_for_url(f"{live_server.url}/queue/device/satisfaction/")
        assert tablet.is_visible("[data-testid=tablet-idle]")

        # The kiosk issues the ticket, with the QR code of the ticket's own page.
        kiosk.click("button[data-service=contribution]")
        kiosk.wait_for_selector("[data-testid=ticket-code]")
        ticket = Ticket.objects.get()
        assert kiosk.inner_text("[data-testid=ticket-code]") == ticket.code
        # The QR drawn is the code of the ticket's page (its signed link), which the phone opens.
        link = kiosk.get_attribute("[data-testid=ticket-qr]", "data-link")
        assert link.startswith(live_server.url + "/queue/t/")
        assert devices.ticket_id_from_token(link.split("/")[-2], max_age=60) == ticket.pk
        expected_qr = segno.make(link, error="m").svg_inline(scale=4, border=2, omitsize=True)
        drawn = kiosk.get_attribute("[data-testid=ticket-qr] svg path", "d")
        assert drawn and f'd="{drawn}"' in expected_qr
        screenshot(kiosk, "e2e-kiosk-ticket")

        # The phone opens the QR's link and follows the ticket.
        phone.goto(link)
        assert phone.inner_text("[data-testid=ticket-code]") == ticket.code
        assert phone.inner_text("[data-testid=ahead]") == "0"
        board.wait_for_function(
            "() => document.querySelector('[data-testid=waiting-contribution]').textContent.trim() === '1'",
            timeout=25_000,
        )

        # The counter calls it: the board shows and says it, the phone says "your turn".
        desk = signed_in("counter")
        desk.goto(f"{live_server.url}/queue/counter/")
        desk.click("[data-testid=sign-in-1]")
        desk.wait_for_selector("[data-testid=call-next]")
        clicked = time.monotonic()
        desk.click("[data-testid=call-next]")
        phone.wait_for_selector("[data-testid=your-turn]", state="visible", timeout=5_000)
        seen = time.monotonic() - clicked
        assert phone.inner_text("[data-testid=counter]") == "1"
        board.wait_for_selector(f"[data-testid=board-current] [data-ticket={ticket.code}]", timeout=5_000)
        board.wait_for_function("() => window.__spoken.length > 0", timeout=5_000)
        assert board.evaluate("window.__spoken")[0] == ["th-TH", "หมายเลข A 0 0 1 เชิญที่ช่อง 1"]
        screenshot(board, "e2e-board-call")
        screenshot(phone, "e2e-phone-your-turn")
        print(f"counter's click -> phone's 'your turn': {seen:.2f} s")

        # Served and finished at the counter: the tablet there asks for the rating, once.
        desk.click("[data-testid=start]")
        desk.wait_for_selector("[data-testid=finish]")
        desk.click("[data-testid=finish]")
        desk.wait_for_selector("[data-testid=call-next]")
        tablet.wait_for_selector("[data-testid=rating-form]", timeout=10_000)
        assert ticket.code in tablet.inner_text("[data-testid=rating-form]")
        tablet.click("label.face-5")
        tablet.fill("#rating-comment", "บริการดีมาก")
        screenshot(tablet, "e2e-tablet-rating")
        tablet.click("[data-testid=rate]")
        tablet.wait_for_selector("[data-testid=rated]")
        rating = Rating.objects.get()
        assert (rating.ticket_id, rating.score, rating.comment) == (ticket.pk, 5, "บริการดีมาก")
        assert (rating.counter_id, rating.officer_id) == (counter.pk, cast["counter"].pk)
        # Rated: the phone page no longer offers a rating of its own.
        phone.goto(link)
        phone.wait_for_selector("[data-testid=rated]")
        tablet.wait_for_selector("[data-testid=tablet-idle]", timeout=10_000)
    finally:
        for context in (kiosk_context, board_context, tablet_context, phone_context):
            context.close()

    supervisor = signed_in("supervisor")
    supervisor.goto(f"{live_server.url}/reports/?preset=today")
    rows = supervisor.locator("[data-table=satisfaction_services] table.report tbody tr")
    assert rows.count() == 1
    assert contribution.name_en in rows.first.inner_text() or contribution.name_th in rows.first.inner_text()
    assert "5" in rows.first.inner_text()
    screenshot(supervisor, "e2e-report-satisfaction")
