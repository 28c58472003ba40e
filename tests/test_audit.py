"""Every change of a business record is recorded: who, when, which office, old -> new."""

import datetime

import pytest

from sso.core.models import Office

pytestmark = pytest.mark.django_db


def edit(client, office, **changes):
    data = {
        "name_th": office.name_th,
        "name_en": office.name_en,
        "kind": office.kind,
        "province": office.province_id,
        "address": office.address,
        "phone": office.phone,
        "opened_on": "",
        "is_active": "on" if office.is_active else "",
    }
    data.update(changes)
    return client.post(f"/offices/{office.code}/edit/", data)


def test_an_edit_is_recorded_with_user_office_and_old_and_new_values(cast, client_for, offices):
    office = offices["5000"]
    response = edit(client_for(cast["admin"]), office, phone="053-112-233", opened_on="1/3/2534")
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.phone == "053-112-233"
    assert office.opened_on == datetime.date(1991, 3, 1)
    record = office.history.latest()
    assert record.history_type == "~"
    assert record.history_user == cast["admin"]
    assert record.history_office.code == "1001"
    delta = record.diff_against(record.prev_record)
    assert {change.field for change in delta.changes} == {"phone", "opened_on"}


def test_the_history_page_shows_who_changed_what(cast, client_for, offices):
    office = offices["1001"]
    edit(client_for(cast["admin"]), office, phone="02-000-0000")
    page = client_for(cast["supervisor"]).get(f"/history/core.office/{office.pk}/").content.decode()
    assert "admin" in page
    assert "02-000-0000" in page
    assert "โทรศัพท์" in page  # the field's Thai name
    recent = client_for(cast["supervisor"]).get("/history/").content.decode()
    assert f"/history/core.office/{office.pk}/" in recent


def test_a_bad_date_is_refused_in_the_users_language_and_nothing_changes(cast, client_for, offices):
    office = offices["1001"]
    before = (office.phone, office.history.count())
    client = client_for(cast["admin"])
    response = edit(client, office, phone="099", opened_on="31/02/2569")
    assert response.status_code == 200
    assert "ไม่มีวันที่นี้ในปฏิทิน" in response.content.decode()
    office.refresh_from_db()
    assert (office.phone, office.history.count()) == before
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = edit(client, office, opened_on="1/1/69")
    assert "Write the year with 4 digits" in response.content.decode()


def test_the_form_shows_which_era_it_stored(cast, client_for, offices):
    office = offices["1001"]
    edit(client_for(cast["admin"]), office, opened_on="26/11/2026")
    page = client_for(cast["admin"]).get(f"/offices/{office.code}/edit/").content.decode()
    assert 'value="26/11/2569"' in page
    assert "26 พ.ย. 2569" in page and "2026-11-26" in page


def test_saving_without_changes_records_nothing(cast, client_for, offices):
    office = Office.objects.get(code="1001")
    count = office.history.count()
    edit(client_for(cast["admin"]), office)
    assert office.history.count() == count


def test_staff_changes_are_audited_too(cast, offices):
    user = cast["counter"]
    user.office = offices["5000"]
    user.save(update_fields=["office"])
    record = user.history.latest()
    assert record.office_id == offices["5000"].pk
    assert not hasattr(record, "password")


def test_a_role_change_is_recorded_with_the_roles_before_and_after(cast, client_for):
    from django.contrib.auth.models import Group

    from sso.core.audit import history_entries

    user = cast["counter"]
    user.groups.add(Group.objects.get(name="supervisor"))
    latest = history_entries(user)[0]
    assert latest.kind == "changed"
    [change] = [c for c in latest.changes if c.name == "groups"]
    assert change.old == "counter_officer"
    assert set(change.new.split(", ")) == {"counter_officer", "supervisor"}


def test_signing_in_is_not_recorded_as_a_change(cast, client):
    count = cast["counter"].history.count()
    client.post("/accounts/login/", {"username": "counter", "password": "correct-horse-battery"})
    cast["counter"].refresh_from_db()
    assert cast["counter"].last_login is not None
    assert cast["counter"].history.count() == count
