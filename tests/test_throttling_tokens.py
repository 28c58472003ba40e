"""Sign-in lockout that an attacker cannot turn against a user, the four-eyes confirmation
kept apart from sign-in, the API's rate limits (429 with Retry-After), and API tokens that
expire, can be revoked, and record their last use."""

import datetime
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from benefits.models import Claim
from queueing import services as queue_services
from queueing.models import Counter, Ticket
from sso.core.api import authentication
from sso.core.models import ApiTokenInfo
from sso.core.redis import redis_client
from sso.core.tokens import api_token_issue, revocations_current, revocations_publish
from tests.factories import StaffFactory, queue_office
from tests.test_benefit_pages import _record, person  # noqa: F401 (a fixture)
from tests.test_queue_fast_path import _issue, wsgi_post

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _address() -> str:
    """An address of its own for each test: the limits are counted in Redis across tests."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


@pytest.fixture(autouse=True)
def _fresh_limits():
    prefix = django_settings.CACHES["default"].get("KEY_PREFIX", "")
    client = redis_client()
    keys = list(client.scan_iter(f"{prefix}:throttle:*", count=1000))
    if keys:
        client.delete(*keys)


def _sign_in(client, username, password, address):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


# --- Sign-in lockout -------------------------------------------------------------------


def test_failures_from_another_address_lock_that_address_only_not_the_users_own(client, cast, settings):
    attacker, office = _address(), _address()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "supervisor", "a-guess", attacker)
    assert _sign_in(client, "supervisor", PASSWORD, attacker).status_code == 403  # locked there
    assert "_auth_user_id" not in client.session
    own = _sign_in(client, "supervisor", PASSWORD, office)
    assert own.status_code == 302 and client.session["_auth_user_id"] == str(cast["supervisor"].pk)


def test_the_brake_slows_guesses_from_many_addresses_and_spares_the_users_own_address(client, cast, settings):
    settings.LOGIN_BRAKE_AFTER = 3
    user = StaffFactory(username=f"brake-{uuid.uuid4().hex[:8]}", office=cast["counter"].office)
    home = _address()
    assert _sign_in(client, user.username, PASSWORD, home).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(3):  # guesses spread over addresses: no address reaches axes' limit
        assert _sign_in(client, user.username, "a-guess", _address()).status_code == 200
    # From a new address even the right password is not checked while the wait lasts...
    braked = _sign_in(client, user.username, PASSWORD, _address())
    assert braked.status_code == 200 and "_auth_user_id" not in client.session
    # ...but the user's own address is never braked: no lock can be forced on them.
    assert _sign_in(client, user.username, PASSWORD, home).status_code == 302


def test_wrong_passwords_on_the_override_form_never_lock_the_supervisor_out(person, cast, client_for, settings):  # noqa: F811
    claim = _record(person, cast, presented=["claim_form"])  # documents missing: an override is needed
    officer = client_for(cast["counter"])
    url = reverse("benefits:claim_decide", args=[claim.pk])
    form = {"action": "override", "override_reason": "Hospital sends the papers", "supervisor": "supervisor"}
    for _ in range(settings.CONFIRM_FAILURE_LIMIT):
        assert officer.post(url, form | {"supervisor_password": "a-guess"}).status_code == 400
    # The supervisor still signs in (axes counted nothing)...
    supervisor_client = type(officer)()
    assert _sign_in(supervisor_client, "supervisor", PASSWORD, "127.0.0.1").status_code == 302
    # ...while this form is blocked for this officer and supervisor, even with the right password.
    blocked = officer.post(url, form | {"supervisor_password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert blocked.status_code == 400
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED and claim.override_confirmed_by is None


def test_the_override_form_still_confirms_with_the_right_password_after_a_slip(person, cast, client_for):  # noqa: F811
    claim = _record(person, cast, presented=["claim_form"])
    officer = client_for(cast["counter"])
    url = reverse("benefits:claim_decide", args=[claim.pk])
    form = {"action": "override", "override_reason": "Hospital sends the papers", "supervisor": "supervisor"}
    assert officer.post(url, form | {"supervisor_password": "a-slip"}).status_code == 400
    assert officer.post(url, form | {"supervisor_password": PASSWORD}).status_code == 302
    claim.refresh_from_db()
    assert claim.override_confirmed_by == cast["supervisor"]


# --- API rate limits ---------------------------------------------------------------------


@pytest.fixture
def one_window(monkeypatch):
    """The limits' clock stands still inside one window, so a test's few calls never straddle
    two (a fixed window of one second restarts its count at the next: 3% of runs of three
    calls). A random hour of the past keeps each run's counters apart in Redis."""
    import random
    import types

    from sso.core import throttling

    frozen = random.randrange(1, 10**6) * 3600 + 1800.25
    monkeypatch.setattr(throttling, "time", types.SimpleNamespace(time=lambda: frozen))


