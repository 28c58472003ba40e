"""What every browser test shares: signing in through the real login page, the queue's first
steps (a ticket at the kiosk, a counter signed in), the screens (page loads), keypresses and
clicks of a counter flow and its report in tests/artifacts/, and the waits for the page a key or
a click loads.

The fixtures built on these (browser, page, signed_in, screenshot, demo) are in conftest.py;
the tests import the rest from here."""

import json
import re
import time

from tests.conftest import ARTIFACTS

STAFF_PASSWORD = "correct-horse-battery"  # tests.factories.StaffFactory's
DEMO_PASSWORD = "sso-demo-2569"  # the users of `manage.py demo_data`

# How the tests on the demo data open their tabs: a demo user, the office's Thai.
DEMO_TAB = {"password": DEMO_PASSWORD, "locale": "th-TH", "height": 800, "timeout": 10_000}


# --- Signing in and the queue's first steps ---------------------------------------------------


def sign_in(page, live_server, username, password=STAFF_PASSWORD):
    """Through the login page, as a user types it: the home page is open after it."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def ticket_take(page, live_server, *, customer_kind, customer_ref, service):
    """A ticket taken at the kiosk, its code on screen."""
    page.goto(f"{live_server.url}/queue/kiosk/")
    page.check(f"input[name=customer_kind][value={customer_kind}]")
    page.fill("#id_customer_ref", customer_ref)
    page.click(f"button[data-service={service}]")
    page.wait_for_selector("[data-testid=ticket-code]")


def counter_sign_in(page, live_server, number=1):
    """The officer signs in at counter `number`; the console is open after it."""
    page.goto(f"{live_server.url}/queue/counter/")
    page.click(f"[data-testid=sign-in-{number}]")
    # The sign-in redirects to the console: count nothing until its own load is over.
    page.wait_for_url(re.compile(r"/queue/counter/\d+/$"))
    page.wait_for_selector("[data-testid=call-next]")


# --- Screens, keys and clicks of a flow --------------------------------------------------------

# Every top-level document of the tab (not its frames: the receipt shows its PDF in one) appends
# its path to a log kept in sessionStorage once its load event has run, but only while a log has
# been started: the page itself keeps the count, so it does not depend on when Playwright's own
# "load" events reach the test.
_LOAD_LOG = """
window.addEventListener("load", () => {
  if (window.top !== window) return;
  const log = JSON.parse(sessionStorage.getItem("test-page-loads") || "null");
  if (log !== null) {
    log.push(location.pathname + location.search);
    sessionStorage.setItem("test-page-loads", JSON.stringify(log));
  }
  window.__testLoadLogged = true;
});
"""


class PageLoads:
    """The page loads (new documents) of one tab from start() on.

    Playwright's wait_for_load_state can return on the previous document's load state just after
    a navigation commits, and its "load" event can then reach a listener after the count began.
    A document's readyState turns "complete" just before its load event runs, so waiting for
    "complete" left a gap in which start() could clear the log and the console's own load then
    be counted (4 screens instead of 3, under load); both start() and urls() wait until the
    current document's load listener itself has run. Make it before the tab loads the flow's
    first page (the listener is added to every document loaded after)."""

    def __init__(self, page):
        self.page = page
        page.add_init_script(_LOAD_LOG)

    def _settled(self):
        self.page.wait_for_function("() => window.__testLoadLogged === true")

    def start(self):
        self._settled()
        self.page.evaluate("sessionStorage.setItem('test-page-loads', '[]')")

    def urls(self):
        self._settled()
        return json.loads(self.page.evaluate("sessionStorage.getItem('test-page-loads') || '[]'"))


class Flow:
    """One counter flow in one tab: the screens it loads, the keys pressed and typed and the
    mouse clicks, each with what it was for, and the time, from start() to stop()."""

    def __init__(self, page):
        self.page = page
        self.loads = PageLoads(page)
        self.keys: list[str] = []
        self.clicks: list[str] = []
        self.started = self.elapsed = None

    def start(self):
        self.loads.start()
        self.started = time.monotonic()

    def stop(self):
        self.elapsed = time.monotonic() - self.started

    def press(self, key, why):
        self.keys.append(f"{key} ({why})")
        self.page.keyboard.press(key)

    def type(self, text, why):
        self.keys.extend(f"{char} ({why})" for char in text)
        self.page.keyboard.type(text)

    def key_noted(self, key, why):
        """A key the user presses that the test cannot drive (a print dialog, headless)."""
        self.keys.append(f"{key} ({why})")

    def screens(self) -> list[str]:
        return self.loads.urls()

    def report(self, file_name, *, title, screens, screens_note, until, summary) -> str:
        """The flow's figures, printed and written to tests/artifacts/`file_name`."""
        report = "\n".join(
            [
                title,
                f"screens (page loads after the call): {len(screens)}",
                *(f"  {n}. {url}" for n, url in enumerate(screens, 1)),
                f"  ({screens_note})",
                f"keypresses: {len(self.keys)}",
                *(f"  - {key}" for key in self.keys),
                f"mouse clicks: {len(self.clicks)}",
                f"time from the call to {until} on screen (test server): {self.elapsed:.1f} s",
                summary,
            ]
        )
        print(report)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / file_name).write_text(report + "\n", encoding="utf-8")
        return report


# --- Waiting for what a key or a click loads ---------------------------------------------------


def press_and_wait(page, key):
    """A keyboard shortcut that submits a form: wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)


def click_and_wait(page, locator):
    """A click on a link or a form's button: wait for the page it loads."""
    with page.expect_navigation():
        locator.click()


def messages_text(page) -> str:
    """The messages the last answer left for the user."""
    return page.inner_text("ul.messages")


def cells(page, selector) -> list[str]:
    """The texts of the cells of the rows `selector` finds."""
    return page.locator(selector).locator("td").all_inner_texts()
