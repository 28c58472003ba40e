"""Configuration fails loudly and in one line; production settings pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_it_reports_an_unreachable_database_in_one_line():
    result = manage("migrate", DATABASE_URL="postgres://postgres:secret@127.0.0.1:1/nowhere")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "DATABASE_URL" in lines[0] and "127.0.0.1:1/nowhere" in lines[0]
    assert "secret" not in lines[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///db.sqlite3", "must be a postgres:// URL"),
        ("mysql://root@localhost/sso", "must be a postgres:// URL"),
        ("not a url", "must be a postgres:// URL"),
        ("postgres://postgres@127.0.0.1:5432", "names no database"),
    ],
)
def test_it_refuses_a_database_url_that_is_not_postgresql(url, says):
    result = manage("check", DATABASE_URL=url)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert says in result.stderr


def test_a_reports_database_is_configured_only_when_its_url_is_set():
    show = (
        "from django.conf import settings; from sso.core.db import reports_alias; "
        "r = settings.DATABASES.get('reports', {}); mirror = r.get('TEST', {}).get('MIRROR'); "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, r.get('PORT'), mirror, reports_alias())"
    )
    without = manage("shell", "--no-imports", "-c", show, REPORTS_DATABASE_URL="")
    assert without.stdout.strip() == "['default'] [] None None default", without.stderr
    replica = manage("shell", "--no-imports", "-c", show, REPORTS_DATABASE_URL="postgres://postgres@127.0.0.1:5433/sso")
    assert replica.stdout.strip() == (
        "['default', 'reports'] ['sso.core.routers.ReportsRouter'] 5433 default reports"
    ), replica.stderr
    refused = manage("check", REPORTS_DATABASE_URL="mysql://root@localhost/sso")
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines() == [
        "configuration error: REPORTS_DATABASE_URL must be a postgres:// URL (got scheme 'mysql'); "
        "this system needs PostgreSQL, never SQLite."
    ]


def test_it_requires_a_secret_key_when_debug_is_off():
    env = {"DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if k != "SECRET_KEY"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_a_malformed_boolean():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="p9!x" + "k3#Lq8$wZ2@vN7^bR4&tY6*mJ1(cF5)hD0-sG" * 2,
        ALLOWED_HOSTS="sso.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_connections_are_kept_open_between_requests(settings):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    # No SELECT 1 before each request unless DB_HEALTH_CHECKS=1 (a round trip per API call).
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False
    from sso.env import database_from_url

    assert database_from_url("postgres://u@h/db", conn_max_age=60, health_checks=True)["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.TIME_ZONE == "Asia/Bangkok"
