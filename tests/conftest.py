"""The cast: one named user per role in office 1001, a supervisor of another office
(5000), an outsider with no role, built once per test from the demo roles."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# by test code there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests that share one test process under pytest-xdist (`make test` runs `--dist loadgroup
    --no-loadscope-reorder`; each other test goes to whichever process is free): the tests of
    a real Celery worker share one worker process instead of starting one per test process,
    and a module whose tests use records it builds once (a module-scoped fixture: the
    permission matrix's take 40 s) stays whole. Each test process has its own test database
    (test_<name>_gwN) and Redis database (sso/settings.py), and its own chromium.

    The order is kept: pytest-django puts the transactional tests (live server, real worker),
    which empty every table after them, migrations' rows too, after all the others, and
    xdist's default reorder (biggest group first) would send them first."""
    if not config.pluginmanager.hasplugin("xdist"):  # -p no:xdist: no such marker
        return
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = "celery-worker" if "celery_worker_process" in getattr(item, "fixturenames", ()) else None
        fixtures = getattr(item, "_fixtureinfo", None)
        if group is None and fixtures is not None:
            # The project's own fixtures only (pytest-django has class-scoped ones of its own).
            scopes = {d.scope for defs in fixtures.name2fixturedefs.values() for d in defs if d.baseid}
            if scopes & {"module", "class"}:
                group = item.module.__name__
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing (PBKDF2, a million rounds) costs ~0.25 s a user: the cast alone
    # would add two seconds to every test. Tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    from sso.core.api.authentication import token_cache_clear

    token_cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _redis_emptied():
    """Each test process starts on an empty Redis database, its own (sso/settings.py shifts
    REDIS_URL's per process; the README asks for them free): a previous run's keys, such as an
    office's log of calls, would otherwise meet this run's rows, whose ids start again from 1
    in a new test database (a board's stream replayed the last run's calls)."""
    from sso.core.redis import redis_client

    redis_client().flushdb()


@pytest.fixture(autouse=True)
def _api_limits_out_of_the_way(settings):
    # The API's limits are counted in Redis per user and per address, across tests: raised
    # here, lowered by the tests of the limits themselves (tests/test_throttling_tokens.py).
    settings.API_THROTTLE_RATES = {scope: "1000000/min" for scope in settings.API_THROTTLE_RATES}
    # Likewise the sign-in brake's count of a user name's failures (the cast's names recur).
    settings.LOGIN_BRAKE_AFTER = 1000000


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    # Rule rows a test made (and rolled back) must not outlive it in the per-process cache.
    from benefits.rules import rules_cache_clear as benefit_rules_cache_clear
    from contributions.rules import rules_cache_clear

    rules_cache_clear()
    benefit_rules_cache_clear()
    yield
    rules_cache_clear()
    benefit_rules_cache_clear()


@pytest.fixture
def offices(db):
    from tests.factories import OfficeFactory

    return {
        "1001": OfficeFactory(code="1001", name_en="Bangkok Area Office 1", name_th="สปส. กรุงเทพฯ พื้นที่ 1"),
        "5000": OfficeFactory(
            code="5000", name_en="Chiang Mai Provincial Office", name_th="สปส. จังหวัดเชียงใหม่", province_code="50"
        ),
    }


_roles_as_synced: set | None = None


def _roles_ready() -> None:
    """The role groups as `roles_sync` leaves them. Migrating the test database synced them
    already, so most tests find them so: one query checks it (a sync costs about 40 ms, and
    nearly every test builds the cast). Tests that empty the tables (live server, real worker)
    get them synced again."""
    global _roles_as_synced
    from django.contrib.auth.models import Group

    from sso.core.roles import ROLES_BY_CODE, roles_sync

    def current():
        return set(
            Group.permissions.through.objects.filter(group__name__in=list(ROLES_BY_CODE)).values_list(
                "group__name", "permission_id"
            )
        )

    if _roles_as_synced is not None and current() == _roles_as_synced:
        return
    roles_sync()
    _roles_as_synced = current()


