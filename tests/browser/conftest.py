"""Playwright driving Debian's chromium (`playwright install` cannot download here): the browser,
the content security policy watch over every page, and the fixtures every browser test uses
(page, signed_in, screenshot, demo). The helpers the tests call are in harness.py."""

import os
import shutil

import pytest
from django.conf import settings

from tests.browser.harness import STAFF_PASSWORD, sign_in
from tests.conftest import ARTIFACTS

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path():
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if not path:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed and REQUIRE_BROWSER=1: browser tests must run")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# Every page of every browser test runs under the content security policy: a violation (an
# inline script or style, an inline event handler, eval, a load from elsewhere) fails the test, and
# so does a permissions policy the browser cannot read. Chromium logs each violation to the
# console; the securitypolicyviolation event is logged too, in case a message is phrased otherwise.
_CSP_REPORT = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
_POLICY_MESSAGES = ("Content Security Policy", "Permissions-Policy", "Permissions Policy")
# Playwright evaluates a predicate given as an expression (wait_for_function("a === b")) with
# eval at every poll, which the policy refuses once the first check fails: give it a function
# ("() => a === b"), which Playwright evaluates once and then calls.


@pytest.fixture(autouse=True)
def _content_security_policy_holds(request):
    """Watches every context the test opens (the page fixture's and the tests' own)."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations = []
    open_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = open_context(*args, **kwargs)
        context.add_init_script(_CSP_REPORT)

        def on_console(message):
            if any(text in message.text for text in _POLICY_MESSAGES):
                violations.append(f"{message.location.get('url', '')}: {message.text}")

        context.on("console", on_console)
        return context

    browser.new_context = watched_context
    try:
        yield violations
    finally:
        del browser.new_context
    assert not violations, "the page broke the content security policy:\n" + "\n".join(dict.fromkeys(violations))


@pytest.fixture(autouse=True)
def _reference_rules(reference_rules):
    """Browser tests run on a live server with the tables emptied after each one."""


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def signed_in(browser, live_server):
    """Opens a tab of its own (a new browser context) signed in as `username`; every tab it
    opened is closed after the test. `language` sets the language cookie (the office works in
    Thai unless the language switch says otherwise)."""
    contexts = []

    def open_tab(username, *, password=STAFF_PASSWORD, locale="en-US", height=900, timeout=15_000, language=None):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": height})
        contexts.append(context)
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(timeout)
        sign_in(page, live_server, username, password)
        return page

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def demo(transactional_db):
    """The demo data's offices, users (tests.browser.harness.DEMO_PASSWORD) and records."""
    from django.core.management import call_command

    call_command("demo_data")


@pytest.fixture
def demo_small(transactional_db):
    """The demo data with fewer employers and persons, for tests that need only a few."""
    from django.core.management import call_command

    call_command("demo_data", employers=5, persons=40)
