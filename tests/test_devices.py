"""The office's public screens: registering a device, pairing it with a one-time code, its
credential (its kind's pages of its office only), revocation at once, the kiosk's tickets
(rate-limited per device, the ID's check digit) and the board's announcement line. Who may
open which URL, a device included, is tests/test_permission_matrix.py's."""

import datetime
import itertools
import re

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from queueing import devices as queue_devices
from queueing import services as queue_services
from queueing import views as queue_views
from queueing.models import Service, Ticket
from sso.core import devices
from sso.core.models import Device
from sso.core.services import device_pair, device_pairing_code_new, device_register, device_revoke
from tests.factories import queue_office

pytestmark = pytest.mark.django_db

VALID_PIN = "1101700230708"
_addresses = itertools.count(1)


def screen() -> Client:
    """A fresh screen's browser, at an address of its own (pairing attempts count per address)."""
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"198.51.{100 + n // 250}.{n % 250 + 1}")


def registered(office, officer, kind=Device.Kind.KIOSK, name="Kiosk by the door"):
    return device_register(device=Device(office=office, kind=kind, name=name), officer=officer)


def paired(office, officer, kind=Device.Kind.KIOSK):
    """A screen's client holding a paired device's credential, paired through the page."""
    device, code = registered(office, officer, kind)
    client = screen()
    response = client.post("/device/pair/", {"code": code})
    assert response.status_code == 302
    device.refresh_from_db()
    return device, client


@pytest.fixture
def office(offices):
    return queue_office(offices["1001"])


@pytest.fixture
def other_office(offices):
    return queue_office(offices["5000"])


# --- Registering and pairing ------------------------------------------------------------------


