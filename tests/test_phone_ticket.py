"""The ticket on the customer's phone (issue 18): its public page behind the QR's signed link,
the small JSON answer it polls (from the office's state cached in Redis), giving the ticket
up, the documents to bring, the rating once finished and the report's satisfaction section.
Who may open which URL is tests/test_permission_matrix.py's."""

import datetime
import json

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from benefits.models import DocumentRequirement
from queueing import devices, phone, services
from queueing.events import phone_state_key
from queueing.models import Counter, Rating, Service, Ticket
from queueing.reports import satisfaction_build, satisfaction_offices_build
from queueing.selectors import service_averages_refresh
from sso.core.redis import redis_client
from sso.core.reports import Period
from tests.factories import queue_office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _state_rebuilt_at_each_change(monkeypatch):
    """A test's changes follow each other within milliseconds: the state is rebuilt after each
    (in service, at most every REBUILD_EVERY_MS)."""
    monkeypatch.setattr(phone, "REBUILD_EVERY_MS", 0)


@pytest.fixture
def office(offices):
    return queue_office(offices["1001"])


@pytest.fixture
def contribution(office):
    return Service.objects.get(office=office, kind="contribution")


@pytest.fixture
def counter(office, cast):
    counter = Counter.objects.get(office=office, number=1)  # serves contribution only
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


def issue(service, **kw):
    kw.setdefault("customer_kind", "employer")
    return services.ticket_issue(service=service, **kw)


def page_of(ticket) -> str:
    return reverse("queueing:ticket_public", args=[devices.ticket_token(ticket)])


def state_of(client, ticket) -> dict:
    url = reverse("queueing:ticket_public_state", args=[devices.ticket_token(ticket)])
    response = client.get(url, {"office": ticket.office_id})
    assert response.status_code == 200, response.content
    return response.json()


def served(counter, officer, outcome="completed") -> Ticket:
    services.ticket_call_next(counter_id=counter.pk, officer=officer)
    services.ticket_start(counter=counter, officer=officer)
    return services.ticket_finish(counter=counter, officer=officer, outcome=outcome)


def test_the_page_shows_the_number_service_and_people_ahead_and_the_poll_follows_the_call(
    office, contribution, counter, cast, django_capture_on_commit_callbacks
):
    first, second, mine = issue(contribution), issue(contribution), issue(contribution)
    client = Client()
    page = client.get(page_of(mine)).content.decode()
    assert mine.code in page and contribution.name_th in page
    assert 'data-testid="ahead" data-field="ahead">2<' in page
    assert first.code not in page and second.code not in page  # nothing of the other tickets
    assert state_of(client, mine) == {"status": "waiting", "ahead": 2, "wait": state_of(client, mine)["wait"]}

    with django_capture_on_commit_callbacks(execute=True):  # the call drops the cached state
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert state_of(client, mine)["ahead"] == 1
    # The counter calls on, each time closing the one who did not come as a no-show.
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")
    assert state_of(client, mine) == {"status": "called", "counter": 1}
    page = client.get(page_of(mine)).content.decode()
    assert 'data-testid="counter" data-field="counter">1<' in page
    assert 'data-testid="give-up"' not in page  # called: the counter decides now


def test_the_polls_of_many_phones_cost_one_query_while_the_state_is_cached(
    office, contribution, counter, cast, django_assert_num_queries, monkeypatch
):
    tickets = [issue(contribution) for _ in range(5)]
    service_averages_refresh()  # the beat's, each minute
    redis_client().delete(phone_state_key(office.pk))
    monkeypatch.setattr(phone, "STATE_SECONDS", 60)  # a slow test run must not see it expire
    client = Client()
    with django_assert_num_queries(2):  # the state's one statement, and the targets (no averages yet)
        answers = [state_of(client, ticket) for ticket in tickets for _ in range(10)]
    assert [answer["ahead"] for answer in answers[::10]] == [0, 1, 2, 3, 4]