def _assert_throttled(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_user_beyond_their_rate_is_answered_429_with_retry_after(cast, client_for, settings, one_window):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"user": "3/min"}
    client = client_for(cast["counter"])
    assert [client.get("/api/me/").status_code for _ in range(3)] == [200, 200, 200]
    _assert_throttled(client.get("/api/me/"))
    # Another user is not held back by it.
    assert client_for(cast["supervisor"]).get("/api/me/").status_code == 200


def test_a_token_beyond_its_rate_is_answered_429(cast, client, settings, one_window):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"token": "2/s"}
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=cast['counter']).key}"}
    assert [client.get("/api/me/", **auth).status_code for _ in range(2)] == [200, 200]
    _assert_throttled(client.get("/api/me/", **auth))


def test_an_anonymous_address_beyond_its_rate_is_answered_429(cast, client, settings, one_window):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"anon": "1/min"}
    address = _address()
    # Refused for want of credentials, and counted all the same (DRF checks permissions first).
    assert client.get("/api/me/", REMOTE_ADDR=address).status_code == 401
    _assert_throttled(client.get("/api/offices/", REMOTE_ADDR=address))
    _assert_throttled(client.get("/api/schema/", REMOTE_ADDR=address))


def test_token_sign_in_is_limited_per_address_and_per_user_name(cast, client, settings, one_window):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"sign_in": "3/min", "sign_in_user": "2/min"}
    address = _address()
    for name in ("nobody-1", "nobody-2", "nobody-3"):
        assert (
            client.post("/api/auth/token/", {"username": name, "password": "x"}, REMOTE_ADDR=address).status_code == 400
        )
    _assert_throttled(
        client.post("/api/auth/token/", {"username": "counter", "password": PASSWORD}, REMOTE_ADDR=address)
    )
    # One user name from many addresses.
    for _ in range(2):
        client.post("/api/auth/token/", {"username": "verifier", "password": "x"}, REMOTE_ADDR=_address())
    _assert_throttled(
        client.post("/api/auth/token/", {"username": "verifier", "password": PASSWORD}, REMOTE_ADDR=_address())
    )


# --- API tokens --------------------------------------------------------------------------


