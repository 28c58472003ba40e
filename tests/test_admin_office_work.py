"""An office's queue set-up in the Django admin: an office administrator manages their own
office's services and counters only, and seats only their own office's staff at them."""

import pytest

from queueing.models import Counter, Service
from tests.factories import StaffFactory, queue_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def queues(cast, offices):
    return {code: queue_office(office, counters=1) for code, office in offices.items()}


def test_an_office_administrator_lists_only_their_offices_counters_and_services(client_for, cast, queues):
    client = client_for(cast["admin"])
    counters = client.get("/admin/queueing/counter/")
    services = client.get("/admin/queueing/service/")
    assert counters.status_code == services.status_code == 200
    assert {row.pk for row in counters.context["cl"].queryset} == set(
        Counter.objects.filter(office__code="1001").values_list("pk", flat=True)
    )
    assert {row.pk for row in services.context["cl"].queryset} == set(
        Service.objects.filter(office__code="1001").values_list("pk", flat=True)
    )


def test_another_offices_counter_cannot_be_changed_or_given_another_offices_officer(client_for, cast, offices, queues):
    client = client_for(cast["admin"])
    theirs = Counter.objects.filter(office__code="5000").first()
    stranger = StaffFactory(username="cmi_counter", office=offices["5000"], roles=["counter_officer"])
    page = client.get(f"/admin/queueing/counter/{theirs.pk}/change/")
    assert page.status_code == 302  # Django's admin answers a row outside the queryset with a redirect
    client.post(f"/admin/queueing/counter/{theirs.pk}/change/", {"number": 99, "officer": stranger.pk})
    theirs.refresh_from_db()
    assert theirs.number != 99 and theirs.officer_id is None

    ours = Counter.objects.filter(office__code="1001").first()
    form = client.get(f"/admin/queueing/counter/{ours.pk}/change/").context["adminform"].form
    assert "office" not in form.fields
    assert stranger.pk not in {user.pk for user in form.fields["officer"].queryset}
    assert set(form.fields["services"].queryset.values_list("office__code", flat=True)) == {"1001"}


def test_a_counter_added_by_an_office_administrator_belongs_to_their_office(client_for, cast, queues):
    client = client_for(cast["admin"])
    service = Service.objects.filter(office__code="1001").first()
    response = client.post("/admin/queueing/counter/add/", {"number": 42, "services": [service.pk], "is_active": "on"})
    assert response.status_code == 302, response.content[:500]
    assert Counter.objects.get(number=42).office.code == "1001"


def test_another_offices_counter_history_and_versions_are_not_found_and_cannot_be_reverted(client_for, cast, queues):
    """simple_history finds a row by id alone: its history, an old version and the revert form
    of another office's counter were open to an office administrator, and a revert would have
    moved the counter into the administrator's office."""
    client = client_for(cast["admin"])
    theirs = Counter.objects.filter(office__code="5000").first()
    version = theirs.history.order_by("history_id").first().history_id
    assert client.get(f"/admin/queueing/counter/{theirs.pk}/history/").status_code == 404
    assert client.get(f"/admin/queueing/counter/{theirs.pk}/history/{version}/").status_code == 404
    services = list(theirs.services.values_list("pk", flat=True))
    revert = {"number": theirs.number, "services": services, "is_active": "on"}
    assert client.post(f"/admin/queueing/counter/{theirs.pk}/history/{version}/", revert).status_code == 404
    theirs.refresh_from_db()
    assert theirs.office.code == "5000"

    ours = Counter.objects.filter(office__code="1001").first()
    assert client.get(f"/admin/queueing/counter/{ours.pk}/history/").status_code == 200