def test_an_office_administrator_registers_a_device_of_their_office_and_is_shown_a_pairing_code(
    cast, client_for, office, other_office
):
    admin = client_for(cast["admin"])
    response = admin.post(
        "/admin/core/device/add/",
        {"kind": "kiosk", "name": "Kiosk by the door", "office": other_office.pk},  # office: not theirs
        follow=True,
    )
    assert response.status_code == 200
    device = Device.objects.get()
    assert device.office == office and device.kind == "kiosk"
    assert device.token_hash is None and device.paired_at is None
    shown = re.search(r"(\d{4}) (\d{4})", response.content.decode())
    assert shown, "the pairing code is shown once, to the administrator"
    code = shown[1] + shown[2]
    assert device.pairing_code_hash == devices.secret_hash(code)  # only its hash is kept
    assert code not in str(list(device.history.values()))
    assert device.history.first().history_user == cast["admin"]

    client = screen()
    response = client.post("/device/pair/", {"code": f"{code[:4]} {code[4:]}"})
    assert response.status_code == 302 and response["Location"] == "/queue/device/kiosk/"
    cookie = response.cookies[devices.COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == devices.COOKIE_MAX_AGE
    device.refresh_from_db()
    assert device.token_hash and device.token_hash not in cookie.value and device.paired_at is not None
    assert device.pairing_code_hash == "" and device.pairing_expires_at is None

    page = client.get("/queue/device/kiosk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="menu"' not in html and "/accounts/logout/" not in html  # no staff menu, no sign-in
    assert html.count('class="service-button"') == Service.objects.filter(office=office, is_active=True).count()


def test_the_cookie_is_secure_over_https(cast, office):
    _device, code = registered(office, cast["admin"])
    response = screen().post("/device/pair/", {"code": code}, secure=True)
    assert response.cookies[devices.COOKIE]["secure"]


def test_pairing_ends_any_staff_session_of_the_screen(cast, office, client_for):
    _device, code = registered(office, cast["admin"])
    client = client_for(cast["counter"])
    assert client.get("/").status_code == 200
    assert client.post("/device/pair/", {"code": code}).status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")  # signed out
    assert client.get("/queue/device/kiosk/").status_code == 200


def test_a_pairing_code_works_once(cast, office):
    _device, code = registered(office, cast["admin"])
    assert screen().post("/device/pair/", {"code": code}).status_code == 302
    second = screen()
    response = second.post("/device/pair/", {"code": code})
    assert response.status_code == 200 and devices.COOKIE not in response.cookies
    assert "already used" in response.content.decode() or "ถูกใช้แล้ว" in response.content.decode()


def test_an_expired_pairing_code_is_refused_and_nothing_is_stored(cast, office):
    device, code = registered(office, cast["admin"])
    Device.objects.filter(pk=device.pk).update(pairing_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = screen().post("/device/pair/", {"code": code})
    assert response.status_code == 200 and devices.COOKIE not in response.cookies
    device.refresh_from_db()
    assert device.token_hash is None and device.paired_at is None


def test_a_code_expires_after_its_minutes(cast, office):
    device, _code = registered(office, cast["admin"])
    left = device.pairing_expires_at - timezone.now()
    assert (
        datetime.timedelta(minutes=devices.PAIRING_MINUTES - 1)
        < left
        <= datetime.timedelta(minutes=devices.PAIRING_MINUTES)
    )


def test_pairing_attempts_are_limited_per_address(cast, office):
    _device, code = registered(office, cast["admin"])
    client = screen()
    limit, _seconds = devices.PAIR_ATTEMPTS
    for _ in range(limit):
        assert client.post("/device/pair/", {"code": "00000000"}).status_code == 200
    response = client.post("/device/pair/", {"code": code})  # the right code, too late
    assert response.status_code == 200 and devices.COOKIE not in response.cookies
    assert "Too many attempts" in response.content.decode() or "หลายครั้งเกินไป" in response.content.decode()
    assert screen().post("/device/pair/", {"code": code}).status_code == 302  # another address


def test_pairing_again_replaces_the_credential(cast, office):
    device, client = paired(office, cast["admin"])
    code = device_pairing_code_new(device=device, officer=cast["admin"])
    newer = screen()
    assert newer.post("/device/pair/", {"code": code}).status_code == 302
    assert client.get("/queue/device/kiosk/").status_code == 403
    assert newer.get("/queue/device/kiosk/").status_code == 200


# --- The credential ---------------------------------------------------------------------------


def test_a_revoked_device_is_refused_at_its_next_request(cast, office, client_for):
    device, client = paired(office, cast["admin"])
    assert client.get("/queue/device/kiosk/").status_code == 200
    admin = client_for(cast["admin"])
    response = admin.post("/admin/core/device/", {"action": "revoke", "_selected_action": [device.pk]}, follow=True)
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.revoked_at is not None and device.token_hash is None
    refused = client.get("/queue/device/kiosk/")
    assert refused.status_code == 403 and b'data-testid="device-refused"' in refused.content
    assert device.history.first().history_change_reason == "revoked"
    with pytest.raises(ValidationError) as refused_code:
        device_pairing_code_new(device=device, officer=cast["admin"])
    assert set(refused_code.value.error_dict) == {"name"}


def test_a_tampered_or_forged_credential_is_refused(cast, office):
    _device, client = paired(office, cast["admin"])
    value = client.cookies[devices.COOKIE].value
    client.cookies[devices.COOKIE] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert client.get("/queue/device/kiosk/").status_code == 403
    forged = screen()
    forged.cookies[devices.COOKIE] = signing.get_cookie_signer(salt="other").sign("x" * 43)
    assert forged.get("/queue/device/kiosk/").status_code == 403


def test_a_device_of_one_kind_does_not_open_another_kinds_pages(cast, office):
    _kiosk, kiosk = paired(office, cast["admin"])
    _board, board = paired(office, cast["admin"], kind=Device.Kind.BOARD)
    assert kiosk.get("/queue/device/board/").status_code == 403
    assert board.get("/queue/device/kiosk/").status_code == 403
    assert board.get("/queue/device/board/").status_code == 200
    assert kiosk.get("/queue/kiosk/")["Location"].startswith("/accounts/login/")  # no staff page


def test_the_last_contact_is_written_at_most_once_a_minute(cast, office, django_assert_num_queries):
    device, client = paired(office, cast["admin"])
    Device.objects.filter(pk=device.pk).update(last_contact_at=timezone.now() - datetime.timedelta(minutes=2))
    client.get("/queue/device/kiosk/")
    device.refresh_from_db()
    first = device.last_contact_at
    assert timezone.now() - first < datetime.timedelta(seconds=5)
    client.get("/queue/device/kiosk/")
    device.refresh_from_db()
    assert device.last_contact_at == first


# --- The kiosk --------------------------------------------------------------------------------


def test_the_kiosk_issues_a_ticket_of_its_office_without_any_staff_login(cast, office):
    _device, kiosk = paired(office, cast["admin"])
    service = Service.objects.get(office=office, kind="contribution")
    response = kiosk.post(
        "/queue/device/kiosk/",
        {"service": service.pk, "customer_kind": "insured", "customer_ref": VALID_PIN, "priority": 1},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.office == office and ticket.customer_ref == VALID_PIN and ticket.code == "A001"
    page = kiosk.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "A001" in html and "<svg" in html  # the QR code
    assert "@page" in open("static/css/device.css").read()


def test_the_kiosk_refuses_an_id_that_fails_its_check_digit_and_issues_nothing(cast, office):
    _device, kiosk = paired(office, cast["admin"])
    service = Service.objects.get(office=office, kind="contribution")
    response = kiosk.post(
        "/queue/device/kiosk/",
        {"service": service.pk, "customer_kind": "insured", "customer_ref": "1234567890123", "priority": 1},
    )
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "ไม่ถูกต้อง" in response.content.decode()


def test_a_kiosk_cannot_issue_a_ticket_of_another_office(cast, office, other_office):
    _device, kiosk = paired(office, cast["admin"])
    elsewhere = Service.objects.get(office=other_office, kind="contribution")
    response = kiosk.post("/queue/device/kiosk/", {"service": elsewhere.pk, "customer_kind": "insured", "priority": 1})
    assert response.status_code == 200 and not Ticket.objects.exists()


def test_a_kiosk_does_not_open_another_offices_ticket_nor_a_tampered_link(cast, office, other_office):
    _device, kiosk = paired(office, cast["admin"])
    service = Service.objects.get(office=other_office, kind="contribution")
    theirs = queue_services.ticket_issue(service=service, customer_kind="insured")
    assert kiosk.get(f"/queue/device/kiosk/ticket/{queue_devices.ticket_token(theirs)}/").status_code == 404
    mine = queue_services.ticket_issue(
        service=Service.objects.get(office=office, kind="contribution"), customer_kind="insured"
    )
    token = queue_devices.ticket_token(mine)
    assert kiosk.get(f"/queue/device/kiosk/ticket/{token}/").status_code == 200
    assert kiosk.get(f"/queue/device/kiosk/ticket/{token[:-1]}x/").status_code == 404
    forged = signing.dumps(mine.pk, salt="another")
    assert kiosk.get(f"/queue/device/kiosk/ticket/{forged}/").status_code == 404


def test_the_kiosk_is_rate_limited_per_device(cast, office, monkeypatch):
    monkeypatch.setattr(queue_views, "KIOSK_TICKETS_PER_MINUTE", 2)
    _device, kiosk = paired(office, cast["admin"])
    _other, other_kiosk = paired(office, cast["admin"])
    service = Service.objects.get(office=office, kind="enquiry")
    data = {"service": service.pk, "customer_kind": "insured", "priority": 1}
    now = timezone.now()
    if now.second >= 58:  # the window is the minute: do not straddle its edge
        import time

        time.sleep(3)
    assert [kiosk.post("/queue/device/kiosk/", data).status_code for _ in range(2)] == [302, 302]
    refused = kiosk.post("/queue/device/kiosk/", data)
    assert refused.status_code == 429 and Ticket.objects.count() == 2
    assert other_kiosk.post("/queue/device/kiosk/", data).status_code == 302  # per device


# --- The board --------------------------------------------------------------------------------


def test_the_board_shows_the_server_clock_the_waiting_per_service_and_the_announcement(cast, office, client_for):
    _device, board = paired(office, cast["admin"], kind=Device.Kind.BOARD)
    contribution = Service.objects.get(office=office, kind="contribution")
    for _ in range(3):
        queue_services.ticket_issue(service=contribution, customer_kind="insured")
    supervisor = client_for(cast["supervisor"])
    response = supervisor.post("/queue/board/notice/", {"public_notice": "  Closed   at noon on Friday  "})
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.public_notice == "Closed at noon on Friday"
    assert office.history.first().history_user == cast["supervisor"]

    html = board.get("/queue/device/board/?partial=1").content.decode()
    assert 'data-testid="waiting-contribution">3<' in html
    assert "Closed at noon on Friday" in html
    server_now = int(re.search(r'data-server-now="(\d+)"', html)[1])
    assert abs(server_now / 1000 - timezone.now().timestamp()) < 5
    page = board.get("/queue/device/board/").content.decode()
    assert "/queue/device/board/events/?last=" in page and 'class="menu"' not in page


def test_a_too_long_announcement_is_refused_and_nothing_is_stored(cast, office, client_for):
    supervisor = client_for(cast["supervisor"])
    response = supervisor.post("/queue/board/notice/", {"public_notice": "x" * 201})
    assert response.status_code == 200
    office.refresh_from_db()
    assert office.public_notice == ""


def test_revoking_twice_changes_nothing_more(cast, office):
    device, _client = paired(office, cast["admin"])
    first = device_revoke(device=device, officer=cast["admin"]).revoked_at
    assert device_revoke(device=device, officer=cast["admin"]).revoked_at == first
    with pytest.raises(ValidationError) as refused:
        device_pair(code="12345678")
    assert set(refused.value.error_dict) == {"code"}


# --- Demo and the command line -------------------------------------------------------------


def test_the_command_prints_a_pairing_code_that_pairs_the_offices_device(offices, office):
    from io import StringIO

    from django.core.management import call_command

    from sso.core.demo import _demo_devices

    assert _demo_devices() == 2 * len(offices) and _demo_devices() == 0  # a kiosk and a board per demo office, once
    out = StringIO()
    call_command("device_pairing_code", "1001", "kiosk", stdout=out)
    code = out.getvalue().split("\n")[0].replace(" ", "")
    client = screen()
    assert client.post("/device/pair/", {"code": code})["Location"] == "/queue/device/kiosk/"
    assert Device.objects.filter(office=office, kind="kiosk").count() == 1
    assert client.get("/queue/device/kiosk/").status_code == 200


def test_revoking_a_board_ends_its_open_event_stream(cast, office, monkeypatch, django_capture_on_commit_callbacks):
    import time

    class _KeptConnection:  # the stream closes its database connection: not the test's
        def close(self):
            pass

    monkeypatch.setattr(queue_views, "db_connection", _KeptConnection())
    device, board = paired(office, cast["admin"], kind=Device.Kind.BOARD)
    response = board.get("/queue/device/board/events/")
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"retry:")
    with django_capture_on_commit_callbacks(execute=True):
        device_revoke(device=device, officer=cast["admin"])
    started = time.monotonic()
    assert list(chunks) == []  # the stream ends (within its next second), sending nothing more
    assert time.monotonic() - started < 5
    assert board.get("/queue/device/board/events/").status_code == 403


def test_an_administrator_lists_their_own_offices_devices_with_their_last_contact(
    cast, office, other_office, client_for
):
    from tests.factories import StaffFactory

    mine, _client = paired(office, cast["admin"])
    theirs, _code = registered(other_office, StaffFactory(username="admin_cm", office=other_office), name="Chiang Mai")
    html = client_for(cast["admin"]).get("/admin/core/device/").content.decode()
    assert mine.name in html and theirs.name not in html
    assert other_office.name_th not in html  # no other office offered as a filter either
    assert client_for(cast["admin"]).get(f"/admin/core/device/{theirs.pk}/change/").status_code in (302, 404)


def test_two_live_pairing_codes_are_never_the_same(cast, office, monkeypatch):
    first, code = registered(office, cast["admin"])
    drawn = iter([code, code, "11112222"])
    monkeypatch.setattr(devices, "pairing_code_make", lambda: next(drawn))
    _second, second_code = registered(office, cast["admin"], name="Second kiosk")
    assert second_code == "11112222"
    client = screen()
    client.post("/device/pair/", {"code": code})
    assert Device.objects.get(token_hash__isnull=False) == first
