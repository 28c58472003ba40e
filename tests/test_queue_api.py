"""The queue through the API and the pages: office scope, bilingual refusals, the board stream."""

import json
import re

import pytest

from queueing import events, services
from queueing.models import Counter, Service, Ticket
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


@pytest.fixture
def api(client_for, cast):
    return client_for(cast["counter"])


def contribution(office):
    return Service.objects.get(office=office, kind="contribution")


def test_issue_then_call_next_through_the_api(api, office, counter):
    issued = api.post(
        "/api/queue/issue/", {"service": contribution(office).pk, "customer_kind": "employer"}, "application/json"
    )
    assert issued.status_code == 201, issued.json()
    assert issued.json()["code"] == "A001" and issued.json()["people_ahead"] == 0
    called = api.post(f"/api/queue/counters/{counter.pk}/call-next/")
    assert called.status_code == 200
    assert called.json()["code"] == "A001" and called.json()["status"] == "called"
    assert called.json()["counter"] == 1


def test_a_refusal_is_409_with_the_reason_in_thai_and_english(api, counter):
    response = api.post(f"/api/queue/counters/{counter.pk}/call-next/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "empty"
    assert "No one is waiting" in body["detail_en"]
    assert "ไม่มีผู้รอ" in body["detail_th"]
    assert body["detail"] == body["detail_th"]  # Thai unless the caller asks otherwise
    english = api.post(f"/api/queue/counters/{counter.pk}/call-next/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == body["detail_en"]


def test_calling_from_a_counter_of_another_office_is_not_found(api, offices, office, counter):
    elsewhere = Counter.objects.get(office=offices["5000"], number=1)
    response = api.post(f"/api/queue/counters/{elsewhere.pk}/call-next/")
    assert response.status_code == 404
    assert Ticket.objects.filter(status="called").count() == 0


def test_issuing_for_another_offices_service_is_not_found(api, offices, office):
    elsewhere = Service.objects.get(office=offices["5000"], kind="contribution")
    response = api.post("/api/queue/issue/", {"service": elsewhere.pk, "customer_kind": "employer"}, "application/json")
    assert response.status_code == 404
    assert Ticket.objects.count() == 0


def test_issuing_for_a_service_not_offered_now_is_refused_and_uses_no_number(api, office):
    from queueing.models import TicketSequence, Visit

    service = contribution(office)
    Service.objects.filter(pk=service.pk).update(is_active=False)
    response = api.post("/api/queue/issue/", {"service": service.pk, "customer_kind": "employer"}, "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "service_inactive" and "ไม่" in response.json()["detail_th"]
    assert Ticket.objects.count() == 0 and Visit.objects.count() == 0 and TicketSequence.objects.count() == 0
    missing = api.post("/api/queue/issue/", {"service": 10**9, "customer_kind": "employer"}, "application/json")
    assert missing.status_code == 404


def test_a_bad_national_id_at_the_api_is_400_and_issues_nothing(api, office):
    response = api.post(
        "/api/queue/issue/",
        {"service": contribution(office).pk, "customer_kind": "insured", "customer_ref": "1234567890123"},
        "application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "pin_invalid" and "check digit" in response.json()["detail_en"]
    assert Ticket.objects.count() == 0


def test_a_transfer_to_an_unknown_service_is_refused(api, office, counter):
    services.ticket_issue(service=contribution(office), customer_kind="employer")
    api.post(f"/api/queue/counters/{counter.pk}/call-next/")
    response = api.post(f"/api/queue/counters/{counter.pk}/transfer/", {"to_service": 999999}, "application/json")
    assert response.status_code == 409 and response.json()["code"] == "service_elsewhere"
    assert Ticket.objects.get().status == "called"


def test_ticket_list_is_office_scoped(client_for, cast, offices, office):
    services.ticket_issue(service=contribution(office), customer_kind="employer")
    services.ticket_issue(service=contribution(offices["5000"]), customer_kind="employer")
    mine = client_for(cast["counter"]).get("/api/queue/tickets/").json()["results"]
    assert len(mine) == 1
    everyone = client_for(cast["national"]).get("/api/queue/tickets/").json()["results"]
    assert len(everyone) == 2


def test_the_verifier_may_not_serve_at_a_counter(client_for, cast, counter):
    assert client_for(cast["verifier"]).post(f"/api/queue/counters/{counter.pk}/call-next/").status_code == 403
    assert client_for(cast["verifier"]).get("/queue/counter/").status_code == 403


# --- pages ---------------------------------------------------------------------------


def test_kiosk_page_issues_a_ticket_and_shows_people_ahead(client_for, cast, office):
    client = client_for(cast["counter"])
    service = contribution(office)
    services.ticket_issue(service=service, customer_kind="employer")
    response = client.post(
        "/queue/kiosk/", {"service": service.pk, "customer_kind": "insured", "customer_ref": "", "priority": 1}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "A002" in page and 'data-testid="ahead">1<' in page


def test_kiosk_page_explains_a_bad_id_in_thai(client_for, cast, office):
    data = {"service": contribution(office).pk, "customer_kind": "insured", "customer_ref": "1234567890123"}
    response = client_for(cast["counter"]).post("/queue/kiosk/", {**data, "priority": 1})
    assert response.status_code == 200
    # The registry's own check and message (registry.validators.national_id_clean).
    assert "เลขประจำตัวประชาชน 1-2345-67890-12-3 ไม่ถูกต้อง: หลักตรวจสอบผิด" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_console_actions_through_the_page(client_for, cast, office, counter):
    client = client_for(cast["counter"])
    services.ticket_issue(service=contribution(office), customer_kind="employer")
    client.post(f"/queue/counter/{counter.pk}/call-next/")
    page = client.get(f"/queue/counter/{counter.pk}/").content.decode()
    assert 'data-testid="current-code">A001<' in page
    client.post(f"/queue/counter/{counter.pk}/finish/", {"outcome": "completed"})  # not started: refused
    assert Ticket.objects.get().status == "called"
    client.post(f"/queue/counter/{counter.pk}/start/")
    client.post(f"/queue/counter/{counter.pk}/finish/", {"outcome": "completed"})
    assert Ticket.objects.get().outcome == "completed"


def test_the_console_lists_the_waiting_of_the_services_its_counter_serves_only(client_for, cast, office, counter):
    sickness = Service.objects.get(office=office, kind="sickness")
    services.ticket_issue(service=sickness, customer_kind="insured")
    page = client_for(cast["counter"]).get(f"/queue/counter/{counter.pk}/").content.decode()
    # Counter 1 serves contribution payments alone: no sickness row (the office has one waiting).
    assert f"<td>{contribution(office).prefix} " in page
    assert f"<td>{sickness.prefix} " not in page


def test_the_english_kiosk_says_its_heading_once(client_for, cast, office):
    def heading(language):
        client = client_for(cast["counter"])
        client.cookies["django_language"] = language
        page = client.get(f"/queue/kiosk/?office={office.code}").content.decode()
        return re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", page, re.S)[1]).split()

    assert heading("en") == ["Take", "a", "queue", "ticket"]
    assert heading("th")[-4:] == ["Take", "a", "queue", "ticket"] and "Take" not in heading("th")[:-4]


def test_console_of_another_offices_counter_is_not_found(client_for, cast, offices, office):
    elsewhere = Counter.objects.get(office=offices["5000"], number=1)
    client = client_for(cast["counter"])
    assert client.get(f"/queue/counter/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/queue/counter/{elsewhere.pk}/sign-in/").status_code == 404


def test_supervisor_pages(client_for, cast, office, counter):
    client = client_for(cast["supervisor"])
    services.ticket_issue(service=contribution(office), customer_kind="employer")
    live = client.get("/queue/live/").content.decode()
    assert 'data-testid="live-summary"' in live
    assert client.get("/queue/report/").status_code == 200
    bad_day = client.get("/queue/report/", {"day": "31/02/2569"}).content.decode()
    assert "ไม่มีวันที่นี้ในปฏิทิน" in bad_day
    assert client_for(cast["counter"]).get("/queue/live/").status_code == 403


def _read_events(response, count):
    received = []
    buffer = ""
    for chunk in response.streaming_content:
        buffer += chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            data = [line[6:] for line in block.splitlines() if line.startswith("data: ")]
            if data:
                received.append(json.loads(data[0]))
        if len(received) >= count:
            response.close()
            return received
    return received


def test_the_board_stream_replays_missed_calls_after_a_reconnect(
    client_for, cast, office, counter, monkeypatch, django_capture_on_commit_callbacks
):
    from queueing import views

    monkeypatch.setattr(views, "BOARD_STREAM_SECONDS", 3)
    board = client_for(cast["counter"])
    service = contribution(office)
    for _ in range(2):
        services.ticket_issue(service=service, customer_kind="employer")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    first_id = events.last_event_id(office.pk)
    services.ticket_no_show(counter=counter, officer=cast["counter"])
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    response = board.get("/queue/board/events/", HTTP_LAST_EVENT_ID=str(first_id))
    assert response["Content-Type"] == "text/event-stream"
    [event] = _read_events(response, 1)
    assert event["id"] == first_id + 1 and event["ticket"] == "A002" and event["counter"] == 1
    assert first.code == "A001"


def test_the_board_page_shows_current_calls(client_for, cast, office, counter):
    services.ticket_issue(service=contribution(office), customer_kind="employer")
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    page = client_for(cast["counter"]).get("/queue/board/").content.decode()
    assert 'data-ticket="A001"' in page and "ชำระเงินสมทบ" in page and "Contribution payment" in page


def test_the_call_next_answer_is_what_the_ticket_serializer_gives(api, office, counter):
    from queueing.api.serializers import TicketSerializer
    from queueing.models import Ticket

    services.ticket_issue(service=contribution(office), customer_kind="insured", customer_ref="1101700230708")
    called = api.post(f"/api/queue/counters/{counter.pk}/call-next/").json()
    ticket = Ticket.objects.select_related("service", "counter").get(pk=called["id"])
    assert called == TicketSerializer(ticket).data


def test_the_issue_answer_is_what_the_issued_serializer_gives(api, office):
    from queueing.api.serializers import TicketIssuedSerializer

    services.ticket_issue(service=contribution(office), customer_kind="employer")
    response = api.post(
        "/api/queue/issue/", {"service": contribution(office).pk, "customer_kind": "employer"}, "application/json"
    )
    assert response.status_code == 201
    ticket = Ticket.objects.select_related("service").get(pk=response.json()["id"])
    ticket.people_ahead, ticket.estimated_wait_minutes = 1, response.json()["estimated_wait_minutes"]
    assert response.json() == json.loads(json.dumps(TicketIssuedSerializer(ticket).data))
    assert response.json()["people_ahead"] == 1 and response.json()["code"] == "A002"
