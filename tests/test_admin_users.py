"""Staff accounts in the Django admin: an office administrator manages the users of their own
office, with the roles of sso/core/roles.py only; superuser, staff status and raw permissions
belong to superusers; every change of roles or status is on the user's history page."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from sso.core.models import User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "registry", "contributions", "benefits", "queueing"}


@pytest.fixture
def other_admin(cast, offices):
    """The administrator of another office (5000)."""
    return StaffFactory(username="other_admin", office=offices["5000"], roles=["administrator"], is_staff=True)


@pytest.fixture
def superuser(offices):
    return StaffFactory(username="root", office=offices["1001"], is_staff=True, is_superuser=True)


def change_url(user, tail="change/"):
    return f"/admin/core/user/{user.pk}/{tail}"


def change_data(user, **changes):
    """The change form as a browser posts it (with the fields of Django's stock form, so the
    same post also shows what the form accepted before it was locked down)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "groups": [group.pk for group in user.groups.all()],
        "office": user.office_id or "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def role(code):
    return Group.objects.get(name=code)


def test_an_office_administrator_cannot_make_themselves_superuser_staff_or_give_raw_permissions(cast, client_for):
    me = cast["admin"]
    client = client_for(me)
    page = client.get(change_url(me)).content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions"):
        assert f'name="{field}"' not in page
    any_permission = Permission.objects.get(codename="change_group")
    response = client.post(
        change_url(me),
        change_data(me, is_superuser="on", is_staff="on", user_permissions=[any_permission.pk], first_name="Me"),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.first_name == "Me"  # the form was saved ...
    assert not me.is_superuser  # ... without what it does not offer
    assert not me.user_permissions.exists()
    assert client.get("/admin/auth/group/").status_code == 403


def test_an_office_administrator_cannot_make_a_colleague_superuser_either(cast, client_for):
    counter = cast["counter"]
    response = client_for(cast["admin"]).post(change_url(counter), change_data(counter, is_superuser="on"))
    assert response.status_code == 302
    counter.refresh_from_db()
    assert not counter.is_superuser and not counter.is_staff


def test_a_superuser_grants_superuser_status(cast, client_for, superuser):
    counter = cast["counter"]
    client = client_for(superuser)
    assert 'name="is_superuser"' in client.get(change_url(counter)).content.decode()
    assert client.post(change_url(counter), change_data(counter, is_superuser="on")).status_code == 302
    counter.refresh_from_db()
    assert counter.is_superuser and counter.is_staff


def test_an_office_administrator_lists_only_the_users_of_their_office(cast, client_for, other_admin, superuser):
    page = client_for(cast["admin"]).get("/admin/core/user/").content.decode()
    for own in ("counter", "verifier", "supervisor"):
        assert change_url(cast[own]) in page
    assert change_url(cast["other_supervisor"]) not in page
    assert change_url(other_admin) not in page
    assert change_url(superuser) not in page  # superusers are managed by superusers only
    everyone = client_for(superuser).get("/admin/core/user/").content.decode()
    assert change_url(other_admin) in everyone


@pytest.mark.parametrize("tail", ["change/", "password/", "history/", "delete/"])
def test_another_offices_user_is_not_found_in_the_admin(cast, client_for, other_admin, tail):
    client = client_for(cast["admin"])
    assert client.get(change_url(other_admin, tail)).status_code == 404
    assert client.get(change_url(cast["other_supervisor"], tail)).status_code == 404


def test_another_offices_administrator_keeps_their_password_roles_and_office(cast, client_for, other_admin):
    client = client_for(cast["admin"])
    password = client.post(
        change_url(other_admin, "password/"),
        {"password1": "taken-over-12345", "password2": "taken-over-12345", "set_usable_password": "true"},
    )
    change = client.post(
        change_url(other_admin), change_data(other_admin, groups=[role("counter_officer").pk], is_active="")
    )
    assert (password.status_code, change.status_code) == (404, 404)
    other_admin.refresh_from_db()
    assert other_admin.check_password("correct-horse-battery")
    assert other_admin.is_active and other_admin.role_codes == ["administrator"]


def test_a_superusers_account_is_not_found_by_an_office_administrator(cast, client_for, superuser):
    client = client_for(cast["admin"])
    assert client.get(change_url(superuser)).status_code == 404
    assert client.get(change_url(superuser, "password/")).status_code == 404


def test_an_office_administrator_manages_their_own_offices_users(cast, client_for):
    counter = cast["counter"]
    client = client_for(cast["admin"])
    assert client.get(change_url(counter)).status_code == 200
    response = client.post(
        change_url(counter, "password/"),
        {"password1": "new-secret-4711x", "password2": "new-secret-4711x", "set_usable_password": "true"},
    )
    assert response.status_code == 302
    counter.refresh_from_db()
    assert counter.check_password("new-secret-4711x")


def test_a_user_added_by_an_office_administrator_belongs_to_their_office(cast, client_for, offices):
    response = client_for(cast["admin"]).post(
        "/admin/core/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "first-secret-4711x",
            "password2": "first-secret-4711x",
            "office": offices["5000"].pk,  # not on their form: ignored
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.office == offices["1001"]
    assert not newcomer.is_superuser and not newcomer.is_staff


def test_the_roles_widget_offers_only_the_roles(cast, client_for):
    extra = Group.objects.create(name="hand_made_group")
    counter = cast["counter"]
    client = client_for(cast["admin"])
    page = client.get(change_url(counter)).content.decode()
    assert f'<option value="{role("supervisor").pk}"' in page
    assert f'<option value="{extra.pk}"' not in page
    response = client.post(change_url(counter), change_data(counter, groups=[extra.pk]))
    assert response.status_code == 200  # refused: not a choice
    assert counter.role_codes == ["counter_officer"]


def test_groups_outside_the_roles_given_by_a_superuser_stay_when_an_office_administrator_saves(cast, client_for):
    extra = Group.objects.create(name="hand_made_group")
    counter = cast["counter"]
    counter.groups.add(extra)
    response = client_for(cast["admin"]).post(
        change_url(counter), change_data(counter, groups=[role("backoffice_verifier").pk])
    )
    assert response.status_code == 302
    assert counter.role_codes == ["backoffice_verifier", "hand_made_group"]


def test_staff_status_follows_the_administrator_role(cast, client_for):
    counter = cast["counter"]
    client = client_for(cast["admin"])
    both = [role("counter_officer").pk, role("administrator").pk]
    assert client.post(change_url(counter), change_data(counter, groups=both)).status_code == 302
    counter.refresh_from_db()
    assert counter.is_staff
    assert client.post(change_url(counter), change_data(counter, groups=both[:1])).status_code == 302
    counter.refresh_from_db()
    assert not counter.is_staff
    assert client_for(counter).get("/admin/").status_code == 302  # sent to the admin's sign-in


def test_role_and_status_changes_are_on_the_users_history_page(cast, client_for):
    counter = cast["counter"]
    client = client_for(cast["admin"])
    groups = [role("counter_officer").pk, role("administrator").pk]
    assert client.post(change_url(counter), change_data(counter, groups=groups, is_active="")).status_code == 302
    page = client_for(cast["supervisor"]).get(f"/history/core.user/{counter.pk}/").content.decode()
    rows = page.split("<tr>")[2:]  # newest first, header left out
    assert all("<td>admin</td>" in row for row in rows[:3])
    changes = " ".join(rows)
    [roles_after] = re.findall(r"counter_officer → ([a-z_, ]+)</li>", changes)
    assert set(roles_after.split(", ")) == {"administrator", "counter_officer"}
    assert "True → False" in changes  # active
    assert "False → True" in changes  # staff status, following the administrator role


def test_a_superusers_change_of_office_and_superuser_status_is_on_the_history(cast, client_for, superuser, offices):
    from sso.core.audit import history_entries

    counter = cast["counter"]
    data = change_data(counter, is_superuser="on", office=offices["5000"].pk)
    assert client_for(superuser).post(change_url(counter), data).status_code == 302
    changed = {}
    for entry in history_entries(counter):  # newest first: keep each field's latest change
        for change in entry.changes if entry.kind == "changed" else []:
            changed.setdefault(change.name, (change.old, change.new))
    assert changed["is_superuser"] == (False, True)
    assert changed["is_staff"] == (False, True)
    assert str(changed["office"][1]) == str(offices["5000"])
    assert all(entry.user == superuser for entry in history_entries(counter)[:2])


def test_an_office_administrator_cannot_revert_a_user_to_an_older_version(cast, client_for):
    counter = cast["counter"]
    counter.first_name = "Renamed"
    counter.save()
    first = counter.history.earliest()
    response = client_for(cast["admin"]).get(change_url(counter, f"history/{first.history_id}/"))
    assert response.status_code == 403


def _admins_not_ours():
    return [model for model in admin.site._registry if model._meta.app_label not in OUR_APPS]


def test_every_admin_outside_our_apps_is_for_superusers_only(cast, client_for, superuser):
    """Groups (whose permissions roles.py defines), tokens, sign-in logs: even an administrator
    who somehow holds every permission of such a model does not reach its admin."""
    models = _admins_not_ours()
    assert "auth.group" in {model._meta.label_lower for model in models}
    me = cast["admin"]
    for model in models:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        me.user_permissions.add(*Permission.objects.filter(content_type=content_type))
    me = User.objects.get(pk=me.pk)
    for model in models:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client_for(me).get(url).status_code == 403, url
        assert client_for(superuser).get(url).status_code == 200, url
    index = client_for(me).get("/admin/").content.decode()
    assert "/admin/auth/group/" not in index


def test_sign_in_logs_stay_read_only_to_a_superuser(superuser, client_for):
    """Wrapping axes' admin for superusers only must not widen it: nobody adds or forges a
    sign-in log entry by hand."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    client = client_for(superuser)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        url = f"/admin/axes/{model._meta.model_name}/add/"
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"username": "forged", "ip_address": "192.0.2.9"}).status_code == 403, url
        assert not model.objects.filter(username="forged").exists()


def test_an_office_administrator_sees_and_revokes_only_their_own_offices_api_tokens(
    cast, client_for, other_admin, superuser
):
    """An administrator reads every office's records (core.view_all_offices) but manages their
    own office's staff only: another office's tokens are neither listed nor revoked."""
    from rest_framework.authtoken.models import Token

    ours = Token.objects.create(user=cast["counter"])
    theirs = Token.objects.create(user=other_admin)
    root = Token.objects.create(user=superuser)
    client = client_for(cast["admin"])
    listed = client.get("/admin/core/apitokeninfo/")
    assert listed.status_code == 200
    assert {info.token_id for info in listed.context["cl"].queryset} == {ours.key}
    assert client.get(f"/admin/core/apitokeninfo/{theirs.info.pk}/change/").status_code == 302  # not found
    client.post(
        "/admin/core/apitokeninfo/",
        {"action": "revoke", "_selected_action": [theirs.info.pk, root.info.pk, ours.info.pk]},
    )
    assert set(Token.objects.values_list("key", flat=True)) == {theirs.key, root.key}
