"""A counter's own public screens (issue 18): the display above it (the number it serves) and
its satisfaction tablet (the ticket it has just finished, rated once, 1-5 with an optional
comment), each opened by its device's credential only. Who may open which URL is
tests/test_permission_matrix.py's."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from queueing import devices, phone, services
from queueing.models import Counter, Rating, Service
from sso.core.models import Device
from tests.factories import queue_office
from tests.test_devices import paired

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
def counter(office, cast):
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


@pytest.fixture
def contribution(office):
    return Service.objects.get(office=office, kind="contribution")


def state(client, name):
    """A screen's poll, the office's state read afresh (a test's transaction never commits: the
    bust a commit does is done here)."""
    from queueing.events import phone_state_bust

    phone_state_bust(Counter.objects.values_list("office_id", flat=True).first())
    return client.get(reverse(f"queueing:{name}")).json()


def placed(counter, cast, kind, field):
    device, client = paired(counter.office, cast["admin"], kind)
    setattr(counter, field, device)
    counter.full_clean()
    counter.save(update_fields=[field])
    return client


def test_the_counter_display_shows_the_number_its_counter_serves(counter, contribution, cast):
    client = placed(counter, cast, Device.Kind.COUNTER_DISPLAY, "display")
    ticket = services.ticket_issue(service=contribution, customer_kind="employer")
    page = client.get(reverse("queueing:device_counter_display"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["serving"] == ""
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    assert state(client, "device_counter_display_state") == {"serving": ticket.code}
    services.ticket_start(counter=counter, officer=cast["counter"])
    services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
    assert state(client, "device_counter_display_state") == {"serving": ""}


def test_a_display_not_placed_at_a_counter_says_so(office, cast):
    _device, client = paired(office, cast["admin"], Device.Kind.COUNTER_DISPLAY)
    page = client.get(reverse("queueing:device_counter_display"))
    assert page.status_code == 200 and 'data-testid="no-counter"' in page.content.decode()


def test_a_screen_of_another_office_or_kind_cannot_be_placed_at_a_counter(counter, cast, offices):
    other = queue_office(offices["5000"])
    device, _client = paired(other, cast["admin"], Device.Kind.COUNTER_DISPLAY)
    counter.display = device
    with pytest.raises(ValidationError):
        counter.full_clean()
    kiosk, _client = paired(counter.office, cast["admin"], Device.Kind.KIOSK)
    counter.display, counter.tablet = None, kiosk
    with pytest.raises(ValidationError):
        counter.full_clean()


def test_the_tablet_asks_the_just_finished_ticket_for_a_rating_once(
    counter, contribution, cast, django_capture_on_commit_callbacks
):
    client = placed(counter, cast, Device.Kind.SATISFACTION, "tablet")
    ticket = services.ticket_issue(service=contribution, customer_kind="employer")
    assert state(client, "device_satisfaction_state") == {"ticket": ""}
    services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    services.ticket_start(counter=counter, officer=cast["counter"])
    # Being served: nothing to rate yet.
    assert state(client, "device_satisfaction_state") == {"ticket": ""}
    with django_capture_on_commit_callbacks(execute=True):  # the finish, once committed, tells the tablet
        services.ticket_finish(counter=counter, officer=cast["counter"], outcome="completed")
    assert state(client, "device_satisfaction_state") == {"ticket": ticket.code}
    state(client, "device_satisfaction_state")
    page = client.get(reverse("queueing:device_satisfaction"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="rating-form"' in page.content.decode()
    token = page.context["token"]

    # A score outside 1-5: refused, nothing stored.
    url = reverse("queueing:device_satisfaction_rate")
    client.cookies["django_language"] = "en"
    refused = client.post(url, {"ticket": token, "score": "9"})
    assert refused.status_code == 400 and "from 1 to 5" in refused.content.decode()
    assert not Rating.objects.exists()

    state(client, "device_satisfaction_state")
    response = client.post(url, {"ticket": token, "score": "4", "comment": "ดี"})
    assert response.status_code == 200 and 'data-testid="rated"' in response.content.decode()
    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.score, rating.comment, rating.counter_id, rating.officer_id) == (
        ticket.pk,
        4,
        "ดี",
        counter.pk,
        cast["counter"].pk,
    )
    assert rating.history.get().history_change_reason == "rated at the counter's tablet"
    # Once: the tablet has nothing more to ask, and a second rating is refused.
    # (the state is cached for a second: a rated ticket is refused by its rating, not the cache)
    assert state(client, "device_satisfaction_state") == {"ticket": ""}
    again = client.post(url, {"ticket": token, "score": "1"})
    assert again.status_code == 400 and Rating.objects.count() == 1


def test_the_tablet_rates_only_its_counters_ticket_just_finished(
    counter, contribution, cast, office, django_capture_on_commit_callbacks
):
    client = placed(counter, cast, Device.Kind.SATISFACTION, "tablet")
    url = reverse("queueing:device_satisfaction_rate")
    waiting = services.ticket_issue(service=contribution, customer_kind="employer")
    # A waiting (unfinished) ticket, or a tampered token: refused, nothing stored.
    for token in (devices.ticket_token(waiting), "tampered"):
        response = client.post(url, {"ticket": token, "score": "5"})
        assert response.status_code == 400
    # Another counter's finished ticket: refused.
    other = Counter.objects.get(office=office, number=2)
    services.counter_sign_in(counter=other, officer=cast["supervisor"])
    other.services.add(contribution)
    services.ticket_call_next(counter_id=other.pk, officer=cast["supervisor"])
    services.ticket_start(counter=other, officer=cast["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_finish(counter=other, officer=cast["supervisor"], outcome="completed")
    state(client, "device_satisfaction_state")
    assert client.post(url, {"ticket": devices.ticket_token(waiting), "score": "5"}).status_code == 400
    assert not Rating.objects.exists()


def test_a_counter_screen_is_refused_to_staff_and_to_another_kind_of_device(counter, cast, client_for):
    staff = client_for(cast["counter"])
    for name in ("device_counter_display", "device_satisfaction", "device_satisfaction_state"):
        assert staff.get(reverse(f"queueing:{name}")).status_code == 403
    _device, board = paired(counter.office, cast["admin"], Device.Kind.BOARD)
    assert board.get(reverse("queueing:device_satisfaction")).status_code == 403
    assert board.post(reverse("queueing:device_satisfaction_rate"), {"score": "5"}).status_code == 403