def _me(client, key):
    return client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_signed_in_token_expires_after_the_staff_lifetime_and_is_kept_while_valid(cast, client, settings):
    first = client.post("/api/auth/token/", {"username": "counter", "password": PASSWORD}).json()
    expires = datetime.datetime.fromisoformat(first["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_HOURS))).total_seconds() < 60
    again = client.post("/api/auth/token/", {"username": "counter", "password": PASSWORD}).json()
    assert again == first


def test_a_system_clients_token_lives_for_days(cast):
    token = api_token_issue(user=cast["counter"], system_client=True)
    left = token.info.expires_at - timezone.now()
    assert left > datetime.timedelta(days=django_settings.API_SYSTEM_TOKEN_DAYS - 1)


def test_an_expired_token_is_refused_with_401_and_sign_in_gives_a_new_one(cast, client):
    token = Token.objects.create(user=cast["counter"])
    ApiTokenInfo.objects.filter(token_id=token.key).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    refused = _me(client, token.key)
    assert refused.status_code == 401
    assert "หมดอายุ" in refused.content.decode() or "expired" in refused.json()["detail"]  # Thai first
    fresh = client.post("/api/auth/token/", {"username": "counter", "password": PASSWORD}).json()["token"]
    assert fresh != token.key and _me(client, fresh).status_code == 200


@pytest.fixture
def counter(cast, offices):
    office = queue_office(offices["1001"])
    counter = Counter.objects.get(office=office, number=1)
    queue_services.counter_sign_in(counter=counter, officer=cast["counter"])
    return counter


def test_an_expired_token_is_refused_by_the_queues_fast_path(cast, counter):
    (ticket,) = _issue(counter.office)
    token = Token.objects.create(user=cast["counter"])
    ApiTokenInfo.objects.filter(token_id=token.key).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    code, _headers, _body, _raw = wsgi_post(
        f"/api/queue/counters/{counter.pk}/call-next/", token=token.key, body=b'{"close_current": ""}'
    )
    assert code == 401
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.WAITING


def test_a_token_expiring_while_kept_in_the_worker_is_refused_when_it_expires(cast, client, monkeypatch):
    token = Token.objects.create(user=cast["counter"])
    ApiTokenInfo.objects.filter(token_id=token.key).update(expires_at=timezone.now() + datetime.timedelta(seconds=5))
    assert _me(client, token.key).status_code == 200
    kept_until = authentication._cache[token.key][0]
    import time

    assert kept_until - time.monotonic() <= 5  # kept no longer than the token lives


def test_a_token_revoked_by_its_holder_is_refused_at_once(cast, client):
    key = Token.objects.create(user=cast["counter"]).key
    assert _me(client, key).status_code == 200  # now kept in the worker
    assert client.post("/api/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert _me(client, key).status_code == 401
    assert not Token.objects.filter(key=key).exists()


def test_a_token_revoked_in_another_worker_is_refused_within_a_second(cast, client, monkeypatch):
    key = Token.objects.create(user=cast["counter"]).key
    assert _me(client, key).status_code == 200
    with connection.cursor() as cursor:  # another process deletes it: this one is not told directly
        cursor.execute("DELETE FROM core_apitokeninfo WHERE token_id = %s", [key])
        cursor.execute("DELETE FROM authtoken_token WHERE key = %s", [key])
    revocations_publish()
    monkeypatch.setattr(authentication, "REVOCATIONS_CHECK_SECONDS", 0)
    assert _me(client, key).status_code == 401


def test_a_deactivated_user_or_a_role_taken_away_reaches_every_worker_within_a_second(
    cast, client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    monkeypatch.setattr(authentication, "REVOCATIONS_CHECK_SECONDS", 0)
    counter, supervisor = cast["counter"], cast["supervisor"]
    counter_key = Token.objects.create(user=counter).key
    supervisor_key = Token.objects.create(user=supervisor).key
    assert _me(client, counter_key).status_code == 200
    assert client.get("/api/queue/services/", HTTP_AUTHORIZATION=f"Token {supervisor_key}").status_code == 200
    before = revocations_current()
    with django_capture_on_commit_callbacks(execute=True):
        counter.is_active = False
        counter.save()
    assert revocations_current() != before
    assert _me(client, counter_key).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.groups.remove(Group.objects.get(name="supervisor"))
    assert client.get("/api/queue/services/", HTTP_AUTHORIZATION=f"Token {supervisor_key}").status_code == 403


def test_a_sign_in_does_not_make_every_worker_forget_its_tokens(cast, client, django_capture_on_commit_callbacks):
    before = revocations_current()
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(cast["counter"])
        cast["counter"].save(update_fields=["last_login"])
    assert revocations_current() == before


def test_the_administrator_sees_tokens_without_their_keys_and_revokes_them(cast, client_for):
    token = Token.objects.create(user=cast["counter"])
    admin = client_for(cast["admin"])
    page = admin.get("/admin/core/apitokeninfo/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "counter" in html and token.key not in html
    detail = admin.get(f"/admin/core/apitokeninfo/{token.info.pk}/change/")
    assert detail.status_code == 200 and token.key not in detail.content.decode()
    done = admin.post(
        "/admin/core/apitokeninfo/", {"action": "revoke", "_selected_action": [token.info.pk]}, follow=True
    )
    assert done.status_code == 200
    assert not Token.objects.filter(key=token.key).exists()
    assert _me(client_for(cast["counter"]), token.key).status_code == 401


def test_drfs_own_token_page_listing_keys_is_gone(cast, client_for):
    assert client_for(cast["admin"]).get("/admin/authtoken/tokenproxy/").status_code == 404


def test_the_last_use_is_recorded_at_most_once_a_minute(cast, client, django_assert_max_num_queries):
    token = Token.objects.create(user=cast["counter"])
    assert ApiTokenInfo.objects.get(token_id=token.key).last_used_at is None
    assert _me(client, token.key).status_code == 200
    used = ApiTokenInfo.objects.get(token_id=token.key).last_used_at
    assert used is not None and (timezone.now() - used).total_seconds() < 5
    authentication.token_cache_clear()  # read from the database again, within the minute
    with django_assert_max_num_queries(10) as queries:
        assert _me(client, token.key).status_code == 200
    assert not any("UPDATE" in q["sql"] and "apitokeninfo" in q["sql"] for q in queries.captured_queries)
    assert ApiTokenInfo.objects.get(token_id=token.key).last_used_at == used


def test_an_office_administrator_sees_only_their_offices_tokens(cast, client_for):
    from django.contrib.auth.models import Permission

    mine = Token.objects.create(user=cast["other_supervisor"])
    theirs = Token.objects.create(user=cast["counter"])
    office_admin = StaffFactory(username="cmi-admin", office=cast["other_supervisor"].office, is_staff=True)
    office_admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    html = client_for(office_admin).get("/admin/core/apitokeninfo/").content.decode()
    assert f'value="{mine.info.pk}"' in html and f'value="{theirs.info.pk}"' not in html
    assert client_for(office_admin).get(f"/admin/core/apitokeninfo/{theirs.info.pk}/change/").status_code in (302, 404)


def test_a_revocation_is_told_to_every_worker_but_an_expired_tokens_replacement_is_not(
    cast, client, django_capture_on_commit_callbacks
):
    from sso.core.tokens import api_token_revoke, revocations_current

    token = Token.objects.create(user=cast["counter"])
    ApiTokenInfo.objects.filter(token_id=token.key).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    before = revocations_current()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/auth/token/", {"username": "counter", "password": PASSWORD}).status_code == 200
    assert revocations_current() == before  # no worker keeps an expired token anyway
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(token=Token.objects.get(user=cast["counter"]), by=cast["admin"])
    assert revocations_current() != before