@pytest.fixture
def cast(offices):
    from tests.factories import StaffFactory

    _roles_ready()
    home, other = offices["1001"], offices["5000"]
    return {
        "counter": StaffFactory(username="counter", office=home, roles=["counter_officer"]),
        "verifier": StaffFactory(username="verifier", office=home, roles=["backoffice_verifier"]),
        "supervisor": StaffFactory(username="supervisor", office=home, roles=["supervisor"]),
        "national": StaffFactory(username="national", office=offices["1001"], roles=["national_supervisor"]),
        "admin": StaffFactory(username="admin", office=home, roles=["administrator"], is_staff=True),
        "other_supervisor": StaffFactory(username="other_supervisor", office=other, roles=["supervisor"]),
        "outsider": StaffFactory(username="outsider", office=None, roles=[]),
    }


@pytest.fixture
def reference_rules(transactional_db):
    """Transactional tests (live server, real worker) empty every table after them, the
    rules seeded by the migrations too: load those rows again."""
    import datetime
    from importlib import import_module

    from django.apps import apps

    from benefits.models import DocumentRequirement
    from registry.models import RegistrationRule

    class DatedChecklists:
        """The models the seeds ask for, with the document checklists' rows given the start
        the migration that dated them gave (the seeds predate the dates: 0010)."""

        def get_model(self, app_label, name):
            if name != "DocumentRequirement":
                return apps.get_model(app_label, name)
            start = import_module("benefits.migrations.0010_document_requirements_dated").START

            class Rows:
                class objects:  # noqa: N801 - stands for the model's manager
                    @staticmethod
                    def update_or_create(defaults=None, **lookup):
                        return DocumentRequirement.objects.update_or_create(
                            valid_from=start, defaults=defaults, **lookup
                        )

            return Rows

    import_module("contributions.migrations.0002_rules_seed").seed(apps, None)
    import_module("benefits.migrations.0002_parameters_documents_seed").seed(DatedChecklists(), None)
    import_module("benefits.migrations.0004_appeals_attempts").seed(apps, None)
    import_module("benefits.migrations.0006_cash_days_per_month").seed(apps, None)
    import_module("benefits.migrations.0009_medical_processes").seed(DatedChecklists(), None)
    import_module("contributions.migrations.0006_collection_rule").seed(apps, None)
    RegistrationRule.objects.get_or_create(valid_from=datetime.date(1990, 9, 2))


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user, backend="sso.core.auth.CachedPermissionsBackend")
        return client

    return sign_in


@pytest.fixture(scope="session")
def celery_queue():
    from sso.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    return queue


@pytest.fixture(scope="session")
def message_gateway():
    """A fake SMS/LINE gateway (a real HTTP server thread, tests/fake_gateway.py): the worker
    sends the queue's messages to it (MESSAGE_SENDER=sms)."""
    from tests.fake_gateway import FakeGateway

    gateway = FakeGateway()
    yield gateway
    gateway.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, celery_queue, message_gateway):
    """A real Celery worker process on the real Redis, using the test database; its messages
    to phones go to the fake gateway."""
    from django.db import connection

    env = os.environ.copy()
    env["DATABASE_NAME"] = connection.settings_dict["NAME"]
    env["CELERY_QUEUE"] = celery_queue
    env |= {"MESSAGE_SENDER": "sms", "SMS_GATEWAY_URL": message_gateway.url + "/sms", "SMS_GATEWAY_TOKEN": "test"}
    log = open(ROOT / "var" / f"worker-{celery_queue}.log", "w") if (ROOT / "var").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sso", "worker", "-P", "solo", "-Q", celery_queue,
         "-n", f"{celery_queue}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    from sso.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker exited at start")
        if app.control.ping(destination=[f"{celery_queue}@{os.uname().nodename}"], timeout=0.5):
            break
    else:
        proc.kill()
        raise RuntimeError("the Celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
