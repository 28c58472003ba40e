"""Headers of every answer: a strict content security policy (no inline script, style or eval),
a permissions policy, and nothing with personal data left in a browser's or proxy's cache.
The templates are scanned so no inline script, event handler or style comes back; the
browser tests (tests/browser/conftest.py) fail on any violation the browser reports."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from queueing.models import Service
from sso.core.middleware import SecurityHeadersMiddleware
from tests.factories import employee_make, employer_make, queue_office

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html", "*/*/templates/**/*.html")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts and "var" not in path.parts
)
# WeasyPrint renders these to PDF on the server: no browser ever runs or styles them.
PDF_TEMPLATES = {
    "receipt_pdf.html",
    "letter_pdf.html",
    "evidence_pdf.html",
    "arrears_notice_pdf.html",
    "planner_roster_pdf.html",
}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HX_ON = re.compile(r"\shx-on[:\-]", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def person(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=701)
    return employee_make(employer, 71, cast["counter"]).person


def _directives(policy):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_the_policy_allows_no_inline_script_style_or_eval_and_no_framing():
    directives = _directives(settings.CONTENT_SECURITY_POLICY)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert "unsafe" not in settings.CONTENT_SECURITY_POLICY
    features = dict(item.strip().split("=") for item in settings.PERMISSIONS_POLICY.split(","))
    assert features["camera"] == features["microphone"] == features["geolocation"] == "()"
    assert features["payment"] == features["usb"] == "()" and features["fullscreen"] == "(self)"


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [("/", True), ("/accounts/login/", False), ("/queue/kiosk/", True), ("/registry/search/?q=x", True)],
)
def test_every_page_carries_the_content_security_policy_and_permissions_policy(
    cast, client, client_for, path, signed_in
):
    response = (client_for(cast["counter"]) if signed_in else client).get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "no-store" in response["Cache-Control"]


def test_a_person_page_is_never_cached(cast, client_for, person):
    response = client_for(cast["counter"]).get(person.get_absolute_url())
    assert response.status_code == 200 and person.full_name_th in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_an_api_answer_with_personal_data_is_never_cached(cast, client_for, person):
    response = client_for(cast["counter"]).get(f"/api/registry/persons/{person.pk}/")
    assert response.status_code == 200 and response.json()["national_id"] == person.national_id
    assert response["Cache-Control"] == "no-store, private"
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


def test_a_refusal_and_a_missing_page_are_not_cached_either(cast, client_for, client):
    assert client.get("/registry/persons/").status_code == 302  # to sign in
    assert client.get("/registry/persons/")["Cache-Control"] == "no-store, private"
    response = client_for(cast["counter"]).get("/registry/persons/999999999/")
    assert response.status_code == 404 and response["Cache-Control"] == "no-store, private"


def test_a_view_that_sets_its_own_caching_keeps_it():
    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-cache"  # the board's event stream, say
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_receipts_pdf_may_be_framed_by_our_own_pages_only():
    def pdf_view(request):  # what @xframe_options_sameorigin leaves on the receipt's PDF
        response = HttpResponse(b"%PDF", content_type="application/pdf")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    response = SecurityHeadersMiddleware(pdf_view)(RequestFactory().get("/"))
    directives = _directives(response["Content-Security-Policy"])
    assert directives["frame-ancestors"] == ["'self'"] and directives["script-src"] == ["'self'"]


def test_the_kiosks_ticket_answered_on_the_fast_path_is_never_cached(cast, offices):
    from queueing import services
    from queueing.api.fast import QueueFastPath
    from queueing.models import Counter
    from tests.test_queue_fast_path import _issue_body, wsgi_post

    office = queue_office(offices["1001"])
    services.counter_sign_in(counter=Counter.objects.get(office=office, number=1), officer=cast["counter"])
    token = Token.objects.create(user=cast["counter"]).key
    service = Service.objects.get(office=office, kind="contribution")

    def django(environ, start_response):
        pytest.fail("the fast path handed a good ticket request to Django")

    code, headers, body, _raw = wsgi_post(
        "/api/queue/issue/",
        token=token,
        body=_issue_body(service, customer_ref="1-1017-00230-70-8"),
        app=QueueFastPath(django),
    )
    assert code == 201 and body["customer_ref"] == "1101700230708"
    assert headers["Cache-Control"] == "no-store, private"
    assert headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_health_check_keeps_its_own_never_cache(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/js/shortcuts.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_api_docs_page_loads_its_script_from_a_file(cast, client_for):
    api = client_for(cast["counter"])
    response = api.get("/api/docs/")
    assert response.status_code == 200 and response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html)
    assert script, "the Swagger UI's start-up script is served at its own address"
    assert api.get(script[1].replace("&amp;", "&")).status_code == 200


def test_templates_are_found():
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "console.html", "receipt_detail.html", "slip.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_runs_inline_script(path):
    """Scripts are files under static/ (data reaches them through data- attributes or
    json_script, whose <script type="application/json"> holds no code)."""
    text = path.read_text(encoding="utf-8")
    inline = [m.group(0) for m in INLINE_SCRIPT.finditer(text) if "application/json" not in m.group(0)]
    assert not inline, f"inline <script> in {path.name}: move it to static/js/"
    assert not EVENT_HANDLER.search(text), f"an on*= event handler in {path.name}: use addEventListener"
    assert not SCRIPT_URL.search(text), f"a javascript: URL in {path.name}"
    assert not HX_ON.search(text), f"hx-on (inline script run by htmx) in {path.name}"


@pytest.mark.parametrize(
    "path", [p for p in TEMPLATES if p.name not in PDF_TEMPLATES], ids=lambda path: str(path.relative_to(ROOT))
)
def test_no_template_has_inline_style(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_STYLE.search(text), f"inline style in {path.name}: put it in static/css/app.css"


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and INLINE_SCRIPT.search("<script defer>\n x()")
    assert not INLINE_SCRIPT.search('<script src="/static/js/a.js" defer></script>')
    assert EVENT_HANDLER.search('<button type="button" onclick="print()">') and EVENT_HANDLER.search("<body onload=x>")
    assert not EVENT_HANDLER.search('<button data-print class="primary">')
    assert SCRIPT_URL.search('<a href="javascript:void(0)">') and HX_ON.search('<div hx-on:click="x()">')
    assert INLINE_STYLE.search('<td style="color:red">') and INLINE_STYLE.search("<style>p{}</style>")