def test_a_tampered_or_expired_link_is_not_found_and_says_nothing(office, contribution):
    ticket = issue(contribution)
    token = devices.ticket_token(ticket)
    client = Client()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps(ticket.pk, salt="another.salt", compress=True)
    for bad in (tampered, forged, "1", "x" * 40):
        for name in ("queueing:ticket_public", "queueing:ticket_public_state"):
            response = client.get(reverse(name, args=[bad]), {"office": office.pk})
            assert response.status_code == 404
            assert ticket.code not in response.content.decode()
    old = timezone.now() - datetime.timedelta(seconds=phone.PHONE_TICKET_SECONDS + 60)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: old.timestamp())
        expired = devices.ticket_token(ticket)
    assert client.get(reverse("queueing:ticket_public", args=[expired])).status_code == 404
    response = client.post(reverse("queueing:ticket_public_give_up", args=[expired]))
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_giving_up_cancels_the_waiting_ticket_not_a_no_show_and_not_once_called(
    office, contribution, counter, cast, django_capture_on_commit_callbacks
):
    mine = issue(contribution)
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_of(mine))
    csrf = page.cookies["csrftoken"].value
    give_up = reverse("queueing:ticket_public_give_up", args=[devices.ticket_token(mine)])
    assert client.post(give_up).status_code == 403  # no CSRF token: refused
    with django_capture_on_commit_callbacks(execute=True):  # the give-up drops the cached state
        response = client.post(give_up, {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.outcome) == ("done", "cancelled")
    assert state_of(client, mine) == {"status": "done", "outcome": "cancelled"}
    assert 'data-testid="given-up"' in client.get(page_of(mine)).content.decode()

    called = issue(contribution)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    client = english_client()
    response = client.post(reverse("queueing:ticket_public_give_up", args=[devices.ticket_token(called)]))
    assert response.status_code == 400
    assert "already been called" in response.content.decode()
    called.refresh_from_db()
    assert called.status == "called" and called.outcome == ""


def english_client() -> Client:
    """A phone whose browser asks for English (the messages asserted are the English ones;
    the page's default is Thai)."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_page_lists_the_documents_the_service_needs(offices, cast):
    office = queue_office(offices["1001"])
    sickness = Service.objects.get(office=office, kind="sickness")
    DocumentRequirement.objects.update_or_create(
        benefit="sickness",
        code="medical_certificate_test",
        valid_from=datetime.date(1991, 1, 1),
        defaults={"name_th": "ใบรับรองแพทย์ทดสอบ", "name_en": "Test medical certificate", "order": 1},
    )
    sickness.documents_th = "บัตรประชาชนตัวจริง\n\nสมุดบัญชีธนาคาร"
    sickness.documents_en = "Original ID card\nBank book"
    sickness.save(update_fields=["documents_th", "documents_en"])
    ticket = issue(sickness, customer_kind="insured")
    page = Client().get(page_of(ticket)).content.decode()
    assert "ใบรับรองแพทย์ทดสอบ" in page and "บัตรประชาชนตัวจริง" in page and "สมุดบัญชีธนาคาร" in page
    english = Client()
    english.cookies["django_language"] = "en"
    page = english.get(page_of(ticket)).content.decode()
    assert "Test medical certificate" in page and "Bank book" in page


def test_a_finished_ticket_is_rated_once_and_an_unfinished_one_is_refused(office, contribution, counter, cast):
    ticket = issue(contribution)
    rate = reverse("queueing:ticket_public_rate", args=[devices.ticket_token(ticket)])
    client = english_client()
    response = client.post(rate, {"score": "5"})
    assert response.status_code == 400 and "not finished" in response.content.decode()
    assert not Rating.objects.exists()

    served(counter, cast["counter"])
    page = client.get(page_of(ticket)).content.decode()
    assert 'data-testid="rating-form"' in page
    assert client.post(rate, {"score": "9"}).status_code == 400  # outside 1-5
    assert not Rating.objects.exists()
    assert client.post(rate, {"score": "4", "comment": " Quick and kind "}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.score, rating.comment) == (ticket.pk, 4, "Quick and kind")
    assert (rating.office_id, rating.service_id, rating.counter_id) == (office.pk, contribution.pk, counter.pk)
    assert rating.officer_id == cast["counter"].pk
    assert rating.history.count() == 1  # audited

    response = client.post(rate, {"score": "1"})
    assert response.status_code == 400 and "already been rated" in response.content.decode()
    assert Rating.objects.get().score == 4
    assert 'data-testid="rated"' in client.get(page_of(ticket)).content.decode()


def test_a_cancelled_ticket_cannot_be_rated(office, contribution):
    ticket = services.ticket_give_up(ticket=issue(contribution))
    with translation.override("en"), pytest.raises(ValidationError, match="not finished"):
        services.rating_record(ticket=ticket, score=5)
    assert not Rating.objects.exists()


def test_the_satisfaction_sections_give_the_average_and_distribution(offices, office, contribution, counter, cast):
    for score in (5, 4, 4, 1):
        issue(contribution)
        ticket = served(counter, cast["counter"])
        services.rating_record(ticket=ticket, score=score)
    today = timezone.localdate()
    content = satisfaction_build(Period(office_id=office.pk, start=today, end=today))
    figures = {figure.key: figure.value for figure in content.figures}
    assert figures == {"ratings": 4, "average": 3.5}
    (row,) = content.table("satisfaction_services").rows
    assert (row["ratings"], row["average"], row["score_1"], row["score_4"], row["score_5"]) == (4, 3.5, 1, 2, 1)
    (officer_row,) = content.table("satisfaction_officers").rows
    assert officer_row["ratings"] == 4 and officer_row["average"] == 3.5
    assert [r["ratings"] for r in content.table("satisfaction_distribution").rows] == [1, 0, 0, 2, 1]
    national = satisfaction_offices_build(Period(office_id=None, start=today, end=today))
    (office_row,) = national.table("satisfaction_offices").rows
    assert (office_row["office"], office_row["ratings"], office_row["average"]) == (office.code, 4, 3.5)
    yesterday = today - datetime.timedelta(days=1)
    assert satisfaction_build(Period(office_id=office.pk, start=yesterday, end=yesterday)).figures[0].value == 0


def test_the_kiosks_qr_code_opens_the_phone_page(office, contribution, rf):
    ticket = issue(contribution)
    request = rf.get("/")
    svg = devices.ticket_qr_svg(request, ticket)
    assert "<svg" in svg
    content = request.build_absolute_uri(page_of(ticket))
    import segno

    assert segno.make(content, error="m").svg_inline(scale=4, border=2, omitsize=True) == svg


def test_the_poll_is_limited_per_address(office, contribution, monkeypatch):
    monkeypatch.setattr(phone, "POLLS_PER_MINUTE", 5)
    ticket = issue(contribution)
    url = reverse("queueing:ticket_public_state", args=[devices.ticket_token(ticket)])
    client = Client(REMOTE_ADDR="203.0.113.77")
    codes = [client.get(url, {"office": office.pk}).status_code for _ in range(12)]
    assert codes.count(429) >= 6  # 5 a minute (a window may turn once in between)
    assert json.loads(client.get(url, {"office": office.pk}).content)["error"]
    assert Client(REMOTE_ADDR="203.0.113.78").get(url, {"office": office.pk}).status_code == 200


def test_a_poll_is_answered_ahead_of_the_middleware_as_the_view_answers_it(office, contribution, counter, cast):
    """The phones' poll is served by the WSGI fast path (queueing.api.fast) from the cached
    state: the same JSON as the view; a tampered link still goes to Django (404)."""
    import io
    import sys

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from sso.wsgi import application

    first, mine = issue(contribution), issue(contribution)

    def get(path, query):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr, "REMOTE_ADDR": "192.0.2.9",
        }  # fmt: skip
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(headers)

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            raw = b"".join(application(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return int(answer["status"].split()[0]), answer["headers"], raw

    url = reverse("queueing:ticket_public_state", args=[devices.ticket_token(mine)])
    expected = Client().get(url, {"office": office.pk})
    status, headers, raw = get(url, f"office={office.pk}")
    assert status == 200 and raw == expected.content and json.loads(raw)["ahead"] == 1
    assert headers["Content-Type"] == "application/json" and headers["X-Content-Type-Options"] == "nosniff"
    assert first.code not in raw.decode()
    token = devices.ticket_token(mine)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    status, _headers, _raw = get(url.replace(token, tampered), f"office={office.pk}")
    assert status == 404
