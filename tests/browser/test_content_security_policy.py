"""The content security policy in a real browser: the watch in conftest.py catches a violation,
and the pages no other browser test opens (the API's Swagger UI, the admin) run under it."""

import pytest

from tests.browser.harness import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_user(cast):
    return cast["admin"]


def test_the_watch_catches_an_inline_script_and_style(page, live_server, _content_security_policy_holds):
    violations = _content_security_policy_holds
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
        document.body.setAttribute("style", "background: red");
    }"""
    )
    page.wait_for_function("() => window.inlineRan === undefined")
    page.wait_for_timeout(300)  # console messages reach the test asynchronously
    assert page.evaluate("window.inlineRan") is None  # refused
    assert any("script-src" in v for v in violations) and any("style-src" in v for v in violations)
    violations.clear()  # caught as it should be: the test itself passes


def test_the_api_docs_run_under_the_policy(page, live_server, admin_user):
    sign_in(page, live_server, admin_user.username)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "SSO office system API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")  # the operations, read from the schema


def test_the_admin_runs_under_the_policy(page, live_server, admin_user):
    sign_in(page, live_server, admin_user.username)
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#content")
    page.goto(f"{live_server.url}/admin/core/user/")
    page.wait_for_selector("#result_list, #changelist")
