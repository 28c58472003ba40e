"""Call-next through the WSGI application the server serves (sso.wsgi.application): the
fast path answers a successful token call exactly as the DRF view does, and hands every
other request, refusals included, to Django unchanged."""

import io
import json
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from queueing import services
from queueing.api.serializers import TicketSerializer
from queueing.models import Counter, Service, Ticket, TicketCall
from tests.factories import queue_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(cast, offices):
    queue_office(offices["5000"], counters=1)
    return queue_office(offices["1001"])


@pytest.fixture
def counter(office, cast):
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


def _issue(office, n=1):
    service = Service.objects.get(office=office, kind="contribution")
    return [services.ticket_issue(service=service, customer_kind="employer") for _ in range(n)]


def wsgi_post(path, *, token=None, body=b"", content_type="application/json", app=None, **extra):
    """POST through sso.wsgi.application (or `app`); returns (status code, headers, parsed body, raw)."""
    from sso.wsgi import application

    application = app or application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": content_type,
        **extra,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    # As Django's test client does: the test's transaction keeps its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        raw = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    code = int(answer["status"].split()[0])
    is_json = answer["headers"].get("Content-Type", "").startswith("application/json")
    return code, answer["headers"], (json.loads(raw) if raw and is_json else None), raw


@pytest.fixture
def token(cast):
    return Token.objects.create(user=cast["counter"]).key


def test_the_fast_answer_is_the_ticket_serializers_answer(office, counter, token):
    (ticket,) = _issue(office)
    code, headers, body, _raw = wsgi_post(
        f"/api/queue/counters/{counter.pk}/call-next/", token=token, body=b'{"close_current": ""}'
    )
    assert code == 200
    called = Ticket.objects.select_related("service", "counter").get(pk=ticket.pk)
    assert called.status == "called" and called.counter_id == counter.pk
    assert body == json.loads(json.dumps(TicketSerializer(called).data))
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert TicketCall.objects.filter(ticket=ticket).count() == 1


def test_finish_and_call_next_through_the_fast_path_closes_the_current_ticket(office, counter, token):
    first, second = _issue(office, 2)
    path = f"/api/queue/counters/{counter.pk}/call-next/"
    assert wsgi_post(path, token=token)[0] == 200
    code, _headers, body, _raw = wsgi_post(path, token=token, body=b'{"close_current": "no_show"}')
    assert code == 200 and body["code"] == second.code
    first.refresh_from_db()
    assert first.status == "done" and first.outcome == "no_show"


def test_a_refusal_goes_to_django_and_keeps_its_language(office, counter, token):
    path = f"/api/queue/counters/{counter.pk}/call-next/"
    code, _headers, body, _raw = wsgi_post(path, token=token, HTTP_ACCEPT_LANGUAGE="en")
    assert code == 409
    assert body["code"] == "empty" and body["detail"] == body["detail_en"]
    assert "ไม่มีผู้รอ" in body["detail_th"]


def test_a_busy_counter_is_refused_and_nothing_changes(office, counter, token):
    first, second = _issue(office, 2)
    path = f"/api/queue/counters/{counter.pk}/call-next/"
    assert wsgi_post(path, token=token)[0] == 200
    code, _headers, body, _raw = wsgi_post(path, token=token)
    assert code == 409 and body["code"] == "busy"
    second.refresh_from_db()
    assert second.status == "waiting"
    assert TicketCall.objects.count() == 1


def test_another_offices_counter_is_not_found(offices, office, counter, token):
    _issue(offices["5000"])
    elsewhere = Counter.objects.get(office=offices["5000"], number=1)
    code, _headers, _body, _raw = wsgi_post(f"/api/queue/counters/{elsewhere.pk}/call-next/", token=token)
    assert code == 404
    assert not Ticket.objects.filter(status="called").exists()


@pytest.mark.parametrize(
    ("token_of", "expected"),
    [("nobody", 401), ("verifier", 403)],  # a refused token is 401 (token auth comes first)
)
def test_a_bad_token_or_a_missing_permission_is_djangos_answer(cast, office, counter, token_of, expected):
    _issue(office)
    key = "0" * 40 if token_of == "nobody" else Token.objects.create(user=cast[token_of]).key
    code, _headers, _body, _raw = wsgi_post(f"/api/queue/counters/{counter.pk}/call-next/", token=key)
    assert code == expected
    assert not Ticket.objects.filter(status="called").exists()


