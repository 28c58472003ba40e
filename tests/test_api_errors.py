"""Bad input never makes a server error, and every error answers in one shape (issue 13,
findings 6 and 7): control characters refused at the edge, ids and dates range-checked,
DRF's and Django's own errors in the API's error shape, and the schema saying so."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from queueing.models import Counter, Service
from tests.factories import employee_make, employer_make, queue_office

pytestmark = pytest.mark.django_db

SHAPE = {"code", "detail", "detail_th", "detail_en", "field", "fields"}


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert SHAPE <= set(body), body
    assert body["detail_th"] and body["detail_en"], body
    assert body["detail"] in (body["detail_th"], body["detail_en"])
    if code is not None:
        assert body["code"] == code, body
    for field in body["fields"].values():
        assert set(field) == {"code", "detail", "detail_th", "detail_en"}
    return body


@pytest.fixture
def office(cast, offices):
    return queue_office(offices["1001"])


@pytest.fixture
def token(cast):
    def make(role="counter"):
        key = Token.objects.get_or_create(user=cast[role])[0].key
        return Client(headers={"Authorization": f"Token {key}"})

    return make


# Finding 6: server errors on bad input ---------------------------------------------------------


def test_a_counter_id_beyond_bigint_is_not_found_not_a_server_error(token, office):
    api = token()
    response = api.post("/api/queue/counters/99999999999999999999/call-next/", content_type="application/json")
    assert_error_shape(response, 404, "not_found")


def test_a_counter_id_beyond_bigint_is_not_found_through_the_wsgi_fast_path(cast, office, settings):
    from tests.test_queue_fast_path import wsgi_post

    key = Token.objects.get_or_create(user=cast["counter"])[0].key
    code, _headers, body, _raw = wsgi_post("/api/queue/counters/99999999999999999999/call-next/", token=key)
    assert code == 404 and body["code"] == "not_found"


def test_a_months_selector_before_year_one_is_refused_with_the_field(token, cast, offices):
    employer = employer_make(offices["1001"], officer=cast["counter"], n=901)
    person = employee_make(employer, 91, officer=cast["counter"]).person
    response = token().get(f"/api/contributions/persons/{person.national_id}/months/?before=0001-01-01")
    body = assert_error_shape(response, 400, "range")
    assert body["field"] == "before"
    assert "1900" in body["fields"]["before"]["detail_en"] and body["fields"]["before"]["detail_th"]


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/api/registry/persons/{person}/bank-account/", {"bank": "\x00", "account_number": "1", "account_name": "x",
                                                           "valid_from": "2026-01-01"}, "body"),
        ("/api/registry/persons/{person}/hospital/", {"hospital": "\x00", "valid_from": "2026-01-01"}, "body"),
        ("/api/registry/employers/", {"province": "\x00"}, "body"),
        ("/api/queue/issue/", {"service": "{service}", "customer_kind": "insured", "customer_ref": "A\x00"}, "body"),
    ],
)  # fmt: skip
def test_a_nul_in_a_json_field_is_refused_at_the_edge(token, cast, offices, office, path, data, field):
    employer = employer_make(offices["1001"], officer=cast["counter"], n=902)
    person = employee_make(employer, 92, officer=cast["counter"]).person
    service = Service.objects.filter(office=office).first()
    data = {key: service.pk if value == "{service}" else value for key, value in data.items()}
    response = token("admin").post(path.format(person=person.pk), data, content_type="application/json")
    body = assert_error_shape(response, 400, "control_characters")
    assert body["field"] == field


def test_a_nul_in_a_query_or_a_form_is_refused_on_pages_too(client_for, cast, office):
    page = client_for(cast["counter"])
    for url in ("/registry/search/?q=%00", "/queue/board/?office=%00", "/registry/search/?q=a%01b"):
        response = page.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode()
    form = page.post("/i18n/setlang/", "language=en%00", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400


def test_a_nul_in_a_query_names_the_parameter(token, office):
    body = assert_error_shape(token().get("/api/queue/tickets/?status=%00"), 400, "control_characters")
    assert body["field"] == "status" and "status" in body["fields"]


def test_tab_cr_and_lf_and_escaped_backslashes_pass(token, office):
    service = Service.objects.filter(office=office).first()
    # An escaped backslash before "b", and a tab: text, not control characters (the
    # reference is refused for its own reasons).
    response = token().post(
        "/api/queue/issue/",
        '{"service": ' + str(service.pk) + ', "customer_kind": "insured", "customer_ref": "a\\\\b\\tc"}',
        content_type="application/json",
    )
    assert response.json()["code"] != "control_characters"
    assert token().get("/api/queue/tickets/?search=a%09b%0D%0A").status_code == 200


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (b'{"a": "\\u0000"}', True),
        (b'{"a": "\\u001F"}', True),
        (b'{"a": "\\b"}', True),
        (b'{"a": "\\\\\\f"}', True),  # an escaped backslash, then a form feed
        (b'{"a": "\\\\u0000"}', False),  # an escaped backslash, then the text u0000
        (b'{"a": "\\\\b"}', False),
        (b'{"a": "\\t\\n\\r\\u0009\\u000A\\u000d \\u0e01"}', False),
    ],
)
def test_the_json_check_finds_escaped_control_characters_only(body, refused):
    from sso.core.policy import control_characters_in_json

    assert control_characters_in_json(body) is refused


@pytest.mark.parametrize(
    ("data", "refused"),
    [(b"q=%00", True), (b"q=%1f", True), (b"q=a\x01", True), (b"q=%09%0a%0D", False), (b"q=%E0%B8%81+b", False)],
)
def test_the_form_check_finds_raw_and_percent_encoded_control_characters(data, refused):
    from sso.core.policy import control_characters_in_urlencoded

    assert control_characters_in_urlencoded(data) is refused


def test_the_fast_path_leaves_a_nul_to_djangos_refusal(cast, office):
    from tests.test_queue_fast_path import wsgi_post

    service = Service.objects.filter(office=office).first()
    key = Token.objects.get_or_create(user=cast["counter"])[0].key
    data = {"service": service.pk, "customer_kind": "insured", "customer_ref": "\x00"}
    code, _headers, body, _raw = wsgi_post("/api/queue/issue/", body=json.dumps(data).encode(), token=key)
    assert code == 400 and body["code"] == "control_characters"
    assert not service.tickets.exists()


def test_a_service_id_beyond_bigint_is_refused_not_a_server_error(cast, office):
    from tests.test_queue_fast_path import wsgi_post

    key = Token.objects.get_or_create(user=cast["counter"])[0].key
    data = {"service": 2**70, "customer_kind": "insured"}
    code, _headers, body, _raw = wsgi_post("/api/queue/issue/", body=json.dumps(data).encode(), token=key)
    assert code == 400 and body["field"] == "service"


# Finding 7: one error shape, and a true schema ---------------------------------------------------


def test_drf_and_django_errors_all_answer_in_the_one_shape(token, office, cast):
    anonymous = Client()
    assert_error_shape(anonymous.get("/api/queue/tickets/"), 401, "not_authenticated")
    assert_error_shape(token("outsider").get("/api/queue/tickets/"), 403, "permission_denied")
    assert_error_shape(token().get("/api/queue/tickets/999999/"), 404, "not_found")
    assert_error_shape(token().get("/api/queue/no-such-thing/"), 404, "not_found")
    assert_error_shape(token().put("/api/queue/issue/"), 405, "method_not_allowed")
    body = assert_error_shape(
        token().post("/api/queue/issue/", "{not json", content_type="application/json"), 400, "parse_error"
    )
    assert body["detail_th"] != body["detail_en"]
    assert_error_shape(token().post("/api/queue/issue/", "x", content_type="text/csv"), 415, "unsupported_media_type")


def test_a_field_error_is_inside_the_shape_in_thai_and_english(token, office):
    body = assert_error_shape(
        token().post("/api/queue/issue/", {"customer_kind": "insured"}, content_type="application/json"),
        400,
        "required",
    )
    assert body["field"] == "service"
    assert body["fields"]["service"]["detail_en"] == "This field is required."
    assert body["fields"]["service"]["detail_th"] != "This field is required."


def test_a_refused_counter_action_is_409_in_the_shape(token, office, cast):
    counter = Counter.objects.get(office=office, number=1)
    body = assert_error_shape(token().post(f"/api/queue/counters/{counter.pk}/recall/"), 409)
    assert body["field"] is None and body["fields"] == {}


def test_a_throttled_call_is_429_in_the_shape_with_retry_after(rf):
    from rest_framework import exceptions

    from sso.core.api.errors import exception_handler

    response = exception_handler(exceptions.Throttled(wait=7), {"request": rf.get("/api/")})
    assert response.status_code == 429 and response["Retry-After"] == "7"
    assert SHAPE <= set(response.data) and response.data["code"] == "throttled"
    assert "7" in response.data["detail_en"] and "7" in response.data["detail_th"]
    assert response.data["detail_th"] != response.data["detail_en"]


@pytest.fixture
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_error_shape_is_documented_once_and_on_every_operations_4xx(schema):
    components = schema["components"]["schemas"]
    assert set(components["Error"]["properties"]) == SHAPE
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert len(operations) > 40
    for operation in operations:
        for code in ("400", "401", "403", "404", "429"):
            assert code in operation["responses"], (operation["operationId"], code)
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[1]
                assert name == "Error" or components[name]["allOf"][0]["$ref"].endswith("/Error"), (
                    operation["operationId"],
                    code,
                )


def test_the_schema_says_what_can_be_null_and_what_sign_in_returns(schema):
    components = schema["components"]["schemas"]
    receipt = components["Receipt"]["properties"]
    assert receipt["employer_account"]["nullable"] and receipt["branch"]["nullable"]
    assert components["Counter"]["properties"]["officer"]["nullable"]
    for action in ("sign-in", "sign-out"):
        operation = schema["paths"][f"/api/queue/counters/{{id}}/{action}/"]["post"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Counter")
    call_next = schema["paths"]["/api/queue/counters/{id}/call-next/"]["post"]
    assert call_next["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Ticket")
