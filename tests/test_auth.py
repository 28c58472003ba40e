"""Login, lockout, session timeout, password change, roles and menus, language."""

import pytest
from django.contrib.auth.models import Permission

from sso.core.menu import menu_for
from sso.core.roles import ROLES, roles_sync

pytestmark = pytest.mark.django_db


def test_every_role_permission_exists_and_every_role_is_a_group(cast):
    assert roles_sync() == []
    from django.contrib.auth.models import Group

    assert {role.code for role in ROLES} <= set(Group.objects.values_list("name", flat=True))
    assert Permission.objects.filter(codename="view_all_offices").exists()


def test_the_menu_differs_by_role(cast):
    menus = {who: [item.key for item in menu_for(cast[who])] for who in ("counter", "supervisor", "national", "admin")}
    assert "changes" not in menus["counter"] and "changes" in menus["supervisor"]
    assert "offices" in menus["national"] and "offices" not in menus["supervisor"]
    assert "admin" in menus["admin"] and "admin" not in menus["national"]
    assert menu_for(cast["outsider"]) == []


def test_the_login_page_is_thai_by_default_even_for_an_english_browser(client, cast):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "เข้าสู่ระบบ" in response.content.decode()


def test_the_language_switch_turns_the_ui_to_english_and_back(client, cast):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "th", "next": "/accounts/login/"})
    assert "เข้าสู่ระบบ" in client.get("/accounts/login/").content.decode()


def test_a_correct_password_signs_in_and_a_wrong_one_says_so(client, cast):
    bad = client.post("/accounts/login/", {"username": "counter", "password": "nope"})
    assert bad.status_code == 200
    assert "_auth_user_id" not in client.session
    good = client.post("/accounts/login/", {"username": "counter", "password": "correct-horse-battery"})
    assert good.status_code == 302 and good["Location"] == "/"
    assert client.session["_auth_user_id"] == str(cast["counter"].pk)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "verifier", "password": "wrong-guess"})
    locked = client.post("/accounts/login/", {"username": "verifier", "password": "correct-horse-battery"})
    assert locked.status_code == 403
    assert "บัญชีถูกระงับชั่วคราว" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user at the same counter PC is not locked out.
    other = client.post("/accounts/login/", {"username": "counter", "password": "correct-horse-battery"})
    assert other.status_code == 302


def test_an_idle_session_expires_and_each_request_extends_it(client_for, cast, settings):
    client = client_for(cast["counter"])
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert client.get("/").status_code == 200
    assert client.session.get_expiry_age() == 30 * 60
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client_for, cast):
    client = client_for(cast["counter"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_needs_the_old_password_and_a_strong_new_one(client_for, cast):
    client = client_for(cast["counter"])
    weak = client.post(
        "/accounts/password/",
        {"old_password": "correct-horse-battery", "new_password1": "12345", "new_password2": "12345"},
    )
    assert weak.status_code == 200
    cast["counter"].refresh_from_db()
    assert cast["counter"].check_password("correct-horse-battery")
    ok = client.post(
        "/accounts/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "Tamarind-Lotus-2569",
            "new_password2": "Tamarind-Lotus-2569",
        },
    )
    assert ok.status_code == 302
    cast["counter"].refresh_from_db()
    assert cast["counter"].check_password("Tamarind-Lotus-2569")


def test_home_shows_the_roles_and_menu_of_the_user(client_for, cast):
    page = client_for(cast["supervisor"]).get("/").content.decode()
    assert "หัวหน้างาน" in page
    assert 'data-menu="changes"' in page
    assert 'data-menu="offices"' not in page


def test_permissions_are_cached_and_a_role_change_takes_effect_at_once(cast, django_assert_num_queries):
    from django.contrib.auth.models import Group

    from sso.core.models import User

    fresh = User.objects.get(pk=cast["counter"].pk)
    assert fresh.has_perm("queueing.serve_counter")
    again = User.objects.get(pk=cast["counter"].pk)
    with django_assert_num_queries(0):
        assert again.has_perm("queueing.serve_counter")
    cast["counter"].groups.set([Group.objects.get(name="backoffice_verifier")])
    assert not User.objects.get(pk=cast["counter"].pk).has_perm("queueing.serve_counter")
    group = Group.objects.get(name="backoffice_verifier")
    group.permissions.add(*Group.objects.get(name="counter_officer").permissions.all())
    assert User.objects.get(pk=cast["counter"].pk).has_perm("queueing.serve_counter")


def test_an_api_token_is_read_from_the_database_once_then_from_the_worker(cast, django_assert_max_num_queries):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=cast["counter"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/me/").status_code == 200
    with django_assert_max_num_queries(5) as queries:
        assert client.get("/api/me/").status_code == 200
    assert not any("authtoken_token" in q["sql"] for q in queries.captured_queries)