@pytest.mark.parametrize(
    "body",
    [b'{"close_current": "lunch"}', b'{"close_current": ["no_show"]}', b"not json", b"[]"],
)
def test_input_the_serializer_refuses_is_refused_by_drf(office, counter, token, body):
    _issue(office)
    code, _headers, _body, _raw = wsgi_post(f"/api/queue/counters/{counter.pk}/call-next/", token=token, body=body)
    assert code == 400
    assert not Ticket.objects.filter(status="called").exists()


def test_an_unknown_host_is_refused_by_django(office, counter, token):
    _issue(office)
    code, _headers, _body, _raw = wsgi_post(
        f"/api/queue/counters/{counter.pk}/call-next/", token=token, HTTP_HOST="evil.example"
    )
    assert code == 400
    assert not Ticket.objects.filter(status="called").exists()


def test_the_fast_answer_carries_the_headers_of_djangos_answer(office, counter, token, client):
    """The middleware's headers come from sso.core.policy on both paths."""
    _issue(office, 2)
    path = f"/api/queue/counters/{counter.pk}/call-next/"
    _code, fast, _body, _raw = wsgi_post(path, token=token, body=b'{"close_current": ""}')
    Ticket.objects.filter(status="called").update(status="serving")
    django = client.post(path, {"close_current": "completed"}, "application/json", HTTP_AUTHORIZATION=f"Token {token}")
    assert django.status_code == 200
    # A success has no text in a language (sso.core.policy.MIDDLEWARE_POLICY): the locale
    # middleware's Content-Language and Vary: Accept-Language are Django's alone.
    ignored = {"Content-Length", "Content-Language", "Vary"}
    assert fast["Vary"] == "Accept" and django.headers["Vary"] == "Accept, Accept-Language"
    assert {k: v for k, v in fast.items() if k not in ignored} == {
        k: v for k, v in django.headers.items() if k not in ignored
    }


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_USER_AGENT": "kiosk\x00"}, {"QUERY_STRING": "a=%00"}],  # a control character in any header or the query
    ids=["header", "query"],
)
def test_what_the_middleware_refuses_the_fast_path_hands_to_django(office, counter, token, extra):
    _issue(office)
    code, _headers, body, _raw = wsgi_post(f"/api/queue/counters/{counter.pk}/call-next/", token=token, **extra)
    assert code == 400 and body["code"] == "control_characters"
    assert not Ticket.objects.filter(status="called").exists()


def test_plain_http_is_redirected_where_https_is_required(office, counter, token, settings):
    _issue(office)
    from django.core.wsgi import get_wsgi_application

    from queueing.api.fast import QueueFastPath

    settings.SECURE_SSL_REDIRECT = True
    app = QueueFastPath(get_wsgi_application())  # Django's middleware reads the setting when made
    code, headers, _body, _raw = wsgi_post(f"/api/queue/counters/{counter.pk}/call-next/", token=token, app=app)
    assert code == 301 and headers["Location"].startswith("https://")
    assert not Ticket.objects.filter(status="called").exists()


def test_the_fast_path_counts_the_tokens_rate(office, counter, token, settings):
    _issue(office, 2)
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "1/h"}
    path = f"/api/queue/counters/{counter.pk}/call-next/"
    assert wsgi_post(path, token=token)[0] == 200
    code, headers, body, _raw = wsgi_post(path, token=token, body=b'{"close_current": "no_show"}')
    assert code == 429 and "Retry-After" in headers and body["code"] == "throttled"
    assert Ticket.objects.filter(status="called").count() == 1


def test_every_middleware_says_how_the_fast_path_keeps_its_promise(settings):
    """A middleware added to settings.MIDDLEWARE fails here until sso.core.policy says how a
    request answered ahead of Django gets its protection."""
    from sso.core.policy import MIDDLEWARE_POLICY

    assert set(settings.MIDDLEWARE) <= set(MIDDLEWARE_POLICY)


