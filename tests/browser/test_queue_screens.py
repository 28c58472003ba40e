"""Kiosk -> counter -> display board in one run, timestamps checked in the database."""

import time

import pytest

from tests.browser.harness import DEMO_TAB

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_PIN = "1101700230708"


def test_kiosk_to_counter_to_board(live_server, signed_in, demo, screenshot):
    from django.utils import timezone

    from queueing.models import Ticket

    board = signed_in("bkk1.supervisor", **DEMO_TAB)
    desk = signed_in("bkk1.counter", **DEMO_TAB)
    board.goto(f"{live_server.url}/queue/board/")
    board.wait_for_function("() => document.querySelector('[data-testid=board-status]').textContent.includes('live')")

    # Kiosk: an insured person with a valid national ID takes a contribution ticket.
    desk.goto(f"{live_server.url}/queue/kiosk/")
    desk.check("input[name=customer_kind][value=insured]")
    desk.fill("#id_customer_ref", "1-1017-00230-70-8")
    screenshot(desk, "queue-kiosk")
    desk.click("button[data-service=contribution]")
    desk.wait_for_selector("[data-testid=ticket-code]")
    assert desk.inner_text("[data-testid=ticket-code]") == "A001"
    assert desk.inner_text("[data-testid=ahead]") == "0"
    screenshot(desk, "queue-ticket")

    # A bad national ID is explained and issues nothing.
    desk.goto(f"{live_server.url}/queue/kiosk/")
    desk.check("input[name=customer_kind][value=insured]")
    desk.fill("#id_customer_ref", "1234567890123")
    desk.click("button[data-service=contribution]")
    desk.wait_for_selector(".field.invalid .error")
    assert "ไม่ถูกต้อง" in desk.inner_text(".field.invalid .error")

    # Counter console: sign in at counter 1 and call with the keyboard.
    desk.goto(f"{live_server.url}/queue/counter/")
    desk.click("[data-testid=sign-in-1]")
    desk.wait_for_selector("[data-testid=call-next]")
    desk.wait_for_load_state("load")  # the shortcut script is loaded
    desk.keyboard.press("n")
    called_at = time.monotonic()
    try:
        board.wait_for_selector("[data-testid=board-current] [data-ticket=A001]", timeout=5_000)
    finally:
        screenshot(desk, "queue-console-called")
        screenshot(board, "queue-board")
    board_delay = time.monotonic() - called_at
    board.wait_for_selector("#flash:not([hidden])")
    assert "A001" in board.inner_text("#flash") and "counter 1" in board.inner_text("#flash")
    screenshot(board, "queue-board")
    assert board_delay < 1.0, f"the board showed the call after {board_delay:.2f} s"

    desk.wait_for_selector("[data-testid=current-code]")
    assert desk.inner_text("[data-testid=current-code]") == "A001"
    desk.keyboard.press("r")  # recall
    desk.wait_for_selector("[data-testid=start]")
    desk.keyboard.press("s")
    desk.wait_for_selector("[data-testid=finish]")
    screenshot(desk, "queue-console-serving")
    desk.select_option("#id_outcome", "completed")
    desk.click("[data-testid=finish]")
    desk.wait_for_selector("[data-testid=call-next]")

    # Today's: the demo data holds the tickets of past days too.
    today = Ticket.objects.filter(service_day=timezone.localdate())
    ticket = today.select_related("counter", "officer", "visit").get(prefix="A", number=1)
    assert ticket.customer_ref == VALID_PIN
    assert ticket.status == "done" and ticket.outcome == "completed"
    assert ticket.counter.number == 1 and ticket.officer.username == "bkk1.counter"
    assert ticket.call_count == 2 and ticket.calls.count() == 2
    assert ticket.issued_at < ticket.first_called_at < ticket.called_at < ticket.started_at < ticket.finished_at
    assert ticket.visit.finished_at == ticket.finished_at
    assert today.count() == 1

    # The supervisor's live view and the service-time report show the day.
    board.goto(f"{live_server.url}/queue/report/")
    assert "1" in board.inner_text("[data-testid=service-times]")
    screenshot(board, "queue-report")
    board.goto(f"{live_server.url}/queue/live/")
    screenshot(board, "queue-live")
