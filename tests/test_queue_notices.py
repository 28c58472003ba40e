"""Messages of a ticket to the customer's phone (issue 18): with consent and a number taken at
the kiosk or the counter, one when the chosen number of people are ahead and one when called,
sent by a real Celery worker through the SMS gateway's HTTP API to a fake gateway (a real HTTP
server thread of this process), retried while it fails, never twice for one event, and never
in the way of a call."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from queueing import devices, notices, services
from queueing.models import Counter, NoticeMessage, Service, Ticket, TicketNotice
from sso.core import messaging
from sso.core.redis import redis_client
from tests.factories import queue_office

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(offices):
    return queue_office(offices["1001"])


@pytest.fixture
def contribution(office):
    return Service.objects.get(office=office, kind="contribution")


@pytest.fixture
def counter(office, cast):
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


@pytest.fixture
def gateway(message_gateway):
    message_gateway.reset()
    yield message_gateway
    message_gateway.reset()


def issue(service):
    return services.ticket_issue(service=service, customer_kind="employer")


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_customer_is_told_when_their_number_of_people_are_ahead_and_when_called(
    office, contribution, counter, cast, gateway, celery_worker_process
):
    first, second = issue(contribution), issue(contribution)
    ticket = issue(contribution)
    notices.notice_add(ticket=ticket, phone="081-234-5678", ahead=1, language="en")
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])  # 1 ahead now
    assert wait_for(lambda: len(gateway.delivered()) == 1), gateway.received
    sent = gateway.delivered()[0]["body"]
    assert sent["to"] == "+66812345678"
    assert sent["text"] == f"SSO queue {ticket.code}: 1 people ahead of you. Please be near the counters."
    assert sent["reference"] == str(NoticeMessage.objects.get(event="ahead").key)

    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")  # 0 ahead
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current="no_show")  # called
    assert wait_for(lambda: len(gateway.delivered()) == 2), gateway.received
    assert gateway.delivered()[1]["body"]["text"] == f"SSO queue {ticket.code}: your turn, please go to counter 1."
    assert list(NoticeMessage.objects.values_list("event", "status").order_by("pk")) == [
        ("ahead", "sent"),
        ("called", "sent"),
    ]
    # The number is kept no longer than its last message, and never in the history.
    notice = TicketNotice.objects.get()
    assert notice.phone == ""
    assert not hasattr(TicketNotice.history.model, "phone") and notice.history.count() == 1
    # A recall, and checks run again, send nothing more.
    services.ticket_recall(counter=Counter.objects.get(pk=counter.pk), officer=cast["counter"])
    assert notices.notices_check(office_id=office.pk) == []
    time.sleep(1)
    assert len(gateway.received) == 2
    assert (first.code, second.code) != (None, None)


def test_a_failing_gateway_is_tried_again_with_back_off_until_it_takes_the_message(
    office, contribution, counter, cast, gateway, celery_worker_process
):
    gateway.fail_next = 2
    ticket = issue(contribution)
    notices.notice_add(ticket=ticket, phone="0898765432", ahead=3)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert wait_for(lambda: len(gateway.delivered()) == 1, timeout=30), gateway.received
    assert [r["status"] for r in gateway.received] == [503, 503, 200]
    # The same message each time (one key: a gateway that keeps it drops repeats).
    assert len({r["body"]["reference"] for r in gateway.received}) == 1
    message = NoticeMessage.objects.get()
    assert (message.event, message.status, message.attempts) == ("called", "sent", 3)
    # Sent once: sending it again (a task delivered twice) sends nothing.
    assert notices.notice_send(message_id=message.pk) == "sent"
    assert len(gateway.received) == 3


def test_a_gateway_refusal_gives_the_message_up_without_retrying(
    office, contribution, counter, cast, gateway, celery_worker_process
):
    gateway.refuse_next = 1
    ticket = issue(contribution)
    notices.notice_add(ticket=ticket, phone="0612345678", ahead=2)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert wait_for(lambda: NoticeMessage.objects.filter(status="failed").exists())
    time.sleep(1.5)
    assert len(gateway.received) == 1


def test_the_line_sender_pushes_to_the_hashed_number_with_its_retry_key(gateway, settings):
    settings.MESSAGE_SENDER, settings.LINE_API_URL, settings.LINE_CHANNEL_TOKEN = "line", gateway.url, "line-token"
    key = "6f1c1f7e-8a51-4c39-9a55-3c1b8a0a4f10"
    messaging.sender().send(phone="+66812345678", text="ทดสอบ", key=key)
    request = gateway.delivered("/bot/pnp/push")[0]
    import hashlib

    assert request["body"] == {
        "to": hashlib.sha256(b"+66812345678").hexdigest(),
        "messages": [{"type": "text", "text": "ทดสอบ"}],
    }
    assert request["headers"]["Authorization"] == "Bearer line-token"
    assert request["headers"]["X-Line-Retry-Key"] == key
    gateway.fail_next = 1
    with pytest.raises(messaging.SendFailed):
        messaging.sender().send(phone="+66812345678", text="ทดสอบ", key=key)
    settings.LINE_API_URL = "http://127.0.0.1:9"  # nothing listens: a failure to retry
    with pytest.raises(messaging.SendFailed):
        messaging.sender().send(phone="+66812345678", text="ทดสอบ", key=key)


def test_the_log_sender_is_the_default_and_sends_nothing_out(settings, caplog):
    assert settings.MESSAGE_SENDER == "log"
    with caplog.at_level("INFO", logger="sso.messaging"):
        messaging.sender().send(phone="+66812345678", text="hello", key="k")
    assert "+6681234xxxx" in caplog.text and "+66812345678" not in caplog.text


def test_a_call_without_any_consent_in_the_office_enqueues_nothing(office, contribution, counter, cast):
    issue(contribution)
    redis_client().delete(notices.wanted_key(office.pk))
    from sso.celery import app

    before = redis_client().llen(app.conf.task_default_queue)
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert redis_client().llen(app.conf.task_default_queue) == before


def test_the_call_goes_on_when_the_broker_cannot_take_the_task(office, contribution, counter, cast, monkeypatch):
    ticket = issue(contribution)
    notices.notice_add(ticket=ticket, phone="0812345678", ahead=1)
    from queueing import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.queue_notices_check, "apply_async", broken)
    called = services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert called.pk == ticket.pk


@pytest.mark.parametrize(
    "phone, ahead, field",
    [("12345", 3, "notify_phone"), ("0212345678", 3, "notify_phone"), ("0812345678", 4, "notify_ahead")],
)
def test_a_bad_number_or_choice_is_refused_and_nothing_is_stored(office, contribution, phone, ahead, field):
    ticket = issue(contribution)
    with pytest.raises(ValidationError) as refused:
        notices.notice_add(ticket=ticket, phone=phone, ahead=ahead)
    assert field in refused.value.error_dict
    assert not TicketNotice.objects.exists()


def kiosk_client(office, cast):
    from tests.test_devices import paired

    return paired(office, cast["admin"])[1]


def test_the_kiosk_takes_the_number_with_consent_and_never_shows_it(office, contribution, cast):
    client = kiosk_client(office, cast)
    client.cookies["django_language"] = "en"
    form = {"service": contribution.pk, "customer_kind": "employer", "priority": 0}
    with translation.override("en"):
        # A number without the consent: refused, no ticket.
        response = client.post(
            reverse("queueing:device_kiosk"), form | {"notify_phone": "0812345678"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "Tick the consent" in response.content.decode()
        assert not Ticket.objects.exists()
        # A bad number: refused, no ticket.
        response = client.post(
            reverse("queueing:device_kiosk"),
            form | {"notify_phone": "12345", "notify_consent": "on"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "Thai mobile number" in response.content.decode()
        assert not Ticket.objects.exists()
        response = client.post(
            reverse("queueing:device_kiosk"),
            form | {"notify_phone": "081 234 5678", "notify_consent": "on", "notify_ahead": "5"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = TicketNotice.objects.get()
    assert (notice.phone, notice.ahead, notice.ticket.status) == ("+66812345678", 5, "waiting")
    ticket_page = client.get(response["Location"]).content.decode()
    phone_page = Client().get(reverse("queueing:ticket_public", args=[devices.ticket_token(notice.ticket)]))
    for page in (ticket_page, phone_page.content.decode()):
        assert "812345678" not in page and "0812345678" not in page and "5678" not in page


def test_the_nightly_close_erases_the_day_s_numbers(office, contribution):
    import datetime

    from django.utils import timezone

    ticket = issue(contribution)
    notices.notice_add(ticket=ticket, phone="0812345678", ahead=3)
    assert notices.notice_phones_erase(before_day=timezone.localdate()) == 0
    assert notices.notice_phones_erase(before_day=timezone.localdate() + datetime.timedelta(days=1)) == 1
    assert TicketNotice.objects.get().phone == ""