def test_the_application_is_wrapped_by_the_settings_wrappers():
    from queueing.api.fast import QueueFastPath
    from sso.wsgi import application

    assert isinstance(application, QueueFastPath)


def test_other_paths_and_methods_are_djangos(office, counter, token):
    code, _headers, _body, _raw = wsgi_post(f"/api/queue/counters/{counter.pk}/recall/", token=token)
    assert code == 409  # Django's view: nothing called yet


# --- The kiosk's ticket ---------------------------------------------------------------


def _issue_body(service, **extra):
    return json.dumps({"service": service.pk, "customer_kind": "insured", **extra}).encode()


def test_the_fast_ticket_is_the_issue_views_answer(office, counter, token, client_for, cast):
    from queueing.api.fast import QueueFastPath

    def django(environ, start_response):
        pytest.fail("the fast path handed a good ticket request to Django")

    service = Service.objects.get(office=office, kind="contribution")
    _issue(office)  # one person ahead
    code, headers, body, _raw = wsgi_post(
        "/api/queue/issue/",
        token=token,
        body=_issue_body(service, customer_ref="1-1017-00230-70-8"),
        app=QueueFastPath(django),
    )
    assert code == 201 and headers["X-Frame-Options"] == "DENY"
    ticket = Ticket.objects.select_related("service").get(pk=body["id"])
    assert ticket.customer_ref == "1101700230708" and ticket.code == "A002"
    expected = json.loads(json.dumps(TicketSerializer(ticket).data))
    assert {key: body[key] for key in expected} == expected
    assert body["people_ahead"] == 1 and body["estimated_wait_minutes"] >= 1
    # Django's view gives the same fields for the next ticket.
    api = client_for(cast["counter"])
    django_answer = api.post(
        "/api/queue/issue/", {"service": service.pk, "customer_kind": "insured"}, "application/json"
    )
    assert django_answer.status_code == 201 and set(django_answer.json()) == set(body)
    assert QueueFastPath  # the class sso.wsgi wraps the application with


def test_the_kiosks_ticket_on_the_fast_path_waits_for_the_disk(office, token):
    """The number is printed and handed to a person: its commit must survive a database crash."""
    from django.db import connection

    service = Service.objects.get(office=office, kind="contribution")
    code, _headers, _body, _raw = wsgi_post("/api/queue/issue/", token=token, body=_issue_body(service))
    assert code == 201
    with connection.cursor() as cursor:  # the ticket's statement ran in this test's transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.parametrize(
    ("extra", "code", "reason"),
    [
        ({"customer_ref": "1234567890123"}, 400, "pin_invalid"),  # refused by the service: Django says why
        ({"priority": "1"}, 201, None),  # a string the serializer reads: Django's own answer
        ({"customer_kind": "robot"}, 400, None),
        ({"customer_ref": "1" * 21}, 400, None),
    ],
)
def test_kiosk_input_the_fast_path_does_not_take_goes_to_django(office, token, extra, code, reason):
    service = Service.objects.get(office=office, kind="contribution")
    status, _headers, body, _raw = wsgi_post(
        "/api/queue/issue/", token=token, body=_issue_body(service, **extra), HTTP_ACCEPT_LANGUAGE="th"
    )
    assert status == code
    if reason:
        assert body["code"] == reason and body["detail"] == body["detail_th"]
    assert Ticket.objects.count() == (1 if code == 201 else 0)


def test_a_ticket_for_another_offices_or_an_inactive_service_is_refused(offices, office, token):
    elsewhere = Service.objects.get(office=offices["5000"], kind="contribution")
    assert wsgi_post("/api/queue/issue/", token=token, body=_issue_body(elsewhere))[0] == 404
    service = Service.objects.get(office=office, kind="contribution")
    Service.objects.filter(pk=service.pk).update(is_active=False)
    code, _headers, body, _raw = wsgi_post("/api/queue/issue/", token=token, body=_issue_body(service))
    assert code == 400 and body["code"] == "service_inactive"
    assert Ticket.objects.count() == 0
